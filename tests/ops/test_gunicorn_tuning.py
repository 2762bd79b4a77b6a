"""gunicorn.conf.py: a socket per worker (SO_REUSEPORT), a taken port refused, fallbacks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from serving import SEEDS, START_TIMEOUT, clean_env, free_port, gunicorn_config, stop

pytestmark = pytest.mark.server


def gunicorn(bind: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "service:create_app()", "--bind", bind]


def test_config_asks_for_a_socket_per_worker(tmp_path: Path) -> None:
    env = clean_env(PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    printed = gunicorn_config(env, "--bind", "127.0.0.1:8123")
    assert printed["reuse_port"] == "True"


@pytest.mark.parametrize("shared", [False, True], ids=["other-program", "other-instance"])
def test_taken_port_stops_the_start(project_root: Path, tmp_path: Path, shared: bool) -> None:
    # A port held by another program, or by another instance's worker (which sets
    # SO_REUSEPORT too and would otherwise silently share the traffic): exit 1, one line.
    port = free_port()
    with socket.socket() as holder:
        if shared:
            holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", port))
        holder.listen()
        env = clean_env(FACTCHECK_WORKERS="2", FACTCHECK_CORPUS=str(SEEDS))
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
        done = subprocess.run(
            gunicorn(f"127.0.0.1:{port}"),
            cwd=project_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


def test_unix_socket_keeps_one_shared_socket(project_root: Path, tmp_path: Path) -> None:
    # Workers cannot each bind the same socket file: the config falls back to one socket.
    path = tmp_path / "factcheck.sock"
    env = clean_env(FACTCHECK_WORKERS="2", FACTCHECK_CORPUS=str(SEEDS))
    with (tmp_path / "out.log").open("wb") as log:
        process = subprocess.Popen(
            gunicorn(f"unix:{path}"), cwd=project_root, env=env, stdout=log, stderr=log
        )
    try:
        answers = []
        deadline = time.monotonic() + START_TIMEOUT
        while len(answers) < 20 and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "out.log").read_text()
            try:
                with socket.socket(socket.AF_UNIX) as client:
                    client.settimeout(5)
                    client.connect(str(path))
                    client.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
                    answers.append(client.recv(65536))
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.1)
        assert len(answers) == 20
        assert all(answer.startswith(b"HTTP/1.0 200") for answer in answers)
        log = (tmp_path / "out.log").read_text()
        assert f"Listening at: unix:{path}" in log and "SO_REUSEPORT" not in log
    finally:
        stop(process)


def test_both_workers_take_connections(project_root: Path, tmp_path: Path) -> None:
    # Each worker has a listening socket of its own; the kernel spreads connections by a hash
    # of their addresses, so 40 connections all landing on one of 2 workers would take a
    # chance of 2 in 2**40.
    port = free_port()
    env = clean_env(FACTCHECK_WORKERS="2", FACTCHECK_CORPUS=str(SEEDS))
    with (tmp_path / "out.log").open("wb") as log:
        process = subprocess.Popen(
            gunicorn(f"127.0.0.1:{port}"), cwd=project_root, env=env, stdout=log, stderr=log
        )
    clients: list[socket.socket] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (tmp_path / "out.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                workers = _children(process.pid)
                if len(workers) == 2 and all(_listens(pid, port) for pid in workers):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(40)]
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert client.recv(65536).startswith(b"HTTP/1.1 200")
        held = [_established(pid, port) for pid in workers]
        assert sum(held) == 40 and min(held) > 0, held
    finally:
        for client in clients:
            client.close()
        stop(process)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_entries(port: int) -> list[tuple[str, str]]:
    """(state, inode) of the IPv4 TCP sockets whose local port is ``port``."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    found = []
    for row in rows:
        fields = row.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            found.append((fields[3], fields[9]))
    return found


def _listens(pid: int, port: int) -> bool:
    inodes = _socket_inodes(pid)
    return any(state == "0A" and inode in inodes for state, inode in _tcp_entries(port))


def _established(pid: int, port: int) -> int:
    inodes = _socket_inodes(pid)
    return sum(state == "01" and inode in inodes for state, inode in _tcp_entries(port))


if not Path("/proc/net/tcp").exists():  # pragma: no cover - the suite runs on Linux
    pytest.skip("needs Linux /proc", allow_module_level=True)
