"""gunicorn's threaded worker, made to read each request whole before a thread serves it.

gunicorn's ``gthread`` worker hands a connection to a thread as soon as it is readable, and
the thread then reads the request with blocking calls: a client that sends its headers or
body a byte a second holds that thread for as long as it likes, and a few such clients
hold every thread of every worker (issue 13: 4 slow connections stalled 2 workers × 2
threads). Here the worker's event loop reads the request instead, without blocking, into a
buffer; only a complete request (headers and body) goes to a thread, which then never
waits for the client. A request not complete within ``FACTCHECK_READ_TIMEOUT`` seconds is
answered ``408`` and closed. The answer goes the same way back: the thread writes it to an
:class:`Outbox`, and the event loop sends it as the client takes it, closing the
connection of a client that has not taken it within the same time; so a client that reads
slowly, or never, holds no thread either.

Bounds: a request body over ``FACTCHECK_MAX_BODY_BYTES`` goes to a thread as soon as that
is known (the app answers ``413`` without reading on), and the connection is then closed
rather than drained; headers over gunicorn's own limits go to gunicorn's parser, which
refuses them (as ``application/problem+json``, like every other error). All the request
buffers of one worker hold at most ``BUFFERED_BYTES``; past that, the connection that
would exceed it is closed. An answer over ``OUTBOX_BYTES``, and every answer while the
loop holds ``OUTBOXES_BYTES`` not yet taken, is written by its thread (with the timeout).
"""

from __future__ import annotations

import json
import re
import select
import selectors
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from service.web.config import Config

# All request buffers of one worker together (bytes): 64 full 1 MiB bodies.
BUFFERED_BYTES = 64 * 1024 * 1024
# The largest answer a thread hands to the event loop to send; a bigger one it sends itself,
# as it does every answer while the loop holds OUTBOXES_BYTES of answers not yet taken.
OUTBOX_BYTES = 8 * 1024 * 1024
OUTBOXES_BYTES = 64 * 1024 * 1024
RECV_BYTES = 65_536
HEAD_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\S*)[ \t]*$", re.I | re.M)
_CHUNKED = re.compile(rb"^transfer-encoding[ \t]*:.*chunked", re.I | re.M)
_EXPECT_CONTINUE = re.compile(rb"^expect[ \t]*:[ \t]*100-continue", re.I | re.M)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
TIMED_OUT_BODY = (
    b'{"type":"about:blank","title":"Request Timeout","status":408,'
    b'"detail":"The request was not received in time."}'
)
TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
    b"Content-Type: application/problem+json\r\n"
    b"Content-Length: " + str(len(TIMED_OUT_BODY)).encode() + b"\r\n\r\n" + TIMED_OUT_BODY
)

# What request_state() says of a buffer.
NEED_MORE, COMPLETE, OVERSIZED = "need more", "complete", "oversized"


class Inbox:
    """The bytes of a request as they arrive, and whether they make a whole request yet.

    Parsing resumes where it stopped (the end of the head searched so far, the chunks
    already walked), so a request trickled in many small pieces costs work linear in its
    size, not quadratic.
    """

    def __init__(self, data: bytes = b"", *, max_body: int, max_head: int) -> None:
        self.buf = bytearray(data)
        self.max_body, self.max_head = max_body, max_head
        self.body_at = -1  # where the body starts, once the head is whole
        self.searched = 0  # the head end was looked for up to here
        self.need: int | None = None  # the whole request's length (Content-Length)
        self.chunked = False
        self.chunk_at = 0  # the next chunk's size line starts here (in the body)
        self.chunk_total = 0  # bytes of the chunks walked so far

    def __len__(self) -> int:
        return len(self.buf)

    def add(self, data: bytes) -> str:
        self.buf += data
        return self.state()

    def state(self) -> str:
        """``NEED_MORE``, ``COMPLETE``, or ``OVERSIZED`` (head or body over its limit: a
        thread should refuse it now). A malformed head or body length is ``COMPLETE``:
        gunicorn's parser refuses it."""
        if self.body_at < 0:
            end = self.buf.find(HEAD_END, max(0, self.searched - len(HEAD_END) + 1))
            self.searched = len(self.buf)
            if end < 0:
                return OVERSIZED if len(self.buf) > self.max_head else NEED_MORE
            self.body_at = end + len(HEAD_END)
            verdict = self._read_head(bytes(self.buf[:end]))
            if verdict is not None:
                return verdict
        if self.chunked:
            return self._walk_chunks()
        assert self.need is not None
        return COMPLETE if len(self.buf) >= self.need else NEED_MORE

    def _read_head(self, head: bytes) -> str | None:
        """Note how the body's end is known; a state when it is already decided."""
        if _CHUNKED.search(head):
            self.chunked = True
            return None
        lengths = _CONTENT_LENGTH.findall(head)
        if not lengths:
            self.need = self.body_at
            return None
        if len(lengths) > 1 or not lengths[0].isdigit():
            self.need = 0
            return COMPLETE  # gunicorn answers 400
        length = int(lengths[0])
        self.need = self.body_at + length
        return OVERSIZED if length > self.max_body else None

    def _walk_chunks(self) -> str:
        data = memoryview(self.buf)[self.body_at :]
        while True:
            at = self.chunk_at
            line_end = self.buf.find(b"\r\n", self.body_at + at) - self.body_at
            if line_end < 0:
                return NEED_MORE if len(data) - at <= 1024 else COMPLETE
            size_text = bytes(data[at:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return COMPLETE  # gunicorn answers 400
            start = line_end + 2
            if size == 0:
                # Trailers (usually none), then an empty line; gunicorn refuses too many.
                if len(data) - start > self.max_head:
                    return COMPLETE
                whole = HEAD_END in b"\r\n" + bytes(data[start:])
                return COMPLETE if whole else NEED_MORE
            # Oversized once more than the limit has arrived: the app then reads only
            # bytes already buffered before it refuses the body.
            if self.chunk_total + min(size, len(data) - start) > self.max_body:
                return OVERSIZED
            if len(data) < start + size + 2:
                return NEED_MORE
            self.chunk_total += size
            self.chunk_at = start + size + 2


def request_state(buf: bytes, *, max_body: int, max_head: int) -> str:
    """Whether ``buf`` starts with a whole HTTP/1.x request (see :meth:`Inbox.state`)."""
    return Inbox(buf, max_body=max_body, max_head=max_head).state()


def write_problem(sock: Any, status: int, reason: str, message: str) -> None:
    """gunicorn's own error answers (400, 414, 431…) as problem+json, not its HTML page."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": reason,
            "status": status,
            "detail": message or "The server hit an unexpected error.",
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class Outbox:
    """Stands for the client's socket while the app answers: keeps what it writes.

    The worker's event loop then sends it, so a client that reads its answer slowly (or
    never) holds no thread. Past ``limit`` bytes (an unusually big answer) it sends what
    it holds and writes the rest itself, through the real socket, with its timeout.
    """

    def __init__(self, sock: Any, limit: int) -> None:
        self.sock = sock
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.direct = False

    def sendall(self, data: bytes) -> None:
        if self.direct:
            self.sock.sendall(data)
            return
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size > self.limit:
            self.direct = True
            self.sock.sendall(self.take())

    def send(self, data: bytes) -> int:
        self.sendall(data)
        return len(data)

    def take(self) -> bytes:
        held, self.parts, self.size = b"".join(self.parts), [], 0
        return held

    def __getattr__(self, name: str) -> Any:  # fileno, gettimeout, shutdown…
        return getattr(self.sock, name)


class BufferedThreadWorker(ThreadWorker):
    """``gthread`` whose event loop reads each request whole (see the module docstring)."""

    def init_process(self) -> None:
        settings = Config.from_env()
        self.read_timeout = float(settings.read_timeout)
        self.max_body = settings.max_body_bytes
        cfg = self.cfg
        self.max_head = (
            cfg.limit_request_line
            + cfg.limit_request_fields * (cfg.limit_request_field_size + 2)
            + len(HEAD_END)
        )
        self.reading: deque[Any] = deque()
        self.writing: deque[Any] = deque()
        self.buffered = 0
        self.outboxed = 0  # bytes of answers the event loop holds
        # Answers go through Outbox: a file is read and written as bytes, not sendfile().
        cfg.set("sendfile", False)
        # gunicorn's Worker.handle_error writes through this function; in this worker
        # process (never in the master), it writes the service's error shape instead.
        util.write_error = write_problem
        super().init_process()

    def set_accept_enabled(self, enabled: bool) -> None:
        """When the worker stops, also take the connections already queued on its own
        listening socket, then close it (see :meth:`leave_listeners`)."""
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            self.leave_listeners()

    def leave_listeners(self) -> None:
        """Accept what is queued on each listening socket, then close it.

        With a socket per worker (``reuse_port``) the kernel keeps queueing new connections
        on a stopping worker's socket as long as it is open, and resets them when it closes:
        during a reload (new workers serving, old ones finishing) those clients would fail.
        Closed at once, the socket leaves the group and the other workers get them.
        """
        for listener in self.sockets:
            listener.setblocking(False)
            while select.select([listener], [], [], 0)[0]:
                before = self.nr_conns
                self.accept(listener)
                if self.nr_conns == before:
                    break  # nothing was there after all (taken or aborted)
            listener.close()
        self.sockets = []

    def enqueue_req(self, conn: Any) -> None:
        """Serve ``conn`` in a thread once its request is whole; until then, read it here."""
        if getattr(conn, "whole", False):
            conn.whole = False
            super().enqueue_req(conn)
            return
        ahead = b""
        if conn.parser is not None:  # pipelined bytes read ahead with the last request
            ahead = conn.parser.unreader.take_buffered()
        inbox = Inbox(ahead, max_body=self.max_body, max_head=self.max_head)
        conn.inbox, conn.oversized, conn.continued = inbox, False, False
        conn.read_deadline = time.monotonic() + self.read_timeout
        conn.sock.setblocking(False)
        self.buffered += len(inbox)
        self.reading.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read, conn))
        if inbox:
            self._advance(conn, inbox.state())

    def on_client_socket_readable(self, conn: Any, client: Any) -> None:
        """A kept-alive connection has a new request: read it in the loop too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self.enqueue_req(conn)

    def _read(self, conn: Any, client: Any) -> None:
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data or self.buffered + len(data) > BUFFERED_BYTES:
            self._drop(conn)
            return
        self.buffered += len(data)
        self._advance(conn, conn.inbox.add(data))

    def _advance(self, conn: Any, state: str) -> None:
        inbox = conn.inbox
        if state == NEED_MORE:
            if not conn.continued and inbox.body_at >= 0:
                conn.continued = True  # the head is whole: answer its Expect, once
                if _EXPECT_CONTINUE.search(bytes(inbox.buf[: inbox.body_at])):
                    try:
                        conn.sock.send(CONTINUE)
                    except OSError:
                        pass
            return
        self._stop_reading(conn)
        conn.oversized = state == OVERSIZED
        conn.whole = True
        super().enqueue_req(conn)

    def _stop_reading(self, conn: Any) -> None:
        self.reading.remove(conn)
        self.buffered -= len(conn.inbox)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _drop(self, conn: Any, answer: bytes = b"") -> None:
        self._stop_reading(conn)
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also answer 408 to connections whose request is late, and close those whose
        client has not taken its answer in time."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading and self.reading[0].read_deadline <= now:
            self._drop(self.reading[0], TIMED_OUT)
        while self.writing and self.writing[0].write_deadline <= now:
            conn = self.writing.popleft()
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
            self.outboxed -= conn.outbox_size
            self.nr_conns -= 1
            conn.close()

    def finish_request(self, conn: Any, fs: Any) -> None:
        """Send the answer the thread left, from the event loop, then carry on as gthread."""
        pending, conn.outbox = getattr(conn, "outbox", b""), b""
        if pending and not fs.cancelled() and fs.exception() is None:
            conn.sock.setblocking(False)
            conn.write_deadline = time.monotonic() + self.read_timeout
            conn.outbox_size = len(pending)
            self.outboxed += len(pending)
            self._write(conn, memoryview(pending), fs)
            return
        super().finish_request(conn, fs)

    def _write(self, conn: Any, data: memoryview, fs: Any) -> None:
        try:
            sent = conn.sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self.outboxed -= conn.outbox_size
            self.nr_conns -= 1
            conn.close()
            return
        data = data[sent:]
        if not len(data):
            self.outboxed -= conn.outbox_size
            super().finish_request(conn, fs)
            return
        self.writing.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_WRITE, partial(self._writable, conn, data, fs)
        )

    def _writable(self, conn: Any, data: memoryview, fs: Any, client: Any) -> None:
        self.poller.unregister(client)
        self.writing.remove(conn)
        self._write(conn, data, fs)

    def handle(self, conn: Any) -> Any:
        """Serve the request read by the loop: the parser starts on the buffered bytes."""
        inbox = bytes(conn.inbox.buf)
        conn.inbox = Inbox(max_body=self.max_body, max_head=self.max_head)
        conn.data_ready = True
        try:
            conn.sock.setblocking(True)
            conn.init()
        except Exception:
            return super().handle(conn)
        conn.parser.unreader.unread(inbox)
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> bool:
        # The app writes its answer to an Outbox, sent later by the event loop; a deadline
        # on every real socket call from here (an answer too big for the outbox, an
        # oversized body the app left unread) bounds what the thread can wait for.
        real = conn.sock
        real.settimeout(self.read_timeout)
        conn.outbox = b""
        # (outboxed is read without a lock: an estimate, which is all a bound needs.)
        room = OUTBOX_BYTES if self.outboxed < OUTBOXES_BYTES else 0
        conn.sock = outbox = Outbox(real, room)
        try:
            keep = super().handle_request(req, conn)
        finally:
            conn.sock = real
        conn.outbox = outbox.take()
        return keep

    def _keepalive_after(self, conn: Any, keepalive: bool) -> bool:
        # An oversized body was refused unread: close rather than drain it.
        if conn.oversized or not keepalive:
            return False
        # A body the app left unread (a 503 before parsing, say) is already in memory:
        # draining it reads no socket, so gthread's 64 KiB cap (after which it closes the
        # connection, silently for the client) is not needed up to the body limit.
        deadline = time.monotonic() + self.read_timeout
        return bool(conn.parser.finish_body(deadline=deadline, max_bytes=self.max_body))
