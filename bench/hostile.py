"""Ordinary checks' latency under hostile traffic, through a real gunicorn (issue 13).

Usage: ``.venv/bin/python bench/hostile.py [--workers N] [--threads N] [--seconds S]
[scenario ...]`` with scenarios ``baseline``, ``slow``, ``noread``, ``greedy``, ``worst``,
``methods`` (default: all, in that order).

Starts gunicorn as the README's quick start does (``gunicorn "service:create_app()"`` with
``gunicorn.conf.py``: 127.0.0.1 only, on a free port), with ``--workers`` workers of
``--threads`` threads (2 x 2 by default, the set-up of the issue's measurements). Then:

- ``baseline``: one client sends an ordinary check every 0.1 s for ``--seconds``;
- ``slow``: the same, while 8 connections send a check a byte a second;
- ``noread``: the same, while 4 connections each ask for 300 copies of ``/openapi.yaml``
  (about 14 MB) and read none of it;
- ``greedy``: the same, while 4 clients loop on 93 KB clause-heavy reviews (waiting 0.2 s
  after a 503, as its Retry-After asks);
- ``worst``: the cost of the most expensive legal requests alone (that review; a batch
  of 100 distinct figure claims), best and worst of 3;
- ``methods``: the size of ``/metrics`` before and after 500 made-up HTTP methods.

Every loop is bounded in count and time, and all traffic goes to 127.0.0.1. It prints one
JSON line a scenario: ordinary checks' count, failures (non-200 or over 5 s), p50, p95 and
max in milliseconds. No figure is asserted; tests/ops/test_hostile.py has the bounded probes.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CLAIM = {"claim": "Armenia said 49 of its soldiers were killed."}
SLOW_BODY = b'{"claim": "Armenia said 49 soldiers were killed."}'
SLOW_REQUEST = (
    b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(SLOW_BODY)).encode() + b"\r\n\r\n" + SLOW_BODY
)


def greedy_text(chars: int = 93_000) -> str:
    """Clause-heavy sentences, each with figures, dates, places and speakers."""
    parts, number = [], 0
    while sum(map(len, parts)) < chars:
        number += 1
        parts.append(
            f"Armenia said {number} soldiers were killed on {number % 28 + 1} September, and "
            f"Azerbaijan said {number + 7} of its troops died in Jermuk, while Russia "
            f"reported {number * 3} wounded near Goris. "
        )
    return "".join(parts)[:chars]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(workers: int, threads: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTCHECK_")}
    env |= {"PORT": str(port), "FACTCHECK_WORKERS": str(workers)}
    env |= {"FACTCHECK_THREADS": str(threads)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (folder / "out.log").open("wb") as out, (folder / "err.log").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "service:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start: {(folder / 'err.log').read_text()[-2000:]}")


def ordinary(base: str, seconds: float) -> dict[str, object]:
    took, failed = [], 0
    until = time.monotonic() + seconds
    with requests.Session() as session:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                answer = session.post(f"{base}/v1/check", json=CLAIM, timeout=5)
                if answer.status_code != 200:
                    failed += 1
                else:
                    took.append(time.monotonic() - started)
            except requests.RequestException:
                failed += 1
            time.sleep(0.1)
    took.sort()
    ms = [round(t * 1000, 1) for t in took]
    return {
        "checks": len(took) + failed,
        "failed": failed,
        "p50_ms": ms[len(ms) // 2] if ms else None,
        "p95_ms": ms[min(len(ms) - 1, int(len(ms) * 0.95))] if ms else None,
        "max_ms": ms[-1] if ms else None,
    }


def send_slowly(port: int, until: float) -> None:
    while time.monotonic() < until:  # reconnect when cut off, until the scenario ends
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                for byte in SLOW_REQUEST:
                    if time.monotonic() >= until:
                        return
                    sock.sendall(bytes([byte]))
                    time.sleep(1.0)
        except OSError:
            time.sleep(0.5)


def never_read(port: int, until: float) -> None:
    """Ask for 300 copies of /openapi.yaml (about 14 MB) on one connection, read none."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n" * 300)
        while time.monotonic() < until:
            time.sleep(0.2)


def review_greedily(base: str, took: list[tuple[int, float]], until: float) -> None:
    text = greedy_text()
    with requests.Session() as session:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                answer = session.post(f"{base}/v1/review", json={"text": text}, timeout=30)
                status = answer.status_code
            except requests.RequestException:
                status = 0
            took.append((status, time.monotonic() - started))
            if status == 503:  # the worker's places for reviews are taken: as told, retry
                time.sleep(0.2)


def under(base: str, seconds: float, target, count: int, *args) -> dict[str, object]:
    until = time.monotonic() + seconds + 1
    attackers = [
        threading.Thread(target=target, args=(*args, until), daemon=True) for _ in range(count)
    ]
    for thread in attackers:
        thread.start()
    time.sleep(1)
    figures = ordinary(base, seconds - 1)
    for thread in attackers:
        thread.join(timeout=40)
    return figures


def worst(base: str) -> dict[str, object]:
    text = greedy_text()
    claims = [f"Armenia said {n} soldiers were killed and {2 * n} wounded." for n in range(100)]
    review, batch, truncated = [], [], None
    for run in range(3):
        started = time.monotonic()
        answer = requests.post(f"{base}/v1/review", json={"text": text}, timeout=30)
        review.append(time.monotonic() - started)
        truncated = answer.json().get("truncated")
        fresh = [f"{claim[:-1]} (run {run})." for claim in claims]
        started = time.monotonic()
        requests.post(f"{base}/v1/check/batch", json={"claims": fresh}, timeout=30)
        batch.append(time.monotonic() - started)
    return {
        "review_93kb_s": [round(min(review), 2), round(max(review), 2)],
        "review_truncated": truncated,
        "batch_100_s": [round(min(batch), 2), round(max(batch), 2)],
    }


def methods(base: str) -> dict[str, object]:
    before = len(requests.get(f"{base}/metrics", timeout=5).content)
    with requests.Session() as session:
        for number in range(500):
            session.request(f"M{number:04d}X", f"{base}/made-up-{number}", timeout=5)
    started = time.monotonic()
    after = len(requests.get(f"{base}/metrics", timeout=5).content)
    return {
        "metrics_bytes": [before, after],
        "scrape_ms": round((time.monotonic() - started) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("scenarios", nargs="*", default=[])
    args = parser.parse_args()
    chosen = args.scenarios or ["baseline", "slow", "noread", "greedy", "worst", "methods"]
    seconds = min(max(args.seconds, 3.0), 60.0)
    with tempfile.TemporaryDirectory(prefix="factcheck-hostile-") as folder:
        process, base = start(args.workers, args.threads, Path(folder))
        port = int(base.rsplit(":", 1)[1])
        try:
            for name in chosen:
                if name == "baseline":
                    figures = ordinary(base, seconds)
                elif name == "slow":
                    figures = under(base, seconds, send_slowly, 8, port)
                elif name == "noread":
                    figures = under(base, seconds, never_read, 4, port)
                elif name == "greedy":
                    greedy: list[tuple[int, float]] = []
                    figures = under(base, seconds, review_greedily, 4, base, greedy)
                    reviewed = [took for status, took in greedy if status == 200]
                    figures["reviews_200"] = len(reviewed)
                    figures["reviews_503"] = sum(status == 503 for status, _ in greedy)
                    figures["reviews_other"] = len(greedy) - len(reviewed)
                    figures["reviews_other"] -= figures["reviews_503"]
                    if reviewed:
                        figures["review_s_median"] = round(statistics.median(reviewed), 2)
                        figures["review_s_max"] = round(max(reviewed), 2)
                elif name == "worst":
                    figures = worst(base)
                elif name == "methods":
                    figures = methods(base)
                else:
                    sys.exit(f"unknown scenario {name!r}")
                print(json.dumps({"scenario": name, **figures}), flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
