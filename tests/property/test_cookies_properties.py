"""Set-Cookie serialization against a strict RFC 6265 section 4.1 parser, and the request
Cookie parser on arbitrary and adversarial input."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.timing import LINEAR_BOUND, growth

from asgikit._cookies import Cookies, SameSite, parse_cookie_header
from asgikit._exceptions import InvalidHeaderError

TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
COOKIE_OCTETS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '",;\\')
PATH_CHARS = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in ";,")

# --- a strict parser of the server grammar (RFC 6265 4.1.1) --------------------------------

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE = re.compile(
    r'([\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)|"([\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)"'
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"\.?{_LABEL}(?:\.{_LABEL})*")
_PATH = re.compile(r"[\x20-\x3a\x3c-\x7e]+")
_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
)
_MAX_AGE = re.compile(r"0|[1-9][0-9]*")


class StrictParseError(Exception):
    pass


@dataclass
class ParsedCookie:
    name: str
    value: str
    attributes: dict[str, str | None] = field(default_factory=dict[str, "str | None"])


def strict_parse(line: bytes) -> ParsedCookie:
    """Parse one Set-Cookie value, refusing anything outside the RFC 6265 4.1 grammar."""
    try:
        text = line.decode("ascii")
    except UnicodeDecodeError as exc:
        raise StrictParseError("not ascii") from exc
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise StrictParseError("control character")
    pair, *avs = text.split("; ")
    name, sep, value = pair.partition("=")
    if not sep or _TOKEN.fullmatch(name) is None or _COOKIE_VALUE.fullmatch(value) is None:
        raise StrictParseError(f"bad cookie-pair {pair!r}")
    cookie = ParsedCookie(name, value)
    for av in avs:
        key, sep, arg = av.partition("=")
        if key in cookie.attributes:
            raise StrictParseError(f"repeated {key}")
        if key in ("Secure", "HttpOnly", "Partitioned") and not sep:
            cookie.attributes[key] = None
            continue
        pattern = {
            "Expires": _DATE,
            "Max-Age": _MAX_AGE,
            "Domain": _DOMAIN,
            "Path": _PATH,
            "SameSite": re.compile("Strict|Lax|None"),
        }.get(key)
        if not sep or pattern is None or pattern.fullmatch(arg) is None:
            raise StrictParseError(f"bad cookie-av {av!r}")
        cookie.attributes[key] = arg
    return cookie


# --- strategies ------------------------------------------------------------------------------

NAMES = st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=10).filter(
    lambda n: not n.lower().startswith(("__host-", "__secure-"))
)
BARE_VALUES = st.text(alphabet=COOKIE_OCTETS, max_size=20)
VALUES = st.one_of(BARE_VALUES, BARE_VALUES.map(lambda v: f'"{v}"'))
LABELS = st.from_regex(
    re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,8}[A-Za-z0-9])?", re.ASCII), fullmatch=True
)


def _domain(dot: bool, labels: list[str]) -> str:
    return ("." if dot else "") + ".".join(labels)


def _timezone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


DOMAINS = st.builds(_domain, st.booleans(), st.lists(LABELS, min_size=1, max_size=4))
PATHS = st.text(alphabet=PATH_CHARS, max_size=20).map(lambda p: "/" + p)
EXPIRES = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(9000, 1, 1),
    timezones=st.builds(_timezone, st.integers(-900, 900)),
)
SAMESITES: st.SearchStrategy[SameSite] = st.sampled_from(["strict", "lax", "none"])


@dataclass
class CookieArgs:
    name: str
    value: str
    expires: datetime | None
    domain: str | None
    path: str | None
    max_age: int | None
    secure: bool
    httponly: bool
    samesite: SameSite
    partitioned: bool

    def set_on(self, cookies: Cookies) -> None:
        cookies.set(
            self.name,
            self.value,
            expires=self.expires,
            domain=self.domain,
            path=self.path,
            max_age=self.max_age,
            secure=self.secure,
            httponly=self.httponly,
            samesite=self.samesite,
            partitioned=self.partitioned,
        )


COOKIE_ARGS = st.builds(
    CookieArgs,
    name=NAMES,
    value=VALUES,
    expires=st.none() | EXPIRES,
    domain=st.none() | DOMAINS,
    path=st.none() | PATHS,
    max_age=st.none() | st.integers(0, 10**12),
    secure=st.booleans(),
    httponly=st.booleans(),
    samesite=SAMESITES,
    partitioned=st.booleans(),
)


@settings(max_examples=300)
@given(COOKIE_ARGS)
def test_valid_cookie_reads_back_identically_with_a_strict_parser(args: CookieArgs) -> None:
    cookies = Cookies()
    args.set_on(cookies)
    [(header, line)] = cookies.raw_headers()
    assert header == b"set-cookie"
    parsed = strict_parse(line)
    assert (parsed.name, parsed.value) == (args.name, args.value)
    expected: dict[str, str | None] = {}
    if args.domain is not None:
        expected["Domain"] = args.domain
    if args.path is not None:
        expected["Path"] = args.path
    if args.max_age is not None:
        expected["Max-Age"] = str(args.max_age)
    if args.expires is not None:
        expected["Expires"] = parsed.attributes.get("Expires")
        assert parsedate_to_datetime(str(expected["Expires"])) == args.expires.replace(
            microsecond=0
        )
    if args.secure or args.samesite == "none" or args.partitioned:
        expected["Secure"] = None
    if args.httponly:
        expected["HttpOnly"] = None
    expected["SameSite"] = args.samesite.capitalize()
    if args.partitioned:
        expected["Partitioned"] = None
    assert parsed.attributes == expected
    assert list(parsed.attributes) == [
        k
        for k in (
            "Domain",
            "Path",
            "Max-Age",
            "Expires",
            "Secure",
            "HttpOnly",
            "SameSite",
            "Partitioned",
        )
        if k in expected
    ]


@settings(max_examples=100)
@given(NAMES, st.integers(-(10**9), 10**9))
def test_int_expires_is_a_valid_date_offset_from_now(name: str, seconds: int) -> None:
    cookies = Cookies()
    before = datetime.now(UTC).replace(microsecond=0)
    cookies.set(name, "v", expires=seconds)
    after = datetime.now(UTC)
    parsed = strict_parse(cookies.raw_headers()[0][1])
    when = parsedate_to_datetime(str(parsed.attributes["Expires"]))
    assert before + timedelta(seconds=seconds) <= when <= after + timedelta(seconds=seconds)


@settings(max_examples=100)
@given(st.lists(st.tuples(NAMES, VALUES), max_size=8))
def test_cookies_sent_back_by_a_browser_parse_to_the_set_values(
    pairs: list[tuple[str, str]],
) -> None:
    header = "; ".join(f"{name}={value}" for name, value in pairs)
    parsed = parse_cookie_header([header])
    for name, value in pairs:
        values = parsed.get(name)
        assert values is not None
        unquoted = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
        assert unquoted in values


# --- invalid input -------------------------------------------------------------------------

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"]
COMMON_BAD = [*CONTROLS, ";", ",", "\u00e9", "\u2028", "\U0001f600"]
BAD_CHARS = {
    "name": [*COMMON_BAD, " ", "=", '"', "(", "\\", "@"],
    "value": [*COMMON_BAD, " ", '"', "\\"],
    "domain": [*COMMON_BAD, " ", "_", "/", "=", ":"],
    "path": COMMON_BAD,
}


@settings(max_examples=300)
@given(
    COOKIE_ARGS,
    st.sampled_from(sorted(BAD_CHARS)),
    st.data(),
)
def test_a_bad_character_anywhere_raises(
    args: CookieArgs, component: str, data: st.DataObject
) -> None:
    bad = data.draw(st.sampled_from(BAD_CHARS[component]))
    original = getattr(args, component) or ("/" if component == "path" else "example.com")
    index = data.draw(st.integers(0, len(original)))
    setattr(args, component, original[:index] + bad + original[index:])
    with pytest.raises(InvalidHeaderError):
        args.set_on(Cookies())


@settings(max_examples=300)
@given(
    name=st.text(max_size=8),
    value=st.text(max_size=12),
    domain=st.none() | st.text(max_size=12),
    path=st.none() | st.text(max_size=12),
)
def test_arbitrary_text_raises_or_gives_a_strictly_valid_line(
    name: str, value: str, domain: str | None, path: str | None
) -> None:
    cookies = Cookies()
    try:
        cookies.set(name, value, domain=domain, path=path)
    except InvalidHeaderError:
        assert cookies.raw_headers() == []
        return
    [(_, line)] = cookies.raw_headers()
    assert b"\r" not in line and b"\n" not in line and b"\x00" not in line
    parsed = strict_parse(line)
    assert (parsed.name, parsed.value) == (name, value)


@settings(max_examples=200)
@given(st.lists(st.text(max_size=40), max_size=4))
def test_parse_cookie_header_never_raises_and_yields_clean_names(headers: list[str]) -> None:
    cookies = parse_cookie_header(headers)
    for name, value in cookies.items():
        assert name
        assert name == name.strip(" \t")
        assert ";" not in name and "=" not in name and ";" not in value


@settings(max_examples=10, deadline=None)
@given(st.text(alphabet='"\\;=, \ta\x00', min_size=1, max_size=8))
def test_parse_cookie_header_is_linear_on_repeated_adversarial_units(unit: str) -> None:
    def prepare(count: int) -> Callable[[], object]:
        header = unit * count
        return lambda: parse_cookie_header([header])

    assert growth(prepare, 12_500 // len(unit)) < 4 * LINEAR_BOUND
