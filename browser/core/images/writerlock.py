"""One ``precompute`` writes a shared cache folder at a time (browser.core.images.sharedcache).

Two runs merging into one folder would not corrupt it, but each would publish manifests that
omit the other's parts until a later merge, and both would compute the same images. So a run
takes ``writer.lock`` first and a second run is refused with who holds it.

The lock is a file made with ``O_CREAT | O_EXCL``, which is atomic on local file systems and
on NFS v3 and later, never an ``fcntl`` lock (NFS servers drop or mishandle those). It holds
the writer's host, pid, start time and a random token; while the run lasts a thread touches
it every :data:`HEARTBEAT_S` seconds. A lock is stale, and taken over with a notice, when its
writer is a process of this host that no longer exists, or when it has not been touched for
:data:`STALE_AFTER_S` (a writer on another machine that died or lost the mount).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

LOCK = "writer.lock"
HEARTBEAT_S = 30.0
STALE_AFTER_S = 600.0


class WriterBusy(Exception):
    """Another live ``precompute`` writes this folder; ``str()`` says which and what to do."""


@dataclass
class WriterLock:
    path: Path
    token: str
    notices: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def held(self) -> bool:
        """Whether the lock file is still ours (a stalled run's can be taken over)."""
        return _read(self.path).get("token") == self.token


def _read(path: Path) -> dict[str, object]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process, or cannot tell
    return True


def _stale(holder: dict[str, object], age: float, stale_after: float) -> str:
    """Why the lock whose content is ``holder`` may be taken over, or "" if it may not."""
    pid = holder.get("pid")
    if holder.get("host") == socket.gethostname() and isinstance(pid, int) and not _alive(pid):
        return f"its writer (pid {pid} on this machine) is gone"
    if age > stale_after:
        return f"it was last touched {age / 60:.0f} minutes ago"
    if not holder and age > HEARTBEAT_S:  # unreadable and not being written
        return "it is unreadable"
    return ""


def _create(path: Path, token: str) -> bool:
    content = {
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "token": token,
    }
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(content, out)
        out.flush()
        os.fsync(out.fileno())
    return True


def _take_over(path: Path, holder: dict[str, object]) -> bool:
    """Move the stale lock aside, if it is still the one judged stale (another run may have
    taken it over meanwhile: that one is put back)."""
    aside = path.with_name(f"{LOCK}.stale-{uuid.uuid4().hex}")
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return True  # released meanwhile
    if _read(aside) != holder:  # we moved a fresh lock: give it back, unless replaced
        with contextlib.suppress(OSError):
            os.link(aside, path)
        with contextlib.suppress(OSError):
            os.unlink(aside)
        return False
    with contextlib.suppress(OSError):
        os.unlink(aside)
    return True


def acquire(
    folder: Path, *, stale_after: float = STALE_AFTER_S, clock: Callable[[], float] = time.time
) -> WriterLock:
    """Take the folder's writer lock or raise :class:`WriterBusy`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    lock = WriterLock(path, uuid.uuid4().hex)
    for _ in range(5):
        if _create(path, lock.token):
            return lock
        holder = _read(path)
        try:
            age = clock() - path.stat().st_mtime
        except FileNotFoundError:
            continue  # released between our tries
        why = _stale(holder, age, stale_after)
        if not why:
            raise WriterBusy(
                f"another precompute is writing {folder} (host {holder.get('host', '?')}, "
                f"pid {holder.get('pid', '?')}, since {holder.get('started', '?')}); "
                f"wait for it to finish, or if it is dead on another machine, remove {path}"
            )
        if _take_over(path, holder):
            lock.notices.append(f"took over the writer lock of {folder}: {why}")
    raise WriterBusy(f"could not take the writer lock {path}: other runs keep taking it")


def _beat(lock: WriterLock) -> None:
    while not lock._stop.wait(HEARTBEAT_S):
        if not lock.held():
            return
        with contextlib.suppress(OSError):
            os.utime(lock.path)


def release(lock: WriterLock) -> None:
    lock._stop.set()
    if lock.held():
        with contextlib.suppress(OSError):
            lock.path.unlink()


@contextlib.contextmanager
def writing(folder: Path, *, stale_after: float = STALE_AFTER_S) -> Iterator[WriterLock]:
    """Hold the folder's writer lock (with its heartbeat) for the ``with`` block."""
    lock = acquire(folder, stale_after=stale_after)
    beat = threading.Thread(target=_beat, args=(lock,), name="writer-lock", daemon=True)
    beat.start()
    try:
        yield lock
    finally:
        release(lock)
        beat.join()
