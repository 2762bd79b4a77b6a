"""Bounded probes of hostile traffic against the real server, started as the README starts it.

Every loop is bounded in count and in time, and all traffic goes to 127.0.0.1 (issue 13).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from serving import (
    SEEDS,
    START_TIMEOUT,
    Server,
    bench_module,
    clean_env,
    free_port,
    gunicorn_server,
)

# The review text of the "greedy reviews" attack, as bench/hostile.py sends it.
greedy_text = bench_module("hostile").greedy_text

pytestmark = pytest.mark.server

CLAIM = {"claim": "Armenia said 49 of its soldiers were killed."}
SLOW_REQUEST = (
    b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 52\r\n\r\n" + b'{"claim": "Armenia said 49 soldiers were killed."}'
)


def ordinary_checks(server: Server, count: int, *, timeout: float = 3.0) -> list[float]:
    """Seconds each of ``count`` ordinary checks took; fails on any error or timeout."""
    took = []
    with requests.Session() as session:
        for _ in range(count):
            started = time.monotonic()
            answer = session.post(f"{server.base}/v1/check", json=CLAIM, timeout=timeout)
            assert answer.status_code == 200, answer.text
            took.append(time.monotonic() - started)
            time.sleep(0.1)
    return took


def _send_slowly(port: int, seconds: float, closed: list[float]) -> None:
    """Send SLOW_REQUEST a byte a second for at most ``seconds``; note when it was cut off."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        try:
            for byte in SLOW_REQUEST:
                if time.monotonic() - started > seconds:
                    return
                sock.sendall(bytes([byte]))
                time.sleep(1.0)
        except OSError:
            closed.append(time.monotonic() - started)


def test_slow_clients_hold_no_thread(tmp_path: Path) -> None:
    # One worker with two threads; six clients sending a byte a second (issue 13: four
    # such clients stalled 2 workers x 2 threads, and ordinary checks timed out).
    settings = {"FACTCHECK_WORKERS": "1", "FACTCHECK_THREADS": "2", "FACTCHECK_READ_TIMEOUT": "4"}
    with gunicorn_server(tmp_path, **settings) as server:
        port = int(server.base.rsplit(":", 1)[1])
        closed: list[float] = []
        slow = [
            threading.Thread(target=_send_slowly, args=(port, 9.0, closed), daemon=True)
            for _ in range(6)
        ]
        for thread in slow:
            thread.start()
        time.sleep(1.5)
        took = ordinary_checks(server, 15)
        for thread in slow:
            thread.join(timeout=12)
    assert max(took) < 1.0, took
    # Every slow client was cut off at FACTCHECK_READ_TIMEOUT (4 s), well before it finished.
    assert len(closed) == 6 and max(closed) < 8.0, closed
    checks = [line for line in server.access_log() if line["path"] == "/v1/check"]
    assert [line["status"] for line in checks] == [200] * 15  # the slow ones never got in


def _review_greedily(base: str, until: float, took: list[tuple[int, float]]) -> None:
    text = greedy_text()
    with requests.Session() as session:
        while time.monotonic() < until:
            started = time.monotonic()
            answer = session.post(f"{base}/v1/review", json={"text": text}, timeout=10)
            if answer.status_code == 200:
                assert answer.json()["truncated"] is not None
            else:  # the worker's places for reviews are taken: 503, retry later
                assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
                time.sleep(0.2)
            took.append((answer.status_code, time.monotonic() - started))


def test_greedy_reviews_stay_within_budget(tmp_path: Path) -> None:
    # Default settings but two workers (the machine may have more cores than that), and the
    # 1.5 s work budget the bounds below are sized for.
    with gunicorn_server(
        tmp_path, FACTCHECK_WORKERS="2", FACTCHECK_WORK_BUDGET_MS="1500"
    ) as server:
        started = time.monotonic()
        answer = requests.post(
            f"{server.base}/v1/review",
            json={"text": greedy_text()},
            timeout=10,
        )
        alone = time.monotonic() - started
        assert answer.status_code == 200
        assert answer.json()["truncated"]["reason"] == "time"
        greedy: list[tuple[int, float]] = []
        clients = [
            threading.Thread(
                target=_review_greedily, args=(server.base, time.monotonic() + 6, greedy)
            )
            for _ in range(4)
        ]
        for thread in clients:
            thread.start()
        time.sleep(0.5)
        took = ordinary_checks(server, 20, timeout=5)
        for thread in clients:
            thread.join(timeout=15)
    assert alone < 2.5, alone  # the budget is 1.5 s of work, then the answer is sent
    reviewed = [seconds for status, seconds in greedy if status == 200]
    assert reviewed and max(reviewed) < 5.0, greedy
    # A thread of each worker stays free for ordinary checks (issue 13: they timed out).
    assert sorted(took)[int(len(took) * 0.95)] < 1.0, took


def test_made_up_methods_do_not_grow_metrics(tmp_path: Path) -> None:
    with gunicorn_server(tmp_path) as server:
        requests.get(f"{server.base}/healthz", timeout=5)
        before = len(requests.get(f"{server.base}/metrics", timeout=5).content)
        with requests.Session() as session:
            for number in range(200):  # issue 13: 500 such methods made /metrics 745 KB
                for path in ("/healthz", f"/made-up-{number}"):
                    session.request(f"M{number:04d}X", f"{server.base}{path}", timeout=5)
        metrics = requests.get(f"{server.base}/metrics", timeout=5).text
    assert "M0007X" not in metrics and "made-up" not in metrics
    assert 'method="other"' in metrics
    assert len(metrics) < before + 4096, (before, len(metrics))


SECRET = "query-secret-0123456789abcdef"


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_key_in_the_query_string_never_reaches_the_logs(tmp_path: Path, log_format: str) -> None:
    settings = {"FACTCHECK_API_KEYS": "right-key-0123456789", "FACTCHECK_LOG_FORMAT": log_format}
    with gunicorn_server(tmp_path, **settings) as server:
        for query in (f"api_key={SECRET}", f"x=1&token={SECRET}", f"key={SECRET}"):
            answer = requests.post(f"{server.base}/v1/check?{query}", json=CLAIM, timeout=5)
            assert answer.status_code == 401
        headers = {"Authorization": f"Bearer {SECRET}"}
        requests.post(f"{server.base}/v1/check", json=CLAIM, headers=headers, timeout=5)
        requests.get(f"{server.base}/nowhere?api_key={SECRET}", timeout=5)
        time.sleep(0.3)  # let the access log lines reach the file
        logs = server.stdout.read_text(encoding="utf-8") + server.error_log()
    assert logs.count("/v1/check") >= 4  # the requests were logged…
    assert SECRET not in logs and SECRET[:12] not in logs  # …without the key
    assert "[redacted]" in logs


def test_rate_limit_is_exact_across_workers(tmp_path: Path) -> None:
    # Two workers, the default store (local://): issue 13 saw 20 of 30 pass a 10/minute limit.
    settings = {"FACTCHECK_WORKERS": "2", "FACTCHECK_RATE_LIMIT": "10/minute"}
    with gunicorn_server(tmp_path, **settings) as server:
        statuses = []
        for _ in range(30):  # a new connection each: the kernel spreads them over the workers
            answer = requests.get(
                f"{server.base}/v1/sources", headers={"Connection": "close"}, timeout=5
            )
            statuses.append(answer.status_code)
        log = server.error_log()
    assert statuses == [200] * 10 + [429] * 20
    assert "counted in memory" not in log


def test_a_symlink_out_of_the_corpus_stops_the_start(project_root: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    outside = tmp_path / "private.txt"
    outside.write_text("A secret file outside the corpus that must never be served.\n")
    (corpus / "escape.txt").symlink_to(outside)
    env = clean_env(FACTCHECK_CORPUS=str(corpus), PORT=str(free_port()))
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "service:create_app()"],
        cwd=project_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "escape.txt: a symbolic link to a place outside" in errors[0]
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


def _exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` at once and read the answer until the server closes (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (chunk := sock.recv(65536)):
            answer += chunk
    return answer


def test_malformed_http_and_big_bodies_get_problems(tmp_path: Path) -> None:
    big = b'{"claim": "' + b"a" * 1_100_000 + b'"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(big), big)
    cases = {
        414: b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        431: b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
        400: b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n",
        413: b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked,
    }
    with gunicorn_server(tmp_path) as server:
        port = int(server.base.rsplit(":", 1)[1])
        answers = {status: _exchange(port, request) for status, request in cases.items()}
    for status, answer in answers.items():
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 %d " % status), (status, head)
        assert b"Content-Type: application/problem+json" in head, (status, head)
        assert json.loads(body)["status"] == status


def test_a_client_that_never_reads_holds_no_thread(tmp_path: Path) -> None:
    # One worker with one thread. A client asks for 300 copies of /openapi.yaml (about
    # 14 MB, far more than the sockets' buffers hold) and reads none of it: the thread
    # hands each answer to the event loop instead of waiting for the client to take it.
    settings = {"FACTCHECK_WORKERS": "1", "FACTCHECK_THREADS": "1", "FACTCHECK_READ_TIMEOUT": "5"}
    with gunicorn_server(tmp_path, **settings) as server:
        port = int(server.base.rsplit(":", 1)[1])
        with socket.socket() as greedy:
            greedy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            greedy.connect(("127.0.0.1", port))
            greedy.sendall(b"GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n" * 300)
            time.sleep(1.0)
            took = ordinary_checks(server, 10)
    assert max(took) < 1.0, took
