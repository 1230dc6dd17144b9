"""The embedded database: SecantusDB (a MongoDB wire-protocol server on WiredTiger) as a small daemon
owned by NEWSBOT_DATA_DIR.

WiredTiger allows one process per storage folder, so crawl processes never open the folder
themselves: the first one starts the daemon under a file lock and records its port; every later
process (a second `scrapy crawl`, scrapyd jobs) connects to it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from newsbot.storage.errors import StoreUnavailable

logger = logging.getLogger(__name__)

SERVER_STATE_FILE = "secantus.json"
SERVER_LOCK_FILE = "secantus.lock"
SERVER_LEASE_FILE = "secantus.lease"
SERVER_START_TIMEOUT = 30.0


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reaped(pid: int) -> bool:
    """True once our own child has exited: a zombie still answers kill(pid, 0), so reap it."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return False


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_state(data_dir: Path) -> dict | None:
    try:
        state = json.loads((data_dir / SERVER_STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    if _pid_alive(int(state.get("pid", 0))) and _port_open(int(state.get("port", 0))):
        return state
    return None


def ensure_embedded_server(data_dir: str | os.PathLike, idle_stop_minutes: float = 0) -> str:
    """Return the URI of the embedded server for data_dir, starting it if no process has yet. A
    server this call starts stops itself after `idle_stop_minutes` without a client (0: never)."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / SERVER_LOCK_FILE, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = _read_state(data_dir)
            if state is None:
                state = _start_daemon(data_dir, idle_stop_minutes)
            # The lease: this process is about to connect, so the idle minder must not stop the server now.
            (data_dir / SERVER_LEASE_FILE).touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return f"mongodb://127.0.0.1:{state['port']}/?directConnection=true"


def running_server(data_dir: str | os.PathLike) -> dict | None:
    """The state ({"pid", "port", ...}) of data_dir's daemon when it is running, else None."""
    return _read_state(Path(data_dir).resolve())


def _start_daemon(data_dir: Path, idle_stop_minutes: float = 0) -> dict:
    port = _free_port()
    log = open(data_dir / "secantus.log", "ab")  # noqa: SIM115 - handed to the daemon, which outlives us
    secantus = [
        sys.executable,
        "-m",
        "secantus",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(data_dir / "db"),
        "--standalone",
        # Without it a crash of the daemon loses every write since the last checkpoint
        # (tests/crawl/test_db_outage.py); at newsbot's write rate the fsync costs nothing visible.
        "--sync-on-commit",
        "--log-level",
        "WARNING",
    ]
    env = None
    if idle_stop_minutes > 0:
        # The minder (newsbot.storage.supervisor) runs SecantusDB as its child and stops it when idle.
        cmd = [sys.executable, "-m", "newsbot.storage.supervisor", str(data_dir), str(port), str(idle_stop_minutes)]
        cmd += ["--", *secantus]
        # It imports newsbot from wherever this process got it (a checkout, or a scrapyd egg).
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    else:
        cmd = secantus
    # A session of its own: the daemon outlives this crawl and serves the next ones.
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StoreUnavailable(
                f"embedded database failed to start (exit {proc.returncode}); see {data_dir / 'secantus.log'}"
            )
        if _port_open(port):
            state = {"pid": proc.pid, "port": port, "started_at": time.time()}
            (data_dir / SERVER_STATE_FILE).write_text(json.dumps(state))
            logger.info("Started embedded database (SecantusDB) on port %d, data in %s", port, data_dir / "db")
            return state
        time.sleep(0.1)
    proc.kill()
    raise StoreUnavailable(f"embedded database did not open port {port} within {SERVER_START_TIMEOUT:.0f}s")


def stop_embedded_server(data_dir: str | os.PathLike) -> bool:
    """Stop the daemon of data_dir (tests, `make clean`); True if one was running."""
    data_dir = Path(data_dir).resolve()
    state = _read_state(data_dir)
    if not state:
        return False
    pid = int(state["pid"])
    # SIGTERM drains client connections first, and waits for ever on a client that never closes;
    # every commit is already on disk (--sync-on-commit), so after a grace period SIGKILL is safe.
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if _reaped(pid) or not _pid_alive(pid):
                (data_dir / SERVER_STATE_FILE).unlink(missing_ok=True)
                return True
            time.sleep(0.05)
    (data_dir / SERVER_STATE_FILE).unlink(missing_ok=True)
    return True
