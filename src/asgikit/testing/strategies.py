"""Hypothesis strategies for fuzzing ASGI apps: scopes, headers, bodies, valid and hostile.

Every strategy takes ``hostile``. ``hostile=False`` draws only well-formed inputs, which an
app must accept (answering 2xx/3xx or a deliberate 4xx). ``hostile=True`` mixes in the
malformed and abusive shapes that broke other frameworks (the bad-input catalogue in
``docs/security.md``: quadratic cookie unquoting, truncated UTF-8, huge or duplicated
``Content-Length``, hostile ``Host`` values, range floods, multipart boundary and header
abuse, ...); an app must answer those with a 4xx or handle them, never crash, hang or grow
without bound. Sizes stay small enough that a test runs hundreds of examples in seconds;
"many" means a few thousand, which is past every default count limit asgikit ships.

Header values, hosts, query strings and bodies are ``bytes``, as ASGI carries them; the
multipart strategy returns ``(content_type, body)``.
"""

from __future__ import annotations

from typing import Final, TypeVar, cast
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from asgikit.asgi import HTTPScope, WebSocketScope

__all__ = [
    "cookie_headers",
    "headers",
    "hosts",
    "http_scopes",
    "multipart_bodies",
    "query_strings",
    "range_headers",
    "urlencoded_bodies",
    "websocket_scopes",
]

T = TypeVar("T")

_TOKEN_CHARS: Final = "abcdefghijklmnopqrstuvwxyz0123456789-_"
"""Characters for names that every parser accepts."""

MANY: Final = 3000
"""How many repetitions "many" means in hostile inputs: past every default count limit."""

_WORDS: Final = st.text(_TOKEN_CHARS, min_size=1, max_size=12)
"""Short names: header, field, cookie and parameter names."""

_TEXT: Final = st.text(st.characters(codec="utf-8"), max_size=20)
"""Any short Unicode text without lone surrogates."""

_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""Methods valid scopes use."""


def _mixed(
    valid: SearchStrategy[T], hostile: SearchStrategy[T], use_hostile: bool
) -> SearchStrategy[T]:
    """``valid``, or valid and hostile draws mixed when ``use_hostile``."""
    return st.one_of(valid, hostile) if use_hostile else valid


# Hosts (B25, B29)


def _valid_host() -> SearchStrategy[bytes]:
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    name = st.lists(label, min_size=1, max_size=4).map(".".join)
    ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda parts: ".".join(map(str, parts)))
    ipv6 = st.sampled_from(["[::1]", "[2001:db8::1]", "[fe80::1:2:3:4]"])
    port = st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))
    return st.tuples(st.one_of(name, ipv4, ipv6), port).map(lambda hp: (hp[0] + hp[1]).encode())


_HOSTILE_HOSTS: Final = st.one_of(
    st.sampled_from(
        [
            b"evil.com/admin?",
            b"a@b",
            b"x#",
            b"[::1",
            b" ",
            b"",
            b"host:99999",
            b"host:-1",
            b"host:",
            b":80",
            b"h\xc3\xa9st",
            b"a..b",
            b"[::1]x",
            b"host:80:80",
            b"\x00",
            b"host\tname",
        ]
    ),
    st.integers(64, 300).map(lambda n: b"a" * n + b".com"),
    st.binary(max_size=30),
)


def hosts(*, hostile: bool = False) -> SearchStrategy[bytes]:
    """``Host`` header values: names, IPv4, bracketed IPv6, optional port.

    Hostile: path/query/userinfo/fragment characters, unbalanced brackets, bad ports, empty,
    control bytes, over-long labels and raw bytes (catalogue row B25).
    """
    return _mixed(_valid_host(), _HOSTILE_HOSTS, hostile)


# Headers (B22, B26, B34)


def _valid_headers() -> SearchStrategy[list[tuple[bytes, bytes]]]:
    value = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
    pair = st.tuples(
        _WORDS.map(lambda n: ("x-" + n).encode()), value.map(lambda v: v.strip().encode())
    )
    return st.lists(pair, max_size=8)


@st.composite
def _hostile_headers(draw: DrawFn) -> list[tuple[bytes, bytes]]:
    kind = draw(st.integers(0, 6))
    if kind == 0:  # Content-Length that is negative, not a number, huge or duplicated
        values = draw(
            st.lists(
                st.sampled_from(
                    [b"-1", b"1e9", b"99999999999999999999", b"abc", b"", b" 5", b"0x10", b"5"]
                ),
                min_size=1,
                max_size=3,
            )
        )
        return [(b"content-length", value) for value in values]
    if kind == 1:  # one huge value
        return [(b"x-big", b"v" * draw(st.integers(8_000, 70_000)))]
    if kind == 2:  # very many headers
        return [(b"x-many", b"1")] * draw(st.integers(100, MANY))
    if kind == 3:  # bytes that are not UTF-8 or not even latin-1 text
        return [(b"x-" + draw(_WORDS).encode(), draw(st.binary(min_size=1, max_size=30)))]
    if kind == 4:  # names servers should have lower-cased, odd names
        name = draw(st.sampled_from([b"Content-Type", b"X-UPPER", b"x y", b"x:y", b"\xff"]))
        return [(name, b"value")]
    if kind == 5:  # duplicated singletons: two Host, two Content-Type, split Cookie
        return [(b"host", b"a.example"), (b"host", b"b.example"), (b"content-type", b"text/plain"),
                (b"content-type", b"application/json"), (b"cookie", b"a=1"), (b"cookie", b"a=2")]  # fmt: skip
    return [(b"content-type", draw(st.sampled_from(_HOSTILE_CONTENT_TYPES)))]


_HOSTILE_CONTENT_TYPES: Final = [
    b"multipart/form-data",
    b"multipart/form-data; boundary=",
    b"multipart/form-data; boundary=" + b"b" * 10_000,
    b'multipart/form-data; boundary=a; x="' + b"\\" * 5_000,
    b'multipart/form-data; boundary="unterminated',
    b"application/x-www-form-urlencoded; charset=no-such-charset",
    b"application/json; charset=utf-32",
    b"text/plain; charset=\xff",
    b";;;",
    b"*/*",
]
"""Content-Type values that broke parameter parsers (B08, B09) or name odd charsets."""


def headers(*, hostile: bool = False) -> SearchStrategy[list[tuple[bytes, bytes]]]:
    """Extra request header lines (lower-case ``x-`` names with printable ASCII values).

    Hostile: bad or duplicated ``Content-Length`` (B22), one huge value, thousands of lines,
    non-UTF-8 bytes, names with upper case or separators, duplicated singletons and split
    ``Cookie`` headers (B34), and ``Content-Type`` values that broke parameter parsers (B08, B09).
    """
    return _mixed(_valid_headers(), _hostile_headers(), hostile)


# Query strings and urlencoded bodies (B19, B21)


def _encode(text: str) -> bytes:
    return quote(text, safe="").encode()


def _valid_pairs() -> SearchStrategy[bytes]:
    pair = st.tuples(_TEXT.filter(bool), _TEXT)
    return st.lists(pair, max_size=8).map(
        lambda pairs: b"&".join(_encode(k) + b"=" + _encode(v) for k, v in pairs)
    )


_HOSTILE_PAIRS: Final = st.one_of(
    st.sampled_from(
        [
            b"%zz",
            b"a=%E2%82",
            b"a=%",
            b"a=%2",
            b"a=caf\xc3\xa9",
            b"a=\xff\xfe",
            b"a=%26b",
            b"a+b=c+d%2B",
            b"&&&",
            b"=",
            b"==",
            b"a=b=c",
            b"a;b=c",
            b"%00=%00",
            b"a[]=1&a[]=2",
        ]
    ),
    st.integers(100, MANY).map(lambda n: b"&".join([b"a="] * n)),
    st.integers(10_000, 200_000).map(lambda n: b"big=" + b"x" * n),
    st.binary(max_size=60),
)
"""Bad escapes, truncated UTF-8, raw non-UTF-8 bytes, separators, field floods, one huge field."""


def query_strings(*, hostile: bool = False) -> SearchStrategy[bytes]:
    """``scope["query_string"]`` values: percent-encoded UTF-8 ``name=value`` pairs.

    Hostile: invalid and truncated escapes, raw non-UTF-8 bytes, ``+`` versus ``%2B``, empty
    pairs, thousands of fields (B19) and one huge field (B21).
    """
    return _mixed(_valid_pairs(), _HOSTILE_PAIRS, hostile)


def urlencoded_bodies(*, hostile: bool = False) -> SearchStrategy[bytes]:
    """``application/x-www-form-urlencoded`` bodies; hostile as for ``query_strings``."""
    return _mixed(_valid_pairs(), _HOSTILE_PAIRS, hostile)


# Cookies (B32, B33, B34)


def _valid_cookies() -> SearchStrategy[bytes]:
    value = st.text(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'()*+-./:<=>?@[]^_`{|}~",
        max_size=20,
    )
    pairs = st.lists(st.tuples(_WORDS, value), min_size=1, max_size=6)
    return pairs.map(lambda items: "; ".join(f"{name}={val}" for name, val in items).encode())


_HOSTILE_COOKIES: Final = st.one_of(
    st.integers(1_000, 30_000).map(lambda n: b'a="' + b"\\" * n + b'"'),
    st.integers(100, MANY).map(lambda n: b"; ".join([b"a,b=1; c d=2"] * n)),
    st.sampled_from(
        [
            b"a",
            b";",
            b"=",
            b"a=b;;c=d",
            b'a="unterminated',
            b"a=\x00b",
            b"a=\xff",
            b"a=1; a=2; a=3",
            b"a=b\r\n",
            b" ; ; ",
        ]
    ),
    st.binary(max_size=40),
)
"""Quadratic-unquote bait (B32), invalid-cookie floods (B33), control bytes, duplicates."""


def cookie_headers(*, hostile: bool = False) -> SearchStrategy[bytes]:
    """``Cookie`` header values: ``name=value`` pairs joined by ``"; "``.

    Hostile: a quoted value full of backslashes (CPython's quadratic unquote, B32), thousands
    of invalid cookies (B33), control and non-UTF-8 bytes, duplicates and empty pairs.
    """
    return _mixed(_valid_cookies(), _HOSTILE_COOKIES, hostile)


# Ranges (B38, B39)


def _valid_ranges() -> SearchStrategy[bytes]:
    spec = st.one_of(
        st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(
            lambda ab: f"{min(ab)}-{max(ab)}"
        ),
        st.integers(0, 10_000).map(lambda a: f"{a}-"),
        st.integers(1, 10_000).map(lambda n: f"-{n}"),
    )
    return st.lists(spec, min_size=1, max_size=3).map(
        lambda specs: ("bytes=" + ",".join(specs)).encode()
    )


_HOSTILE_RANGES: Final = st.one_of(
    st.integers(100, MANY).map(
        lambda n: ("bytes=" + ",".join(f"{2 * i}-{2 * i}" for i in range(n))).encode()
    ),
    st.integers(100, 1000).map(lambda n: ("bytes=" + ",".join("0-" for _ in range(n))).encode()),
    st.sampled_from(
        [
            b"bytes=-99999999999",
            b"bytes=9999999999-",
            b"bytes=5-1",
            b"bytes=" + b"9" * 5000,
            b"bytes=" + b"9" * 5000 + b"-",
            b"items=0-1",
            b"bytes 0-1",
            b"bytes=",
            b"bytes=-",
            b"bytes=-0",
            b"bytes=--1",
            b"bytes=1-2-3",
            b"bytes= 0 - 1 ",
            b"bytes=0x1-2",
            b"bytes=\xff",
        ]
    ),
)
"""Range floods and overlaps (B38), out-of-range and huge numbers, bad units and syntax (B39)."""


def range_headers(*, hostile: bool = False) -> SearchStrategy[bytes]:
    """``Range`` header values: one to three ``bytes=`` ranges (closed, open, suffix).

    Hostile: thousands of disjoint or overlapping ranges (B38), suffixes and starts past any
    size, reversed ranges, 5000-digit numbers, other units and broken syntax (B39).
    """
    return _mixed(_valid_ranges(), _HOSTILE_RANGES, hostile)


# Multipart (B01-B18)

_BCHARS: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=?"
"""Characters RFC 2046 allows in a boundary (without the space, which may not end one)."""


@st.composite
def _valid_multipart(draw: DrawFn) -> tuple[str, bytes]:
    boundary = draw(st.text(_BCHARS, min_size=1, max_size=70))
    quoted = draw(st.booleans())
    content_type = (
        f'multipart/form-data; boundary="{boundary}"'
        if quoted
        else f"multipart/form-data; boundary={boundary}"
    )
    parts: list[bytes] = []
    for index in range(draw(st.integers(0, 5))):
        name = f"f{index}"
        if draw(st.booleans()):
            filename = draw(st.text(_TOKEN_CHARS, min_size=1, max_size=10)) + ".txt"
            data = draw(st.binary(max_size=200))
            head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: application/octet-stream'
        else:
            data = draw(_TEXT).encode()
            head = f'Content-Disposition: form-data; name="{name}"'
        if f"--{boundary}".encode() in data:
            data = b"x"
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + data + b"\r\n")
    return content_type, b"".join(parts) + f"--{boundary}--\r\n".encode()


def _part(boundary: bytes, head: bytes, data: bytes) -> bytes:
    return b"--" + boundary + b"\r\n" + head + b"\r\n\r\n" + data + b"\r\n"


def _form(boundary: bytes, *parts: bytes, close: bool = True) -> bytes:
    return b"".join(parts) + (b"--" + boundary + b"--\r\n" if close else b"")


_DISPOSITION: Final = b'Content-Disposition: form-data; name="f"'
"""The header of an ordinary field part."""


@st.composite
def _hostile_multipart(draw: DrawFn) -> tuple[str, bytes]:
    b = b"hostile-boundary"
    ct = "multipart/form-data; boundary=hostile-boundary"
    n = draw(st.integers(100, MANY))
    kind = draw(st.integers(0, 13))
    if kind == 0:  # B01: thousands of tiny fields
        return ct, _form(b, *[_part(b, _DISPOSITION, b"")] * n)
    if kind == 1:  # B02: thousands of empty files
        return ct, _form(b, *[_part(b, _DISPOSITION + b'; filename="x"', b"")] * n)
    if kind == 2:  # B03/B05: one big field starting with CR, without line breaks
        return ct, _form(
            b, _part(b, _DISPOSITION, b"\r" + b"a" * draw(st.integers(10_000, 300_000)))
        )
    if kind == 3:  # B06: junk before the first and after the last boundary
        return ct, b"\r\n" * n + _form(b, _part(b, _DISPOSITION, b"v")) + b"junk\r\n" * n
    if kind == 4:  # B07: thousands of part header lines, or one huge header value
        head = (
            b"\r\n".join([_DISPOSITION, *[b"X-H: v"] * n])
            if draw(st.booleans())
            else _DISPOSITION + b"; x=" + b"v" * 100_000
        )
        return ct, _form(b, _part(b, head, b"v"))
    if kind == 5:  # B08: boundaries that are too long, empty, spaced, quoted oddly or missing
        header = draw(st.sampled_from(["multipart/form-data; boundary=" + "b" * 10_000, "multipart/form-data; boundary=",
                                       'multipart/form-data; boundary="a b "', "multipart/form-data; boundary=\"\"",
                                       "multipart/form-data", "multipart/form-data; boundary=a; boundary=b"]))  # fmt: skip
        return header, _form(b, _part(b, _DISPOSITION, b"v"))
    if kind == 6:  # B09: backslash runs in parameters
        return ct, _form(
            b,
            _part(b, b'Content-Disposition: form-data; name="f"; filename="' + b"\\" * n * 3, b"v"),
        )
    if kind == 7:  # B10: RFC 2231 star parameters that must not win
        head = b"Content-Disposition: form-data; name=\"comment\"; name*=utf-8''role; filename=\"safe.txt\"; filename*=utf-8''evil.php"
        return ct, _form(b, _part(b, head, b"v"))
    if kind == 8:  # B11: path traversal and NUL in file names
        name = draw(
            st.sampled_from(
                [b"../../etc/passwd", b"/etc/passwd", b"C:\\x\\..\\boot.ini", b"a\x00b", b"..", b""]
            )
        )
        return ct, _form(b, _part(b, _DISPOSITION + b'; filename="' + name + b'"', b"v"))
    if (
        kind == 9
    ):  # B12: parts without Content-Disposition or without a name, duplicated dispositions
        head = draw(st.sampled_from([b"Content-Type: text/plain", b"Content-Disposition: form-data",
                                     _DISPOSITION + b"\r\n" + b'Content-Disposition: form-data; name="g"']))  # fmt: skip
        return ct, _form(b, _part(b, head, b"v"))
    if kind == 10:  # B13/B14: boundary inside a body; body cut before the closing boundary
        if draw(st.booleans()):
            return ct, _form(b, _part(b, _DISPOSITION, b"before --hostile-boundary after"))
        return ct, _form(b, _part(b, _DISPOSITION, b"v" * 100), close=False)[
            : -draw(st.integers(1, 50))
        ]
    if kind == 11:  # B16: transfer encodings with huge whitespace
        head = _DISPOSITION + b"\r\nContent-Transfer-Encoding: base64"
        return ct, _form(b, _part(b, head, b" \r\n" * n + b"aGk="))
    if kind == 12:  # B17/B18: non-UTF-8 names and values, _charset_, empty filename
        head = b'Content-Disposition: form-data; name="\xff\xfe"; filename=""'
        return ct, _form(
            b,
            _part(b, b'Content-Disposition: form-data; name="_charset_"', b"latin-1"),
            _part(b, head, b"\xe9\xff"),
        )
    return ct, draw(st.binary(max_size=300))


def multipart_bodies(*, hostile: bool = False) -> SearchStrategy[tuple[str, bytes]]:
    """``(content_type, body)`` of ``multipart/form-data`` requests.

    Valid: zero to five fields and files under a random RFC 2046 boundary (quoted or not,
    with ``.``, ``+``, ``=``...). Hostile: one shape per catalogue row B01-B18, thousands of
    parts or header lines, huge fields, broken or missing boundaries, star parameters,
    traversing file names, nameless parts, truncated bodies, and raw bytes.
    """
    return _mixed(_valid_multipart(), _hostile_multipart(), hostile)


# Scopes (B27, B29, B30)


def _path() -> SearchStrategy[str]:
    segment = st.text(
        st.characters(codec="utf-8", exclude_characters="/?#"),
        max_size=10,
    )
    return st.lists(segment, max_size=4).map(lambda segments: "/" + "/".join(segments))


_HOSTILE_PATHS: Final = st.sampled_from(["/..%2F..%2Fetc/passwd", "/a%00b", "/%2e%2e/", "//evil.com", "/\\evil.com",
                                         "/a\r\nb", "/" + "a" * 20_000, "/\x1b[31mred", "", "*"])  # fmt: skip
"""Encoded traversal, NUL, double slashes, CRLF, ANSI escapes, huge and empty paths (B27, B28)."""

_VERSIONS: Final = st.sampled_from([None, "2.0", "2.1", "2.3", "2.4", "2.5"])
"""``spec_version`` values real servers send (``None``: the key is absent)."""


def _address(hostile: bool) -> SearchStrategy[object]:
    """``server``/``client`` as servers send them: tuples, lists, str ports (B29)."""
    host = st.sampled_from(["127.0.0.1", "::1", "10.0.0.7", "/run/app.sock"])
    port = st.one_of(st.integers(1, 65535), st.integers(1, 65535).map(str), st.none())
    shapes: list[SearchStrategy[object]] = [
        st.tuples(host, port),
        st.tuples(host, port).map(list),
        st.none(),
    ]
    if hostile:
        shapes.append(
            st.sampled_from([("h", "not a port"), ("h", -1), ("h", 10**12), ["h"], ("h", 1, 2)])
        )
    return st.one_of(shapes)


@st.composite
def _scope_common(draw: DrawFn, hostile: bool) -> dict[str, object]:
    path = draw(st.one_of(_path(), _HOSTILE_PATHS) if hostile else _path())
    query = draw(query_strings(hostile=hostile))
    host = draw(hosts(hostile=hostile))
    lines = [(b"host", host), *draw(headers(hostile=hostile))]
    if draw(st.booleans()):
        lines.append((b"cookie", draw(cookie_headers(hostile=hostile))))
    version = draw(_VERSIONS)
    scope: dict[str, object] = {
        "asgi": {"version": "3.0"}
        if version is None
        else {"version": "3.0", "spec_version": version},
        "path": path,
        "raw_path": quote(path, safe="/%").encode(),
        "query_string": query,
        "root_path": "",
        "headers": lines,
        "server": draw(_address(hostile)),
        "client": draw(_address(hostile)),
    }
    if hostile:
        for key in draw(
            st.lists(
                st.sampled_from(["raw_path", "query_string", "root_path", "server", "client"]),
                max_size=3,
            )
        ):
            scope.pop(key, None)
    return scope


@st.composite
def _http_scope(draw: DrawFn, hostile: bool) -> HTTPScope:
    scope = draw(_scope_common(hostile))
    scope["type"] = "http"
    scope["method"] = draw(
        st.sampled_from(_METHODS)
        if not hostile
        else st.one_of(
            st.sampled_from(_METHODS), st.sampled_from(["PROPFIND", "get", "BREW", "M" * 1000])
        )
    )
    scope["scheme"] = draw(st.sampled_from(["http", "https"]))
    scope["http_version"] = draw(
        st.sampled_from(
            ["1.0", "1.1", "2"] if not hostile else ["1", "1.0", "1.1", "2", "3", "9.9"]
        )
    )
    if draw(st.booleans()):
        scope["extensions"] = draw(
            st.sampled_from(
                [{}, {"http.response.pathsend": {}}, None]
                if hostile
                else [{}, {"http.response.pathsend": {}}]
            )
        )
    # A plain dict on purpose: it reproduces server quirks the TypedDict cannot express.
    return cast("HTTPScope", cast("object", scope))


@st.composite
def _websocket_scope(draw: DrawFn, hostile: bool) -> WebSocketScope:
    scope = draw(_scope_common(hostile))
    scope["type"] = "websocket"
    scope["scheme"] = draw(st.sampled_from(["ws", "wss"]))
    scope["subprotocols"] = draw(st.lists(_WORDS, max_size=3))
    if draw(st.booleans()):
        scope["http_version"] = "1.1"
    if draw(st.booleans()):
        scope["extensions"] = {"websocket.http.response": {}}
    return cast("WebSocketScope", cast("object", scope))


def http_scopes(*, hostile: bool = False) -> SearchStrategy[HTTPScope]:
    """HTTP scopes as the four servers build them: every spec version, address shape
    (tuples, Daphne's lists, Granian's string ports, unix sockets) and ``extensions`` variant,
    with drawn paths, query strings, hosts, headers and cookies.

    Hostile: the hostile variants of each part, traversing/NUL/CRLF/huge paths, odd methods
    and ``http_version`` values, malformed addresses and optional keys left out.
    """
    return _http_scope(hostile)


def websocket_scopes(*, hostile: bool = False) -> SearchStrategy[WebSocketScope]:
    """Websocket scopes, drawn like ``http_scopes`` plus ``subprotocols``."""
    return _websocket_scope(hostile)
