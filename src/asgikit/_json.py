"""JSON encoding and decoding through msgspec, with reusable encoder/decoder objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias, TypeVar, cast

import msgspec

__all__ = ["JSON_ENCODER", "EncHook", "JSONValue", "decode_json", "decoder_for", "encode_json"]

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"
"""Any value a JSON document can decode to."""

EncHook: TypeAlias = Callable[[object], object]
"""msgspec ``enc_hook``: turns an unsupported object into one msgspec can encode."""

_T = TypeVar("_T")

JSON_ENCODER: Final = msgspec.json.Encoder()
"""The shared compact encoder (encoder reuse is much faster than ``msgspec.json.encode``)."""
_ANY_DECODER: msgspec.json.Decoder[JSONValue] = msgspec.json.Decoder()
_decoders: dict[object, object] = {}


def encode_json(value: object, enc_hook: EncHook | None = None) -> bytes:
    """Serialise ``value`` to compact JSON. Raises ``TypeError`` for unsupported objects."""
    if enc_hook is None:
        return JSON_ENCODER.encode(value)
    return msgspec.json.encode(value, enc_hook=enc_hook)


def decoder_for(type_: type[_T]) -> msgspec.json.Decoder[_T]:
    """A cached decoder validating into ``type_`` (decoder reuse is much faster)."""
    found = _decoders.get(type_)
    if found is None:
        found = msgspec.json.Decoder(type_)
        if len(_decoders) < 256:
            _decoders[type_] = found
    return cast("msgspec.json.Decoder[_T]", found)


def decode_json(data: bytes | str) -> JSONValue:
    """Decode a JSON document into plain Python values.

    Raises ``msgspec.DecodeError`` on malformed input; callers map it to their own error.
    """
    return _ANY_DECODER.decode(data)
