"""Server-sent event formatting."""

from __future__ import annotations

import dataclasses

import pytest

from asgikit._sse import ServerSentEvent, format_sse_event


def test_data_only_event() -> None:
    assert format_sse_event("hello") == b"data: hello\n\n"


def test_all_fields_in_a_fixed_order() -> None:
    assert (
        format_sse_event("payload", event="update", id="42", retry=1500, comment="note")
        == b": note\nevent: update\nid: 42\nretry: 1500\ndata: payload\n\n"
    )


def test_multiline_data_becomes_several_data_lines() -> None:
    assert format_sse_event("a\nb\r\nc\rd") == b"data: a\ndata: b\ndata: c\ndata: d\n\n"


def test_empty_data_and_trailing_newline_are_preserved() -> None:
    assert format_sse_event("") == b"data: \n\n"
    assert format_sse_event("a\n") == b"data: a\ndata: \n\n"


def test_leading_space_in_data_survives_the_parser_stripping_one_space() -> None:
    assert format_sse_event(" indented") == b"data:  indented\n\n"


def test_no_data_field_when_data_is_none() -> None:
    assert format_sse_event(comment="keep-alive") == b": keep-alive\n\n"
    assert format_sse_event(retry=0) == b"retry: 0\n\n"
    assert format_sse_event() == b"\n"


def test_multiline_comment_is_one_comment_line_each() -> None:
    assert format_sse_event(comment="a\nb") == b": a\n: b\n\n"


def test_empty_id_resets_the_last_event_id() -> None:
    assert format_sse_event("x", id="") == b"id: \ndata: x\n\n"


def test_non_ascii_is_utf8() -> None:
    assert format_sse_event("héllo €", event="ñ") == "event: ñ\ndata: héllo €\n\n".encode()


def test_negative_retry_is_rejected() -> None:
    with pytest.raises(ValueError, match="retry"):
        format_sse_event("x", retry=-1)


def test_server_sent_event_encodes_like_format_sse_event() -> None:
    event = ServerSentEvent("a\nb", event="e", id="1", retry=10, comment="c")
    assert event.encode() == format_sse_event("a\nb", event="e", id="1", retry=10, comment="c")
    assert ServerSentEvent().encode() == b"\n"


def test_server_sent_event_is_frozen() -> None:
    event = ServerSentEvent("x")
    field = "data"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(event, field, "y")
