"""The embedded database's minder: runs SecantusDB as its child and stops it once no client has been
connected for NEWSBOT_DB_IDLE_STOP minutes, so the daemon the README's command starts does not stay
behind for ever. While any process (a crawl, a report, a scrapyd job) holds a connection, or has just
been handed the server's address (the lease file, touched under the start lock), it keeps running.

    python -m newsbot.storage.supervisor DATA_DIR PORT IDLE_MINUTES -- python -m secantus ...

Connections are counted from /proc/net/tcp{,6}: established sockets whose local port is the server's.
Stopping happens under the same file lock that starting takes, after a last check, so a process that
is about to connect either sees the old server (and the lease keeps it up) or starts a new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import signal
import subprocess
import sys
import time
from pathlib import Path

from newsbot.storage.embedded import SERVER_LEASE_FILE as LEASE_FILE
from newsbot.storage.embedded import SERVER_LOCK_FILE as LOCK_FILE
from newsbot.storage.embedded import SERVER_STATE_FILE as STATE_FILE

ESTABLISHED = "01"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def connections(port: int) -> int:
    """Established TCP connections to `port` on this machine (server side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as fh:
            next(fh, None)
            for line in fh:
                fields = line.split()
                if len(fields) > 3 and fields[3] == ESTABLISHED and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


def lease_age(data_dir: Path) -> float:
    try:
        return time.time() - (data_dir / LEASE_FILE).stat().st_mtime
    except OSError:
        return float("inf")


def stop_child(child: subprocess.Popen) -> None:
    # Every commit is on disk (--sync-on-commit): after a short grace, SIGKILL loses nothing.
    with contextlib.suppress(ProcessLookupError):
        child.terminate()
    try:
        child.wait(3.0)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(5.0)


def _die_with_parent() -> None:
    # The state file names the minder's pid, and a crash or `kill -9` of it must not leave SecantusDB
    # running unseen: the kernel sends the child SIGKILL when the minder dies (Linux, like /proc above).
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def supervise(data_dir: Path, port: int, idle_seconds: float, command: list[str]) -> int:
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    signal.signal(signal.SIGTERM, lambda *_: (stop_child(child), sys.exit(0)))
    check = min(30.0, max(0.2, idle_seconds / 4))
    last_active = time.monotonic()
    while True:
        try:
            code = child.wait(check)
            return code
        except subprocess.TimeoutExpired:
            pass
        if connections(port) or lease_age(data_dir) < idle_seconds:
            last_active = time.monotonic()
            continue
        if time.monotonic() - last_active < idle_seconds:
            continue
        with open(data_dir / LOCK_FILE, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if connections(port) or lease_age(data_dir) < idle_seconds:
                last_active = time.monotonic()
                continue
            print(f"newsbot: stopping the embedded database after {idle_seconds / 60:g} idle minute(s)", flush=True)
            (data_dir / STATE_FILE).unlink(missing_ok=True)
            stop_child(child)
        return 0


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") != 3:
        print("usage: python -m newsbot.storage.supervisor DATA_DIR PORT IDLE_MINUTES -- COMMAND...", file=sys.stderr)
        return 2
    data_dir, port, minutes = Path(argv[0]), int(argv[1]), float(argv[2])
    return supervise(data_dir, port, minutes * 60, argv[4:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
