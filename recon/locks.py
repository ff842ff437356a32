"""One run at a time per partner: a lock on the data directory that works across processes.

Two runs of one partner (the same day twice after a backfill, or consecutive days) would
otherwise interleave their reads and writes of the partner's canonical files, carry files and
tallies. Every step that reads or writes a partner's state holds `partner_lock`: an exclusive
`flock` on `<data_dir>/.locks/<partner>.lock`, released by the kernel if the process dies, so a
crash never leaves a partner locked. The lock is re-entrant within a process (run_day holds it
around steps that take it again). A second run waits up to `timeout` seconds, then fails with
one line naming the holder. Holding it also makes every uncommitted draft of the partner a
left-over of a dead run, which recon.versions deletes.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from recon.errors import ReconError

POLL_SECONDS = 0.1
_held: dict[Path, tuple[int, int]] = {}  # lock path -> (file descriptor, depth) in this process


class LockTimeout(ReconError):
    """Another run holds the partner's lock for longer than the caller waits."""


@contextmanager
def partner_lock(data_dir: Path, partner_id: str, timeout: float) -> Iterator[bool]:
    """Hold the partner's lock for the duration of the block (see the module docstring); yields
    whether this call took it (False when the process already held it)."""
    path = (data_dir / ".locks" / f"{partner_id}.lock").resolve()
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        try:
            yield False
        finally:
            fd, depth = _held[path]
            _held[path] = (fd, depth - 1)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, partner_id, timeout)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
        _held[path] = (fd, 1)
        try:
            yield True
        finally:
            del _held[path]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, partner_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text(encoding="utf-8", errors="replace").strip()[:80] or "another run"
                raise LockTimeout(
                    f"{partner_id}: another run holds the partner's lock ({holder}); waited {timeout:g} s. "
                    "Runs of one partner never interleave: retry when it has finished"
                ) from None
            time.sleep(POLL_SECONDS)
