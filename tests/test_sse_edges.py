"""Server-sent events read back by a WHATWG event-stream parser give exactly what was sent, and
every line break (CR alone, LF alone) in ``event`` or ``id`` is refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgikit._sse import ServerSentEvent, format_sse_event


def parse_event_stream(stream: bytes) -> list[dict[str, str]]:
    """The events a browser dispatches (HTML 9.2.6), with every field it saw, plus comments."""
    events: list[dict[str, str]] = []
    current: dict[str, str] = {}
    data: list[str] = []
    for line in re.split(r"\r\n|\r|\n", stream.decode("utf-8"))[:-1]:
        if not line:
            if data:
                current["data"] = "\n".join(data)
            events.append(current)
            current, data = {}, []
            continue
        name, colon, value = line.partition(":")
        value = value.removeprefix(" ") if colon else ""
        if name == "":
            current["comment"] = current.get("comment", "") + value + "|"
        elif name == "data":
            data.append(value)
        else:
            assert name not in current, f"field {name} sent twice"
            current[name] = value
    assert not current and not data, "the event must end with a blank line"
    return events


SINGLE_LINE = st.text(st.characters(exclude_characters="\r\n\x00", codec="utf-8"), max_size=12)
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)


@given(
    data=st.none() | ANY_TEXT,
    event=st.none() | SINGLE_LINE,
    id=st.none() | SINGLE_LINE,
    retry=st.none() | st.integers(min_value=0, max_value=10**9),
)
def test_every_field_reads_back_exactly(
    data: str | None, event: str | None, id: str | None, retry: int | None
) -> None:
    stream = format_sse_event(data, event=event, id=id, retry=retry)
    assert stream.endswith(b"\n\n") or stream == b"\n"
    expected: dict[str, str] = {}
    if event is not None:
        expected["event"] = event
    if id is not None:
        expected["id"] = id
    if retry is not None:
        expected["retry"] = str(retry)
    if data is not None:
        expected["data"] = "\n".join(re.split(r"\r\n|\r|\n", data))
    assert parse_event_stream(stream) == [expected]
    assert ServerSentEvent(data, event=event, id=id, retry=retry).encode() == stream


@given(comment=ANY_TEXT)
def test_comments_become_one_ignored_line_per_line(comment: str) -> None:
    lines = re.split(r"\r\n|\r|\n", comment)
    assert parse_event_stream(format_sse_event(comment=comment)) == [
        {"comment": "".join(line + "|" for line in lines)}
    ]


@pytest.mark.parametrize("field", ["event", "id"])
@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "\r\n", "x\r", "\ny"])
def test_cr_or_lf_alone_in_event_or_id_is_refused(field: str, bad: str) -> None:
    with pytest.raises(ValueError, match=f"server-sent event {field} must not contain CR or LF"):
        if field == "event":
            format_sse_event("x", event=bad)
        else:
            format_sse_event("x", id=bad)


def test_nul_in_id_is_refused_but_allowed_in_event_and_data() -> None:
    with pytest.raises(ValueError, match="NUL"):
        format_sse_event("x", id="a\x00b")
    assert format_sse_event("a\x00b", event="e\x00") == b"event: e\x00\ndata: a\x00b\n\n"


def test_retry_zero_is_allowed_and_minus_one_is_refused() -> None:
    assert format_sse_event(retry=0) == b"retry: 0\n\n"
    assert format_sse_event(retry=1) == b"retry: 1\n\n"
    with pytest.raises(ValueError, match="retry"):
        format_sse_event(retry=-1)


def test_empty_event_and_id_are_sent_as_empty_fields() -> None:
    assert format_sse_event(event="", id="") == b"event: \nid: \n\n"
