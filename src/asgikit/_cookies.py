"""Cookies: the response jar with its own ``Set-Cookie`` serializer, and the request parser.

The serializer follows the server grammar of RFC 6265 section 4.1 (not ``http.cookies``, which
lacks ``Partitioned`` before Python 3.14 and accepts control characters on older Pythons):
anything outside that grammar raises ``InvalidHeaderError`` instead of being escaped, so no
input can inject a header or another attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Literal, cast, final

from ._exceptions import InvalidHeaderError
from ._multidict import MultiDict, multidict_from_lists

__all__ = ["MAX_COOKIE_SIZE", "Cookies", "SameSite", "parse_cookie_header"]

SameSite = Literal["strict", "lax", "none"]
"""Values of the ``SameSite`` cookie attribute."""

MAX_COOKIE_SIZE = 4096
"""Largest accepted ``len(name) + len(value)``, the limit browsers enforce per cookie."""

_MAX_ATTRIBUTE_SIZE = 1024  # browsers ignore longer Domain/Path attribute values

# cookie-name = token (RFC 9110 tchar)
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
_VALUE = re.compile(
    r'[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"'
)
# RFC 1034/1123 host name, optionally with the leading dot user agents ignore.
_DOMAIN = re.compile(
    r"\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
# path-value = <any CHAR except CTLs or ";">; "," is refused too (folded Set-Cookie lines).
_PATH = re.compile(r"/[\x20-\x2b\x2d-\x3a\x3c-\x7e]*")

_SAMESITE: dict[str, str] = {
    "strict": "; SameSite=Strict",
    "lax": "; SameSite=Lax",
    "none": "; SameSite=None",
}
_DELETED_EXPIRES = "Thu, 01 Jan 1970 00:00:00 GMT"
_SET_COOKIE = b"set-cookie"


@final
class Cookies:
    """Cookies to be sent in the response, one ``Set-Cookie`` header each.

    ``set``/``delete`` validate and serialize immediately, so a bad cookie raises
    ``InvalidHeaderError`` at the call site. A cookie is identified by name, domain and path (as
    browsers do): setting the same one again replaces it in place.

    Serialized attribute order is fixed:
    ``name=value; Domain=d; Path=p; Max-Age=n; Expires=date; Secure; HttpOnly; SameSite=Lax;
    Partitioned``.
    """

    __slots__ = ("_jar",)

    def __init__(self) -> None:
        """Create an empty jar."""
        self._jar: dict[tuple[str, str, str], bytes] = {}

    def set(
        self,
        name: str,
        value: str,
        *,
        expires: int | datetime | None = None,
        domain: str | None = None,
        path: str | None = None,
        max_age: int | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: SameSite = "lax",
        partitioned: bool = False,
    ) -> None:
        """Add a cookie.

        ``value`` must be RFC 6265 cookie-octets (printable ASCII except space, ``"``, ``,``,
        ``;`` and ``\\``), optionally wrapped in one pair of double quotes. Any other value (a
        space, a comma, a quote, a control character, non-ASCII text) raises
        ``InvalidHeaderError``: nothing is quoted or escaped for you. Encode such values
        yourself, for example with ``urllib.parse.quote(value, safe="")`` (undo it with
        ``unquote`` when reading ``request.cookies``, which does not decode) or with
        ``base64.urlsafe_b64encode``. ``expires`` is seconds from now or an aware ``datetime``.
        ``domain`` must be a host name, ``path`` must start with ``/``.
        ``samesite="none"`` and ``partitioned=True`` force ``Secure`` (browsers drop such
        cookies otherwise), as do the ``__Secure-`` and ``__Host-`` name prefixes; a
        ``__Host-`` cookie gets ``Path=/`` and refuses ``domain`` and any other path.

        Raises:
            InvalidHeaderError: if any part is outside the RFC 6265 grammar, ``name`` plus
                ``value`` exceed ``MAX_COOKIE_SIZE``, or an argument is out of range.
        """
        if not isinstance(cast(object, value), str) or _VALUE.fullmatch(value) is None:
            raise InvalidHeaderError(
                f"invalid cookie value {value!r}: use printable ASCII without space, '\"', ',', "
                "';' and '\\' (encode other data, e.g. with base64url)"
            )
        date = None if expires is None else _http_date(expires)
        self._store(
            name, value, date, domain, path, max_age, secure, httponly, samesite, partitioned
        )

    def delete(
        self,
        name: str,
        *,
        domain: str | None = None,
        path: str | None = None,
        secure: bool = False,
        httponly: bool = True,
        samesite: SameSite = "lax",
        partitioned: bool = False,
    ) -> None:
        """Remove a cookie: send it with an empty value, ``Max-Age=0`` and an ``Expires`` in
        the past. ``domain``, ``path`` (and ``partitioned``) must match the cookie to remove.

        Raises:
            InvalidHeaderError: as for ``set``.
        """
        self._store(
            name, "", _DELETED_EXPIRES, domain, path, 0, secure, httponly, samesite, partitioned
        )

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The ``(b"set-cookie", value)`` header pairs, in the order cookies were first set."""
        return [(_SET_COOKIE, line) for line in self._jar.values()]

    def __len__(self) -> int:
        """Number of ``Set-Cookie`` headers the jar will send."""
        return len(self._jar)

    def __iter__(self) -> Iterator[str]:
        """Names of the cookies in the jar, in order (a name repeats for distinct domain/path)."""
        return (key[0] for key in self._jar)

    def __repr__(self) -> str:
        lines = [line.decode("ascii") for line in self._jar.values()]
        return f"Cookies({lines!r})"

    def _store(
        self,
        name: str,
        value: str,
        date: str | None,
        domain: str | None,
        path: str | None,
        max_age: int | None,
        secure: bool,
        httponly: bool,
        samesite: str,
        partitioned: bool,
    ) -> None:
        if not isinstance(cast(object, name), str) or _NAME.fullmatch(name) is None:
            raise InvalidHeaderError(
                f"invalid cookie name {name!r}: names must be non-empty RFC 6265 tokens "
                "(letters, digits and !#$%&'*+-.^_`|~)"
            )
        if len(name) + len(value) > MAX_COOKIE_SIZE:
            raise InvalidHeaderError(
                f"cookie {name!r} is {len(name) + len(value)} bytes: browsers drop cookies whose "
                f"name and value exceed {MAX_COOKIE_SIZE} bytes; store less in it"
            )
        samesite_av = _SAMESITE.get(samesite) if isinstance(cast(object, samesite), str) else None
        if samesite_av is None:
            raise InvalidHeaderError(
                f"invalid samesite {samesite!r}: use 'strict', 'lax' or 'none'"
            )

        folded = name.lower()
        if folded.startswith("__host-"):
            if domain is not None:
                raise InvalidHeaderError(
                    f"cookie {name!r}: a '__Host-' cookie must not have a domain"
                )
            if path is None:
                path = "/"
            elif path != "/":
                raise InvalidHeaderError(f"cookie {name!r}: a '__Host-' cookie must have path '/'")
            secure = True
        elif folded.startswith("__secure-"):
            secure = True

        parts = [name, "=", value]
        key_domain = ""
        if domain is not None:
            if (
                not isinstance(cast(object, domain), str)
                or len(domain) > _MAX_ATTRIBUTE_SIZE
                or _DOMAIN.fullmatch(domain) is None
            ):
                raise InvalidHeaderError(
                    f"invalid cookie domain {domain!r}: use a host name of letters, digits, '-' "
                    "and '.' (IDNA-encode international names)"
                )
            parts += ("; Domain=", domain)
            key_domain = domain.lower().lstrip(".")
        if path is not None:
            if (
                not isinstance(cast(object, path), str)
                or len(path) > _MAX_ATTRIBUTE_SIZE
                or _PATH.fullmatch(path) is None
            ):
                raise InvalidHeaderError(
                    f"invalid cookie path {path!r}: it must start with '/' and contain only "
                    "printable ASCII without ';' and ',' (percent-encode them)"
                )
            parts += ("; Path=", path)
        if max_age is not None:
            if type(max_age) is not int or max_age < 0:
                raise InvalidHeaderError(
                    f"invalid cookie max_age {max_age!r}: use a non-negative int (0 expires it now)"
                )
            parts += ("; Max-Age=", str(max_age))
        if date is not None:
            parts += ("; Expires=", date)
        if secure or samesite == "none" or partitioned:
            parts.append("; Secure")
        if httponly:
            parts.append("; HttpOnly")
        parts.append(samesite_av)
        if partitioned:
            parts.append("; Partitioned")
        self._jar[(name, key_domain, path or "")] = "".join(parts).encode("ascii")


def _http_date(expires: int | datetime) -> str:
    """``expires`` (seconds from now or an aware datetime) as an IMF-fixdate."""
    if isinstance(expires, datetime):
        if expires.tzinfo is None or expires.utcoffset() is None:
            raise InvalidHeaderError(
                "cookie expires is a naive datetime: pass an aware one, e.g. datetime.now(UTC)"
            )
        when = expires
    elif type(expires) is int:
        try:
            when = datetime.now(UTC) + timedelta(seconds=expires)
        except OverflowError:
            raise InvalidHeaderError(
                f"cookie expires {expires!r} seconds is out of range"
            ) from None
    else:
        raise InvalidHeaderError(
            f"invalid cookie expires {expires!r}: use seconds from now (int) or an aware datetime"
        )
    try:
        return format_datetime(when.astimezone(UTC), usegmt=True)
    except (OverflowError, ValueError):
        raise InvalidHeaderError(f"cookie expires {expires!r} is out of range") from None


def parse_cookie_header(values: Iterable[str]) -> MultiDict[str]:
    """Parse request ``Cookie`` header values (several are merged, as HTTP/2 sends them).

    Pairs are split on ``;`` and ``=`` (at the first ``=``); spaces and tabs around names and
    values are stripped and one pair of surrounding double quotes is removed from a value.
    Nothing is unescaped or percent-decoded. Entries without ``=`` or with an empty name are
    dropped; other malformed names are kept as sent. Duplicate names keep every value in order:
    ``get_first`` gives the first sent (browsers send the most specific path first), ``get``
    gives all. Never raises, and runs in linear time.
    """
    store: dict[str, list[str]] = {}
    for header in values:
        for pair in header.split(";"):
            name, sep, value = pair.partition("=")
            if not sep:
                continue
            name = name.strip(" \t")
            if not name:
                continue
            value = value.strip(" \t")
            if len(value) > 1 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            if name in store:
                store[name].append(value)
            else:
                store[name] = [value]
    return multidict_from_lists(store)
