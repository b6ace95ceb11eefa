"""JSON encoding and decoding through msgspec, with reusable encoder/decoder objects.

Every decoding failure, whatever msgspec or the interpreter raises for bad input (malformed
JSON, invalid UTF-8, a value that does not match the target type, nesting deep enough to hit
the recursion limit), comes out of ``decode_json`` as one ``JSONDecodeFailure``, so each
reader maps exactly one exception to its own documented error. Encoding raises ``TypeError``
for unsupported objects and ``ValueError`` for values nested too deeply (or cyclic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias, TypeVar, cast, final, overload

import msgspec
from typing_extensions import TypeForm

__all__ = [
    "JSON_ENCODE",
    "JSON_ENCODER",
    "EncHook",
    "JSONDecodeFailure",
    "JSONValue",
    "decode_json",
    "decoder_for",
    "encode_json",
]

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""Any value a JSON document can decode to."""

EncHook: TypeAlias = Callable[[object], object]
"""msgspec ``enc_hook``: turns an unsupported object into one msgspec can encode."""

_T = TypeVar("_T")

JSON_ENCODER: Final = msgspec.json.Encoder()
"""The shared compact encoder (encoder reuse is much faster than ``msgspec.json.encode``)."""
JSON_ENCODE: Final = JSON_ENCODER.encode
"""``JSON_ENCODER.encode``, bound once for the hot paths: on CPython 3.11, calling a method of a
module-level object builds a bound method object on every call (~200 instructions)."""

MAX_CACHED_DECODERS: Final = 256
"""Typed decoders kept for reuse; further target types get a fresh decoder per call."""

_ANY_DECODER: Final[msgspec.json.Decoder[JSONValue]] = msgspec.json.Decoder()
_decode_any: Final = _ANY_DECODER.decode  # bound once, as JSON_ENCODE
_decoders: dict[object, msgspec.json.Decoder[object]] = {}


@final
class JSONDecodeFailure(Exception):
    """Internal: a JSON document could not be decoded (readers map it to their own error).

    ``mismatch`` is true when the document is well-formed JSON that does not match the
    target type; ``str(failure)`` says what went wrong, in msgspec's words where it has them.
    """

    def __init__(self, detail: str, *, mismatch: bool) -> None:
        super().__init__(detail)
        self.mismatch = mismatch


def encode_json(value: object, enc_hook: EncHook | None = None) -> bytes:
    """Serialise ``value`` to compact JSON.

    Raises ``TypeError`` for unsupported objects and ``ValueError`` for a value nested
    deeper than the interpreter's recursion limit allows (a reference cycle is one).
    """
    try:
        if enc_hook is None:
            return JSON_ENCODE(value)
        return msgspec.json.encode(value, enc_hook=enc_hook)
    except RecursionError:
        raise ValueError(
            "the value is nested too deeply to encode as JSON (or contains a reference cycle)"
        ) from None


def decoder_for(type_: TypeForm[_T]) -> msgspec.json.Decoder[_T]:
    """A decoder validating into ``type_``, cached per type form (reuse is much faster).

    Unhashable type forms (an ``Annotated`` with unhashable metadata) get a fresh decoder.
    Raises ``TypeError`` for a type msgspec cannot decode into: a caller's bug, not bad input.
    """
    try:
        found = _decoders.get(type_)
    except TypeError:
        return msgspec.json.Decoder(cast("type[_T]", type_))
    if found is None:
        found = msgspec.json.Decoder(cast("type[object]", type_))
        if len(_decoders) < MAX_CACHED_DECODERS:
            _decoders[type_] = found
    return cast("msgspec.json.Decoder[_T]", found)


@overload
def decode_json(data: bytes | str, type_: None = None) -> JSONValue: ...
@overload
def decode_json(data: bytes | str, type_: TypeForm[_T]) -> _T: ...
def decode_json(data: bytes | str, type_: TypeForm[_T] | None = None) -> _T | JSONValue:
    """Decode a JSON document into plain JSON values, or validated into ``type_``.

    Raises ``JSONDecodeFailure`` for every kind of bad input, including nesting deep enough
    to exhaust the recursion limit (100,000 ``[`` fit in a 1 MiB message).
    """
    try:
        if type_ is None:
            return _decode_any(data)
        try:  # the hot path is one dict lookup, no extra call
            cached = _decoders.get(type_)
        except TypeError:  # an unhashable type form
            cached = None
        if cached is None:
            return decoder_for(type_).decode(data)
        return cast("msgspec.json.Decoder[_T]", cached).decode(data)
    except msgspec.ValidationError as exc:
        # Untyped decoding raises it only for numbers out of range: malformed, not a mismatch.
        raise JSONDecodeFailure(str(exc), mismatch=type_ is not None) from None
    except (msgspec.DecodeError, UnicodeError) as exc:
        raise JSONDecodeFailure(str(exc), mismatch=False) from None
    except RecursionError:
        raise JSONDecodeFailure("nested too deeply", mismatch=False) from None
