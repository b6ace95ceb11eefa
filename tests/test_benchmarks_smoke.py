"""The benchmark apps answer exactly like the raw ASGI floor (correctness only, no timing)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.cases import (
    CASES,
    HELLO_TEXT,
    PEERS,
    STREAM_CHUNKS,
    WS_MESSAGE,
    App,
    ConnectionScope,
    HTTPReceiver,
    NormalisedResponse,
    Recorder,
    WebSocketReceiver,
    case_by_name,
    http_scope,
    load_apps,
    normalise,
    peer_installed,
)
from benchmarks.inprocess import ASGIKIT018_DIR, TARGETS, compare, record, report, verify
from benchmarks.loadgen import check_loopback, read_response
from benchmarks.server_apps import dispatcher

from asgikit.asgi import Receive, ReceiveEvent, Send, SendEvent

RAW = load_apps("raw")
INSTALLED_PEERS = [peer for peer in PEERS if peer_installed(peer)]
OTHERS = {name: load_apps(name) for name in ("asgikit", *INSTALLED_PEERS)}
HTTP_CASES = [name for name in CASES if name != "websocket"]
IMPLEMENTATIONS = [
    "asgikit",
    *(
        pytest.param(
            peer,
            marks=pytest.mark.skipif(
                peer not in INSTALLED_PEERS,
                reason=f"{PEERS[peer]} is not installed here (the dev extra installs it)",
            ),
        )
        for peer in PEERS
    ),
]
"""asgikit and every peer; a peer missing from this Python's environment (the extra Pythons
of scripts/check_pythons.py install only the test extra) is skipped, with the reason."""


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("case", CASES)
def test_app_answers_like_the_raw_floor(case: str, implementation: str) -> None:
    expected = record(RAW[case], case_by_name(case))
    assert record(OTHERS[implementation][case], case_by_name(case)) == expected


def _exact(app: App, case: str) -> NormalisedResponse:
    sent = Recorder()
    bench_case = case_by_name(case)

    async def once() -> None:
        await app(bench_case.scope.copy(), bench_case.receiver(), sent)

    asyncio.run(once())
    return normalise(sent.events, exact_headers=True)


@pytest.mark.parametrize("case", HTTP_CASES)
def test_asgikit_sends_exactly_the_raw_headers(case: str) -> None:
    assert _exact(OTHERS["asgikit"][case], case) == _exact(RAW[case], case)


def test_raw_responses_are_the_documented_ones() -> None:
    assert record(RAW["plaintext"], case_by_name("plaintext")) == (
        200,
        b"text/plain",
        b"13",
        HELLO_TEXT.encode(),
    )
    assert record(RAW["stream"], case_by_name("stream")) == (
        200,
        b"text/plain",
        None,
        b"".join(STREAM_CHUNKS),
    )
    assert record(RAW["form_20"], case_by_name("form_20")) == (
        200,
        b"text/plain",
        b"21",
        "value 7 été & more!".encode(),
    )
    multipart = record(RAW["multipart_1m"], case_by_name("multipart_1m"))
    assert multipart[3] == b"asgikit:data.bin:1048576"
    websocket = record(RAW["websocket"], case_by_name("websocket"))
    assert websocket == ("websocket", "websocket.accept", *([WS_MESSAGE] * 2000))


def test_verify_reports_no_mismatch_for_the_suite() -> None:
    assert verify({"raw": RAW, **OTHERS}, ["plaintext", "json", "echo_json", "stream"]) == []


def test_verify_reports_a_wrong_answer() -> None:
    async def wrong(scope: ConnectionScope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"no"})

    problems = verify({"raw": RAW, "broken": {"plaintext": wrong}}, ["plaintext"])
    assert problems == [
        "plaintext: broken answered (500, b'', None, b'no'), raw (200, b'text/plain', b'13', b'Hello, World!')"
    ]


@pytest.mark.skipif(
    not (ASGIKIT018_DIR / "asgikit" / "__init__.py").exists(),
    reason="asgikit 0.18.2 is not installed in .bench/asgikit018 (python -m benchmarks.inprocess installs it)",
)
def test_asgikit_018_apps_answer_like_the_raw_floor_in_their_own_process() -> None:
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.inprocess",
            "--worker",
            "verify",
            "--cases",
            ",".join(CASES),
        ],
        cwd=repo,
        env={"PYTHONPATH": str(ASGIKIT018_DIR), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == '{"version": "0.18.2", "problems": []}'


async def test_http_receiver_hands_out_the_body_then_waits() -> None:
    events = case_by_name("echo_json").events
    receive = HTTPReceiver(events)
    assert await receive() is events[0]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(receive(), 0.01)


async def test_websocket_receiver_stamps_the_message_loop() -> None:
    receive = WebSocketReceiver(2)
    got: list[ReceiveEvent] = [await receive() for _ in range(4)]
    assert [event["type"] for event in got] == [
        "websocket.connect",
        "websocket.receive",
        "websocket.receive",
        "websocket.disconnect",
    ]
    assert 0 < receive.started_ns <= receive.ended_ns


def test_report_gives_each_measured_peer_a_column_pair_and_leaves_out_the_others() -> None:
    samples = {
        "plaintext": {
            "raw": [100.0, 100.0],
            "asgikit": [120.0, 120.0],
            "baize": [300.0, 300.0],
            "starlette": [200.0, 200.0],
        },
        "json": {"raw": [100.0, 100.0], "asgikit": [110.0, 110.0], "starlette": [150.0, 150.0]},
    }
    table, missed = report(samples, None, "0.18.2")
    header, separator, plaintext, small_json = table.splitlines()[:4]
    assert header == (
        "| case | unit | raw floor | asgikit | asgikit vs raw | target | result "
        "| Starlette | Starlette vs raw | baize | baize vs raw "
        "| asgikit 0.18.2 | 0.18.2 vs its raw |"
    )
    assert separator.count("|") == header.count("|")
    assert plaintext.split(" | ")[7:11] == ["200 ±0%", "2.00x", "300 ±0%", "3.00x"]
    assert small_json.split(" | ")[7:11] == ["150 ±0%", "1.50x", "n/a", ""]
    assert missed == 0


def test_targets_compare_in_the_right_direction() -> None:
    assert TARGETS["plaintext"].met(1.25)
    assert not TARGETS["plaintext"].met(1.26)
    assert TARGETS["multipart_1m"].met(0.9)
    assert not TARGETS["multipart_1m"].met(0.89)
    assert TARGETS["multipart_50m"].met(0.6)
    assert not TARGETS["multipart_50m"].met(0.59)
    assert TARGETS["websocket"].met(200.0)
    assert not TARGETS["websocket"].met(201.0)


def test_comparisons_pair_batches_with_the_floor() -> None:
    floor = [100.0, 200.0, 100.0]
    assert compare(case_by_name("plaintext"), [150.0, 260.0, 120.0], floor) == 1.3
    assert compare(case_by_name("multipart_1m"), [125.0, 250.0, 200.0], floor) == 0.8
    assert compare(case_by_name("websocket"), [150.0, 230.0, 190.0], floor) == 50.0


async def test_server_dispatcher_answers_404_and_completes_lifespan() -> None:
    app = dispatcher(RAW)
    sent = Recorder()
    await app(http_scope(path="/missing"), HTTPReceiver(()), sent)
    assert sent.events == [
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"9")],
        },
        {"type": "http.response.body", "body": b"not found"},
    ]
    lifespan: list[ReceiveEvent] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    replies: list[SendEvent] = []

    async def receive() -> ReceiveEvent:
        return lifespan.pop(0)

    async def send(event: SendEvent) -> None:
        replies.append(event)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert replies == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]


async def test_load_generator_reads_length_and_chunked_responses() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
        b"HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
    )
    assert await read_response(reader) == (200, b"ok", True)
    assert await read_response(reader) == (201, b"abcde", True)
    assert await read_response(reader) == (400, b"", False)


def test_load_generator_refuses_non_loopback_targets() -> None:
    check_loopback("127.0.0.1")
    check_loopback("::1")
    with pytest.raises(ValueError, match="only ever sent to loopback"):
        check_loopback("10.0.0.1")


def test_uvicorn_driven_suite_completes_every_request() -> None:
    from benchmarks.uvicorn_driven import measure as measure_driven

    samples = measure_driven(["plaintext", "echo"], ["raw", "asgikit"], rounds=2, requests=5)
    assert sorted(samples) == ["echo", "plaintext"]
    for by_impl in samples.values():
        assert sorted(by_impl) == ["asgikit", "raw"]
        assert all(len(values) == 2 and min(values) > 0 for values in by_impl.values())


def test_cold_suite_times_every_implementation_hot_and_with_each_eviction() -> None:
    from benchmarks.cold import IMPLEMENTATIONS, report, run_cold

    results = run_cold(["plaintext"], reps=2, count=3, evict_kib=[16, 64])
    assert list(results) == ["plaintext"]
    assert list(results["plaintext"]) == ["hot", "16 KiB", "64 KiB"]
    for by_impl in results["plaintext"].values():
        assert sorted(by_impl) == sorted(IMPLEMENTATIONS)
        assert all(len(values) == 2 and min(values) > 0 for values in by_impl.values())
    table = report(results).splitlines()
    assert [row.split(" | ")[1] for row in table[2:]] == ["nothing", "16 KiB", "64 KiB"]
