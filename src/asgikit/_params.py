"""Linear-time parsing of header values with parameters (``Content-Type``, ``Content-Disposition``).

Grammar accepted (lenient superset of RFC 9110 section 5.6.6)::

    value *( OWS ";" OWS [ name [ OWS "=" OWS ( token | quoted-string ) ] ] )

Rules, chosen to be predictable for attacker-controlled input:

- The main value and parameter names are lower-cased; surrounding spaces and tabs are removed.
- The first occurrence of a parameter wins; later duplicates are ignored.
- Extended parameters (``name*=``, ``filename*=``, ``filename*0=``...) are ignored: RFC 7578
  section 4.2 forbids them in ``multipart/form-data``, and honouring them lets a client show one
  name to a proxy and another to the application.
- In a quoted string a backslash escapes only ``"`` and ``\\``; any other backslash is kept, so
  browser filenames such as ``C:\\dir\\a.txt`` survive. An unterminated quoted string runs to the
  end of the header.
- Parameters without ``=`` or with an empty name are ignored.

Every step consumes input, so the work is linear in the length of the value (no regular
expression that can backtrack).
"""

from __future__ import annotations

import codecs
from encodings import aliases, normalize_encoding
from typing import Final

__all__ = ["media_type_and_charset", "parse_header_params", "text_codec"]

_OWS: Final = " \t"


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a header value into its lower-cased main value and its parameters.

    ``'multipart/form-data; Boundary="a b"'`` gives ``("multipart/form-data", {"boundary": "a b"})``.
    See the module docstring for the exact rules.
    """
    semi = value.find(";")
    if semi == -1:
        return value.strip(_OWS).lower(), {}
    main = value[:semi].strip(_OWS).lower()
    params: dict[str, str] = {}
    length = len(value)
    # Positions of the next ";" and "=" at or after the cursor. Every parameter ends at its ";",
    # where the cursor resumes, and "=" is searched again only once the cursor has passed it, so
    # every character is scanned a bounded number of times.
    next_eq = -1
    i = semi + 1
    while i < length:
        next_semi = value.find(";", i)
        if next_semi == -1:
            next_semi = length
        if next_eq < i:
            next_eq = value.find("=", i)
            if next_eq == -1:
                next_eq = length
        if next_semi <= next_eq:
            # A bare name without "=": ignored.
            i = next_semi + 1
            continue
        name = value[i:next_eq].strip(_OWS).lower()
        i = next_eq + 1
        while i < length and value[i] in _OWS:
            i += 1
        if i < length and value[i] == '"':
            text, i = _quoted(value, i + 1, length)
            # Whatever follows the closing quote up to the next ";" is ignored.
            if next_semi < i:
                next_semi = value.find(";", i)
                if next_semi == -1:
                    next_semi = length
        else:
            # Only spaces and tabs were skipped, so the ";" found above is still ahead.
            text = value[i:next_semi].strip(_OWS)
        i = next_semi + 1
        if name and "*" not in name and name not in params:
            params[name] = text
    return main, params


def _quoted(value: str, i: int, length: int) -> tuple[str, int]:
    """Read a quoted string whose opening quote is at ``i - 1``; return it and the index after
    its closing quote (``length`` when unterminated)."""
    pieces: list[str] = []
    next_quote = -1
    next_slash = -1
    while True:
        if next_quote < i:
            next_quote = value.find('"', i)
            if next_quote == -1:
                next_quote = length
        if next_slash < i:
            next_slash = value.find("\\", i)
            if next_slash == -1:
                next_slash = length
        if next_quote <= next_slash:
            pieces.append(value[i:next_quote])
            return "".join(pieces), min(next_quote + 1, length)
        pieces.append(value[i:next_slash])
        # A backslash escapes only '"' and '\'; otherwise it is a literal character.
        escaped = value[next_slash + 1 : next_slash + 2]
        if escaped == '"' or escaped == "\\":
            pieces.append(escaped)
            i = next_slash + 2
        else:
            pieces.append("\\")
            i = next_slash + 1


_media_cache: dict[str, tuple[str | None, str | None]] = {}


def media_type_and_charset(content_type: str | None) -> tuple[str | None, str | None]:
    """The lower-cased media type (without parameters) and the lower-cased ``charset``
    parameter of a ``Content-Type`` value; ``None`` for whichever is absent or empty."""
    if content_type is None:
        return None, None
    found = _media_cache.get(content_type)
    if found is not None:
        return found
    media, params = parse_header_params(content_type)
    charset = params.get("charset", "").strip(_OWS).lower()
    result = (media or None, charset or None)
    # Only short values are cached, and only a bounded number of them (B23: no memory pinning).
    if len(content_type) <= 128 and len(_media_cache) < 256:
        _media_cache[content_type] = result
    return result


# Every name the stdlib alias table knows (a bounded set), so attacker-chosen charset labels
# never reach ``codecs.lookup``, whose miss cache grows with every new name.
_KNOWN_CODECS: Final = (
    frozenset(aliases.aliases) | frozenset(aliases.aliases.values()) | {"utf_8_sig"}
)
# Text codecs implemented in Python with quadratic decoding.
_SLOW_CODECS: Final = frozenset(["punycode", "idna"])
_codec_cache: dict[str, str | None] = {}


def text_codec(charset: str) -> str | None:
    """The Python codec for a client-supplied charset label, or ``None`` when the label is not
    a known text encoding or names one whose decoding is not linear (``punycode``, ``idna``).

    Labels are matched case-insensitively against the stdlib alias table; ``"UTF-8"``,
    ``"latin1"``, ``"Shift_JIS"`` and ``"windows-1252"`` are accepted, ``"base64"`` (not a text
    encoding) is not.
    """
    found = _codec_cache.get(charset, "")
    if found != "":
        return found
    key = normalize_encoding(charset.strip().lower()) if len(charset) <= 64 else ""
    result: str | None = None
    if key in _KNOWN_CODECS or key.replace(".", "_") in _KNOWN_CODECS:
        try:
            info = codecs.lookup(key)
        except LookupError:  # e.g. "mbcs", listed but only available on Windows
            pass
        else:
            if getattr(info, "_is_text_encoding", True) and info.name not in _SLOW_CODECS:
                result = info.name
        if len(_codec_cache) < 512:
            _codec_cache[charset] = result
    return result
