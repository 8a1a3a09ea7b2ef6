"""The one atomic file writer (write to a temporary file beside the target, then rename), and the
exclusive lock of a directory that writers share.

An interrupted or failed write leaves the previous file untouched. :func:`directory_lock` holds an
``flock`` on a lock file in the directory: the kernel releases it when its holder exits, however it
exits, so a crash never leaves a directory locked.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(d / "a.txt") as f:
...     _ = f.write("hello")
>>> (d / "a.txt").read_text()
'hello'
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.errors import InputError


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success fsync and rename it over ``path``."""
    binary = "b" in mode
    with (
        atomic_path(path) as tmp,
        open(tmp, mode, encoding=None if binary else encoding, newline=None if binary else "\n") as f,
    ):
        yield f
        f.flush()
        os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path for a library that insists on writing a file by name; rename on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def directory_lock(directory: str | os.PathLike, name: str, *, wait: bool = False, on_wait=None) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (an ``flock`` on its file ``name``) for the ``with`` block.

    When another process holds it, raise :class:`~kg.errors.InputError` naming the directory and the
    holder, or with ``wait=True`` call ``on_wait(holder)`` and block until it is free. The lock file
    stays (removing it would let two processes lock two different files); it holds the holder's pid.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with directory_lock(d, ".lock"):
    ...     with directory_lock(d, ".lock"):  # a second open file description: refused like another process
    ...         pass
    Traceback (most recent call last):
    ...
    kg.errors.InputError: ...: another build is writing here (pid ...); wait for it to finish, or use --wait
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "holder unknown"
            if not wait:
                raise InputError(
                    directory, f"another build is writing here ({holder}); wait for it to finish, or use --wait"
                ) from None
            if on_wait is not None:
                on_wait(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since {started}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
