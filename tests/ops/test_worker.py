"""service/web/worker.py: when a buffered request is whole, oversized, or still arriving."""

from __future__ import annotations

import pytest

from service.web.worker import COMPLETE, NEED_MORE, OVERSIZED, Inbox, request_state

HEAD = b"POST /v1/check HTTP/1.1\r\nHost: x\r\n"


def state(buf: bytes) -> str:
    return request_state(buf, max_body=100, max_head=200)


@pytest.mark.parametrize(
    ("buf", "expected"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n", NEED_MORE),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", COMPLETE),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 300, OVERSIZED),
        (HEAD + b"Content-Length: 5\r\n\r\nabc", NEED_MORE),
        (HEAD + b"content-length:5\r\n\r\nabcde", COMPLETE),
        (HEAD + b"Content-Length: 101\r\n\r\n", OVERSIZED),
        (HEAD + b"Content-Length: x\r\n\r\n", COMPLETE),  # gunicorn's parser answers 400
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nab", NEED_MORE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n", NEED_MORE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", COMPLETE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n\r\n", COMPLETE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n64\r\n" + b"a" * 60, NEED_MORE),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\n65\r\n" + b"a" * 101, OVERSIZED),
        (HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", COMPLETE),
    ],
    ids=[
        "head-arriving",
        "no-body",
        "head-too-long",
        "body-arriving",
        "body-whole",
        "body-too-long",
        "bad-length",
        "chunk-arriving",
        "last-chunk-arriving",
        "chunked-whole",
        "chunked-trailer",
        "big-chunk-arriving",
        "chunked-too-long",
        "bad-chunk-size",
    ],
)
def test_request_state(buf: bytes, expected: str) -> None:
    assert state(buf) == expected


@pytest.mark.parametrize(
    "request_bytes",
    [
        HEAD + b"Content-Length: 40\r\n\r\n" + b"a" * 40,
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n3;x=1\r\nfgh\r\n0\r\n\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-Trailer: y\r\n\r\n",
    ],
    ids=["length", "chunked", "trailer"],
)
def test_inbox_fed_a_byte_at_a_time_agrees(request_bytes: bytes) -> None:
    # The incremental reader must say "complete" exactly at the last byte, as a whole read.
    inbox = Inbox(max_body=100, max_head=200)
    states = [inbox.add(request_bytes[i : i + 1]) for i in range(len(request_bytes))]
    assert states[-1] == COMPLETE and set(states[:-1]) == {NEED_MORE}
    assert request_state(request_bytes, max_body=100, max_head=200) == COMPLETE
