"""Content negotiation: parse ``Accept`` and choose among the media types a server offers.

Pure HTTP (RFC 9110 sections 12.4 and 12.5.1); knows nothing of ASGI and never raises for bad
input. A malformed element of the header (no ``/``, a bad token, a bad ``q``, an unterminated
quote...) is ignored on its own; a header with no usable element at all counts as absent,
which means "anything is acceptable". Every step is linear in the length of the header.

How an offer is scored: among the media ranges that match it, the most specific one decides
its quality (``type/subtype`` with parameters, then ``type/subtype``, then ``type/*``, then
``*/*``); ``q=0`` makes it unacceptable. ``best_match`` picks the highest quality, then the
more specific match, then the server's own order of offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple, TypeVar, final

__all__ = ["MediaRange", "accepts", "accepts_trailers", "best_match", "parse_accept"]

OfferT = TypeVar("OfferT", bound=str)
"""An offered media type; ``best_match`` returns the caller's own (possibly ``Literal``) type."""

MAX_QUALITY: Final = 1000
"""``q=1`` in thousandths: qualities are compared as exact integers, never as floats."""

_TOKEN: Final = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
"""An RFC 9110 token, lower-cased (callers lower-case before matching)."""

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


def split_unquoted(text: str, separator: str) -> list[str]:
    """Split ``text`` on ``separator`` where it is not inside a quoted string.

    Backslash escapes inside quotes are honoured; an unterminated quote runs to the end of
    the text (that element is malformed and is dropped later). One pass, so linear.
    """
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    start = 0
    quoted = escaped = False
    for index, char in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == separator:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


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
    segments = split_unquoted(element, ";")
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
    for value in values:
        for element in split_unquoted(value, ","):
            if element and not element.isspace():
                parsed = _parse_element(element)
                if parsed is not None:
                    ranges.append(parsed)
    return tuple(ranges)


def _score(ranges: tuple[MediaRange, ...], offer: str) -> tuple[int, int]:
    """``(quality, specificity)`` of ``offer`` under ``ranges``; quality 0 if unacceptable.

    The most specific matching range decides (the first of equally specific ones). An offer that is not a well-formed media type is never acceptable.
    """
    offered = _parse_element(offer)
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
    best: OfferT | None = None
    best_score = (0, -2)
    for offer in offers:
        score = _score(ranges, offer)
        if score[0] > 0 and score > best_score:
            best = offer
            best_score = score
    return best


def accepts_trailers(values: Iterable[str]) -> bool:
    """Whether ``TE`` header lines accept trailers: a ``trailers`` element (any case, anywhere
    in the comma list) whose ``q``, if given, is above zero."""
    for value in values:
        for element in split_unquoted(value, ","):
            segments = split_unquoted(element, ";")
            if segments[0].strip().lower() != "trailers":
                continue
            quality = MAX_QUALITY
            for segment in segments[1:]:
                name, _, raw_value = segment.partition("=")
                if name.strip().lower() == "q":
                    quality = parse_quality(raw_value.strip()) or 0
            if quality > 0:
                return True
    return False
