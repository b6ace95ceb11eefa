"""Content negotiation: parse ``Accept``, ``Accept-Language``, ``Accept-Encoding`` and ``TE``
and choose among what a server offers.

Pure HTTP (RFC 9110 sections 12.4 and 12.5, RFC 4647 basic filtering); knows nothing of ASGI
and never raises for bad input. A malformed element of the header (no ``/``, a bad token, a bad ``q``, an unterminated
quote...) is ignored on its own; a header with no usable element at all counts as absent,
which means "anything is acceptable". Every step is linear in the length of the header, and
only the first ``MAX_ELEMENTS`` elements of a header are parsed.

How an offer is scored: among the media ranges that match it, the most specific one decides
its quality (``type/subtype`` with parameters, then ``type/subtype``, then ``type/*``, then
``*/*``); ``q=0`` makes it unacceptable. ``best_match`` picks the highest quality, then the
more specific match, then the server's own order of offers. Languages and codings are
scored the same way by their own matching rules (``best_language``, ``best_encoding``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final, NamedTuple, TypeVar, final

__all__ = [
    "MediaRange",
    "accepts",
    "accepts_trailers",
    "best_encoding",
    "best_language",
    "best_match",
    "parse_accept",
    "parse_weighted",
]

OfferT = TypeVar("OfferT", bound=str)
"""An offered media type; ``best_match`` returns the caller's own (possibly ``Literal``) type."""

MAX_QUALITY: Final = 1000
"""``q=1`` in thousandths: qualities are compared as exact integers, never as floats."""

MAX_ELEMENTS: Final = 64
"""Elements read from one header (all its lines together); the rest is ignored. Clients send
a handful, and the bound keeps a hostile header's cost constant, not only linear."""

MAX_PARAMETERS: Final = 16
"""Parameters allowed in one element; an element with more is malformed and ignored."""

_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""An RFC 9110 token, either case: names are lower-cased before matching, while a parameter
value is matched as sent (``charset=UTF-8``) and lower-cased afterwards."""

_LANGUAGE_RANGE: Final = re.compile(r"\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
"""An RFC 4647 basic language range, lower-cased: ``*`` or ``en``, ``en-us``, ``zh-hant-tw``."""

_CODING_ALIASES: Final = {"x-gzip": "gzip", "x-compress": "compress"}
"""Old coding names RFC 9110 section 8.4.1 says to treat as the current ones."""

_QUALITY: Final = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
"""The RFC 9110 ``qvalue`` grammar: ``0`` to ``1`` with at most three decimals."""


@final
class MediaRange(NamedTuple):
    """One usable element of an ``Accept`` header (names and values lower-cased)."""

    type: str
    """The main type, or ``*``."""
    subtype: str
    """The subtype, or ``*``."""
    params: frozenset[tuple[str, str]]
    """Media type parameters before ``q`` (accept extensions after ``q`` are dropped)."""
    quality: int
    """The weight in thousandths: 0 (not acceptable) to 1000."""

    @property
    def specificity(self) -> int:
        """How precisely this range names a type: 0 for ``*/*``, 1 for ``type/*``, 2 for
        ``type/subtype``, plus one per parameter."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)


def split_unquoted(text: str, separator: str, limit: int) -> list[str]:
    """Split ``text`` on ``separator`` where it is not inside a quoted string, into at most
    ``limit + 1`` parts (the last holds the unsplit rest, like ``str.split``'s ``maxsplit``).

    Backslash escapes inside quotes are honoured; an unterminated quote runs to the end of
    the text (that element is malformed and is dropped later). Jumps from quote to quote and
    separator to separator with ``str.find``, so the work is linear and mostly in C.
    """
    if '"' not in text:
        return text.split(separator, limit)
    parts: list[str] = []
    start = position = 0
    next_separator = text.find(separator)
    while len(parts) < limit:
        quote = text.find('"', position)
        if next_separator != -1 and next_separator < position:
            next_separator = text.find(separator, position)
        if next_separator == -1 and quote == -1:
            break
        if quote == -1 or (next_separator != -1 and next_separator < quote):
            parts.append(text[start:next_separator])
            start = position = next_separator + 1
            continue
        closing = _closing_quote(text, quote)
        if closing == -1:
            break  # unterminated: the rest of the text is one (malformed) part
        position = closing + 1
    parts.append(text[start:])
    return parts


def _closing_quote(text: str, opening: int) -> int:
    """Index of the quote that closes the quoted string opening at ``opening``, or -1.

    A quote preceded by an odd run of backslashes is escaped. Each backslash run is counted
    once, for the one quote that follows it, so the scan stays linear.
    """
    candidate = opening
    while True:
        candidate = text.find('"', candidate + 1)
        if candidate == -1:
            return -1
        backslashes = 0
        while candidate - 1 - backslashes > opening and text[candidate - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return candidate


def _unquote(value: str) -> str | None:
    """The value of a parameter: a token as is, a quoted string without its quotes and
    escapes; ``None`` if it is neither."""
    if not value.startswith('"'):
        return value if _TOKEN.fullmatch(value) else None
    if len(value) < 2 or not value.endswith('"'):
        return None
    inner = value[1:-1]
    if "\\" not in inner:
        return None if '"' in inner else inner
    chars: list[str] = []
    escaped = False
    for char in inner:
        if escaped:
            chars.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            return None  # an unescaped quote inside: two strings glued together
        else:
            chars.append(char)
    return None if escaped else "".join(chars)


def parse_quality(value: str) -> int | None:
    """``q`` in thousandths (``"0.5"`` -> 500), or ``None`` if it is not a valid qvalue."""
    if not _QUALITY.fullmatch(value):
        return None
    whole, _, fraction = value.partition(".")
    return int(whole) * MAX_QUALITY + int(fraction.ljust(3, "0"))


def _parse_element(element: str) -> MediaRange | None:
    """One ``Accept`` element (``type/subtype;p=v;q=0.5``), or ``None`` if it is malformed."""
    segments = split_unquoted(element, ";", MAX_PARAMETERS + 1)
    if len(segments) > MAX_PARAMETERS + 1:
        return None
    media_type, slash, subtype = segments[0].strip().lower().partition("/")
    if not slash or not _TOKEN.fullmatch(media_type) or not _TOKEN.fullmatch(subtype):
        return None
    if media_type == "*" and subtype != "*":
        return None  # "*/json" is not a media range
    params: list[tuple[str, str]] = []
    quality = MAX_QUALITY
    for segment in segments[1:]:
        name, equals, raw_value = segment.partition("=")
        name = name.strip().lower()
        if not equals or not _TOKEN.fullmatch(name):
            return None
        if name == "q":
            parsed = parse_quality(raw_value.strip())
            if parsed is None:
                return None
            quality = parsed
            break  # what follows q are accept extensions, not media type parameters
        value = _unquote(raw_value.strip())
        if value is None:
            return None
        params.append((name, value.lower()))
    return MediaRange(media_type, subtype, frozenset(params), quality)


def parse_accept(values: Iterable[str]) -> tuple[MediaRange, ...]:
    """The usable media ranges of every ``Accept`` header line, in order.

    An empty result means the client stated no usable preference (accept anything).
    """
    ranges: list[MediaRange] = []
    for element in _elements(values):
        if element and not element.isspace():
            parsed = _parse_element(element)
            if parsed is not None:
                ranges.append(parsed)
    return tuple(ranges)


def _elements(values: Iterable[str]) -> list[str]:
    """The first ``MAX_ELEMENTS`` comma-separated elements of a header's lines."""
    elements: list[str] = []
    for value in values:
        budget = MAX_ELEMENTS - len(elements)
        if budget <= 0:
            break
        elements.extend(split_unquoted(value, ",", budget)[:budget])
    return elements


@lru_cache(maxsize=256)
def _parse_offer(offer: str) -> MediaRange | None:
    """An offered media type, parsed like an ``Accept`` element. Offers come from the server
    (a few constants), so caching them is safe and saves most of ``best_match``'s work."""
    return _parse_element(offer)


def _score(ranges: tuple[MediaRange, ...], offer: str) -> tuple[int, int]:
    """``(quality, specificity)`` of ``offer`` under ``ranges``; quality 0 if unacceptable.

    The most specific matching range decides (the first of equally specific ones). An offer
    that is not a well-formed media type is never acceptable.
    """
    offered = _parse_offer(offer)
    if offered is None or offered.type == "*" or offered.subtype == "*":
        return 0, -1
    if not ranges:
        return MAX_QUALITY, -1
    best_quality = 0
    best_specificity = -1
    for accepted in ranges:
        if (
            (accepted.type == "*" or accepted.type == offered.type)
            and (accepted.subtype == "*" or accepted.subtype == offered.subtype)
            and accepted.params <= offered.params
        ):
            specificity = accepted.specificity
            if specificity > best_specificity:
                best_specificity = specificity
                best_quality = accepted.quality
    return best_quality, best_specificity


def accepts(ranges: tuple[MediaRange, ...], media_type: str) -> bool:
    """Whether ``media_type`` is acceptable (quality above zero) under ``ranges``."""
    return _score(ranges, media_type)[0] > 0


def best_match(ranges: tuple[MediaRange, ...], offers: Sequence[OfferT]) -> OfferT | None:
    """The acceptable offer with the highest quality, then the most specific match, then
    the earliest in ``offers``; ``None`` if no offer is acceptable."""
    return _best(offers, [_score(ranges, offer) for offer in offers])


def _best(offers: Sequence[OfferT], scores: list[tuple[int, int]]) -> OfferT | None:
    """The offer with the highest ``(quality, specificity)`` score above quality 0, the
    earliest on ties; the one choosing rule of every ``best_*`` function."""
    best: OfferT | None = None
    best_score = (0, -2)
    for offer, score in zip(offers, scores, strict=True):
        if score[0] > 0 and score > best_score:
            best = offer
            best_score = score
    return best


def parse_weighted(values: Iterable[str], grammar: re.Pattern[str]) -> tuple[tuple[str, int], ...]:
    """``(name, quality)`` of every element of comma lists such as ``Accept-Language``,
    ``Accept-Encoding`` or ``TE``: names lower-cased and matching ``grammar``; other parameters
    are ignored; malformed elements (bad name, bad ``q``) are dropped."""
    weighted: list[tuple[str, int]] = []
    for element in _elements(values):
        segments = split_unquoted(element, ";", MAX_PARAMETERS + 1)[: MAX_PARAMETERS + 1]
        name = segments[0].strip().lower()
        if not grammar.fullmatch(name):
            continue
        quality: int | None = MAX_QUALITY
        for segment in segments[1:]:
            key, _, raw_value = segment.partition("=")
            if key.strip().lower() == "q":
                quality = parse_quality(raw_value.strip())
                break
        if quality is not None:
            weighted.append((name, quality))
    return tuple(weighted)


def _language_score(ranges: tuple[tuple[str, int], ...], tag: str) -> tuple[int, int]:
    """``(quality, specificity)`` of language ``tag``: the longest matching range decides
    (``en`` matches ``en-GB``; ``*`` matches anything)."""
    tag = tag.lower()
    best_quality = 0
    best_specificity = -1
    for language, quality in ranges:
        if language == "*":
            specificity = 0
        elif tag == language or tag.startswith(language + "-"):
            specificity = language.count("-") + 1
        else:
            continue
        if specificity > best_specificity:
            best_quality, best_specificity = quality, specificity
    return best_quality, best_specificity


def best_language(values: Iterable[str], offers: Sequence[OfferT]) -> OfferT | None:
    """The language tag among ``offers`` that ``Accept-Language`` lines ``values`` prefer.

    Without a usable header every offer is acceptable and the first wins.
    """
    ranges = parse_weighted(values, _LANGUAGE_RANGE)
    if not ranges:
        return offers[0] if offers else None
    return _best(offers, [_language_score(ranges, offer) for offer in offers])


def _encoding_score(codings: dict[str, int], coding: str) -> tuple[int, int]:
    """``(quality, specificity)`` of content coding ``coding`` under listed ``codings``.

    A listed coding has its own quality; otherwise ``*`` decides. ``identity`` not excluded
    either way stays acceptable, at the lowest quality, so any coding the client listed
    wins over it (RFC 9110 section 12.5.3).
    """
    coding = _CODING_ALIASES.get(coding.lower(), coding.lower())
    if coding in codings:
        return codings[coding], 1
    if "*" in codings:
        return codings["*"], 0
    return (1, 0) if coding == "identity" else (0, -1)


def best_encoding(values: Iterable[str] | None, offers: Sequence[OfferT]) -> OfferT | None:
    """The content coding among ``offers`` (``"gzip"``, ``"br"``, ``"identity"``...) that
    ``Accept-Encoding`` lines ``values`` prefer; ``values`` is ``None`` without the header.

    No header accepts every coding (the first offer wins); a header listing nothing usable
    accepts only ``identity``.
    """
    if values is None:
        return offers[0] if offers else None
    codings: dict[str, int] = {}
    for name, quality in parse_weighted(values, _TOKEN):
        codings.setdefault(_CODING_ALIASES.get(name, name), quality)
    return _best(offers, [_encoding_score(codings, offer) for offer in offers])


def accepts_trailers(values: Iterable[str]) -> bool:
    """Whether ``TE`` header lines accept trailers: a ``trailers`` element (any case, anywhere
    in the comma list) whose ``q``, if given, is above zero."""
    return any(name == "trailers" and quality > 0 for name, quality in parse_weighted(values, _TOKEN))
