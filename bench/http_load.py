"""Load ``POST /v1/check`` through a real gunicorn with wrk, and report throughput and latency.

Usage: ``.venv/bin/python bench/http_load.py [--duration S] [--connections N] [--threads N]
[--workers N] [--claims FILE] [--port N] [--requests N] [--warmup S] [--set NAME=VALUE]
[--distinct | --both]``

What it does, in order:

1. Starts gunicorn the way the README's quick start does (``.venv/bin/python -m gunicorn
   "service:create_app()"`` with ``gunicorn.conf.py``), with ``FACTCHECK_WORKERS=--workers``
   and ``PORT=--port`` (a free port by default), bound to 127.0.0.1 only. The developer's own
   ``FACTCHECK_*`` variables are dropped so the figures are those of the default settings;
   ``--set NAME=VALUE`` adds settings on purpose. The access log (gunicorn's stdout) and the
   error log go to files in a temporary folder, as they would go to a log collector.
2. Waits for ``GET /healthz`` (the liveness probe), then checks that one request of the
   chosen mode answers 200.
3. Runs wrk with ``bench/check.lua`` for ``--warmup`` seconds (not reported), then for
   ``--duration`` seconds, stopping early after ``--requests`` responses: each request POSTs
   ``{"claim": ...}`` with the claims of ``--claims`` (JSON lines with a ``claim`` field;
   default ``bench/claims.jsonl``, the claims of the development set) in rotation.
   ``--distinct`` makes every request's claim a different text (see check.lua: the claim
   with ", according to W1 W2 W3" inserted before its final punctuation, W1..W3 ordinary
   corpus words spelling the request number), so the per-process analysis cache of
   ``service/engine/checker.py`` never helps; the default ("repeat" mode) sends the same 60 texts
   over and over, so it does. ``--both`` runs repeat, then distinct, on the same server.
4. Prints a summary and one JSON line a mode: requests, requests/s, latency p50/p90/p99,
   non-2xx responses and socket errors (both counted by the Lua script), the CPU seconds the
   gunicorn workers and wrk used, and the access-log line count.
5. Stops gunicorn with SIGTERM (graceful) and reports its exit status.

wrk is a closed-loop generator: each connection sends its next request when the previous
answer arrives, so requests/s is the capacity at that concurrency, and latency includes
queueing in gunicorn (p50 is about connections / requests per second). On a 2-core machine
wrk shares the CPU with the two workers; one wrk thread used about 5% of a core at 1,000
requests/s (its CPU seconds are printed), so one is enough and the rest is left to the
service. The CPU that everything else on the machine used during the run is printed too: a
figure measured while other programs were busy says little about the service, and a
warning says so. In distinct mode the verdicts stay those of the plain claims for 177 of
180 texts tried (the engine takes a trailing "according to <unknown source>" as
attribution), and each check costs about as much as a first check of the plain claim.
Exit status: 0 when no request failed, 1 when any did, 2 when the run could not be made
(wrk missing, server did not start).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "check.lua"
DEFAULT_CLAIMS = ROOT / "bench" / "claims.jsonl"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 40.0
# Offsets of the request counter in check.lua: a measured distinct run never repeats a
# warm-up text (a warm-up sends far fewer than this many requests).
WARMUP_OFFSET, MEASURED_OFFSET = 0, 1_000_000
# Settings of the developer's shell that would change what is measured.
_DROPPED = ("PORT", "WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR", "GUNICORN_CMD_ARGS")
_TRAILING_PUNCTUATION = re.compile(r"[.!?]*$")
_CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_claims(path: Path) -> list[str]:
    claims = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            claim = json.loads(line)["claim"]
        except (ValueError, KeyError, TypeError):
            sys.exit(f"error: {path} line {number}: expected a JSON object with a 'claim'")
        if not isinstance(claim, str) or not claim.strip():
            sys.exit(f"error: {path} line {number}: 'claim' must be a non-empty string")
        claims.append(claim.strip())
    if not claims:
        sys.exit(f"error: {path} holds no claim")
    return claims


def write_lua_claims(claims: list[str], path: Path) -> None:
    """One ``HEAD<TAB>TAIL`` line a claim, JSON-escaped (ASCII only: no tab or newline left)."""
    lines = []
    for claim in claims:
        cut = _TRAILING_PUNCTUATION.search(claim).start()  # type: ignore[union-attr]
        head, tail = (json.dumps(part)[1:-1] for part in (claim[:cut], claim[cut:]))
        lines.append(f"{head}\t{tail}\n")
    path.write_text("".join(lines), encoding="ascii")


def distinct_text(claim: str, number: int) -> str:
    """The text check.lua sends in distinct mode for request ``number`` of claim ``claim``."""
    words = check_lua_words()
    parts = [words[number % 32], words[number // 32 % 32], words[number // 1024 % 32]]
    cut = _TRAILING_PUNCTUATION.search(claim).start()  # type: ignore[union-attr]
    return f"{claim[:cut]}, according to {' '.join(parts)}{claim[cut:]}"


def check_lua_words() -> list[str]:
    body = LUA.read_text(encoding="utf-8").split("local WORDS = {", 1)[1].split("}", 1)[0]
    return re.findall(r'"([a-z]+)"', body)


def server_env(port: int, workers: int, settings: list[str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("FACTCHECK_") and k not in _DROPPED
    }
    env |= {"PORT": str(port), "FACTCHECK_WORKERS": str(workers)}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"error: --set takes NAME=VALUE, got {item!r}")
        env[name] = value
    return env


def post(base: str, claim: str) -> tuple[int, dict[str, Any]]:
    data = json.dumps({"claim": claim}).encode()
    req = urllib.request.Request(
        f"{base}/v1/check", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def wait_healthy(base: str, process: subprocess.Popen[bytes], stderr: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = stderr.read_text(encoding="utf-8", errors="replace")[-3000:]
            print(f"error: gunicorn exited with {process.returncode}:\n{tail}", file=sys.stderr)
            sys.exit(2)
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    print(f"error: gunicorn not healthy after {START_TIMEOUT:.0f} s", file=sys.stderr)
    sys.exit(2)


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / _CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have spent busy (Linux /proc/stat; 0 elsewhere)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / _CLK_TCK


def run_wrk(
    wrk: str,
    base: str,
    args: argparse.Namespace,
    claims_file: Path,
    mode: str,
    seconds: float,
    offset: int,
    max_requests: int,
) -> tuple[dict[str, Any], float, float]:
    """One wrk run: the Lua script's result, wrk's own CPU seconds, and wall seconds."""
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"{base}/v1/check",
        "--",
        str(claims_file),
        mode,
        str(offset),
        str(max_requests),
        str(args.threads),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = [line for line in done.stdout.splitlines() if line.startswith("WRK_RESULT ")]
    if done.returncode != 0 or not found:
        print(f"error: wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        sys.exit(2)
    return json.loads(found[-1].removeprefix("WRK_RESULT ")), wrk_cpu, wall


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def server_errors(path: Path) -> int:
    """Error-log lines at level ERROR or CRITICAL (an unhandled exception logs one)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return len(re.findall(r'"level": "(?:ERROR|CRITICAL)"', text))


def measure(
    wrk: str,
    base: str,
    args: argparse.Namespace,
    claims_file: Path,
    mode: str,
    master: int,
    access_log: Path,
) -> dict[str, Any]:
    if args.warmup > 0:
        run_wrk(wrk, base, args, claims_file, mode, args.warmup, WARMUP_OFFSET, 0)
    workers = worker_pids(master)
    served_before = count_lines(access_log)
    cpu_before, busy_before = cpu_seconds(workers), machine_busy_seconds()
    result, wrk_cpu, wall = run_wrk(
        wrk, base, args, claims_file, mode, args.duration, MEASURED_OFFSET, args.requests
    )
    busy = machine_busy_seconds() - busy_before
    workers_cpu = cpu_seconds(workers) - cpu_before
    time.sleep(0.5)  # let the workers flush their last access-log lines
    errors = result["non2xx"] + sum(result["socket_errors"].values())
    return {
        "mode": mode,
        "workers": args.workers,
        "connections": args.connections,
        "wrk_threads": args.threads,
        **result,
        "errors": errors,
        "access_log_lines": count_lines(access_log) - served_before,
        # "others": CPU the rest of the machine used meanwhile (gunicorn's master, the kernel's
        # network work outside the processes, anything else running): a figure measured
        # while other programs were busy is not the service's capacity.
        "cpu_s": {
            "workers": round(workers_cpu, 2),
            "wrk": round(wrk_cpu, 2),
            "others": round(max(0.0, busy - workers_cpu - wrk_cpu), 2),
            "capacity": round(wall * (os.cpu_count() or 1), 2),  # over wrk's whole run
        },
    }


def summary(result: dict[str, Any]) -> str:
    lat = result["latency_ms"]
    what = (
        "distinct claims (every text new: no cache helps)"
        if result["mode"] == "distinct"
        else "repeated claims (analysis cache warm)"
    )
    cpu = result["cpu_s"]
    return (
        f"{what}\n"
        f"  {result['requests']} requests in {result['duration_s']:.1f} s: "
        f"{result['requests_per_s']:.0f} requests/s with {result['connections']} connections, "
        f"{result['workers']} workers, {result['wrk_threads']} wrk thread(s)\n"
        f"  latency p50 {lat['p50']:.2f} ms, p90 {lat['p90']:.2f} ms, p99 {lat['p99']:.2f} ms, "
        f"max {lat['max']:.1f} ms\n"
        f"  errors: {result['non2xx']} non-2xx, socket {result['socket_errors']}\n"
        f"  CPU seconds: workers {cpu['workers']}, wrk {cpu['wrk']}, rest of the machine "
        f"{cpu['others']} (of {cpu['capacity']}); access-log lines {result['access_log_lines']}"
        + (
            "\n  warning: other programs used much CPU during the run; the figures are low"
            if cpu["others"] > 0.15 * cpu["capacity"]
            else ""
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds (wrk -d)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--claims", type=Path, default=DEFAULT_CLAIMS, help="JSON lines")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--requests",
        type=int,
        default=500_000,
        help="stop after this many responses (0: no cap); at these rates -d ends a run first",
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, not reported")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a server setting"
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--distinct", action="store_true", help="every claim text distinct")
    modes.add_argument("--both", action="store_true", help="repeat mode, then distinct")
    args = parser.parse_args()

    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "error: wrk is not installed; on Debian: apt-get install -y wrk (see bench/README.md)",
            file=sys.stderr,
        )
        return 2
    claims = read_claims(args.claims)
    modes_run = ["repeat", "distinct"] if args.both else ["distinct" if args.distinct else "repeat"]

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="factcheck-load-") as tmp:
        folder = Path(tmp)
        claims_file = folder / "claims.tsv"
        write_lua_claims(claims, claims_file)
        access_log, error_log = folder / "access.log", folder / "error.log"
        command = [sys.executable, "-m", "gunicorn", "service:create_app()"]
        command += ["--bind", f"127.0.0.1:{port}"]
        env = server_env(port, args.workers, args.set)
        with access_log.open("wb") as out, error_log.open("wb") as err:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        results = []
        try:
            wait_healthy(base, process, error_log)
            for mode in modes_run:
                probe = distinct_text(claims[0], 0) if mode == "distinct" else claims[0]
                status, body = post(base, probe)
                if status != 200 or "verdict" not in body:
                    print(f"error: POST /v1/check answered {status} for {probe!r}")
                    return 2
                results.append(measure(wrk, base, args, claims_file, mode, process.pid, access_log))
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        logged_errors = server_errors(error_log)
        print(
            f"gunicorn ({args.workers} workers, 127.0.0.1:{port}) stopped with status "
            f"{process.returncode}; {logged_errors} error(s) in its log"
        )
        for result in results:
            result["server_errors_logged"] = logged_errors
            print(summary(result))
        for result in results:
            print(json.dumps(result))
    failed = any(r["errors"] for r in results) or logged_errors
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
