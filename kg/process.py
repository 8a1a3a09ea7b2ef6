"""Worker processes that cannot outlive the build that started them.

:func:`fork_pool` is a :class:`~concurrent.futures.ProcessPoolExecutor` whose workers are forked from
this process and ask the kernel (Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``) to kill them when it
dies, however it dies: ``kill -9`` of a build leaves no export worker holding hundreds of MB and the
embedding cache open. Each worker also receives one object by fork, shared copy-on-write and never
pickled (the graph to export, which is large), which the tasks read with :func:`inherited`.

Not supported: the parent-death signal off Linux (there the workers end when the pool shuts down, as
usual, but not when the parent is killed).

Examples
--------
>>> with fork_pool(1, inherit=("a", "graph")) as pool:
...     pool.submit(inherited).result(), pool.submit(os.getppid).result() == os.getpid()
(('a', 'graph'), True)
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["die_with_parent", "fork_pool", "inherited"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
# The object a forked worker was given. A module attribute because a pool pickles each task, and a
# task can only name what the worker already holds; the parent never sets it.
_INHERITED: list[Any] = []


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies; exit now if ``parent`` is already gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: no parent-death signal
        return
    if os.getppid() != parent:  # the parent died between fork and prctl, before the signal was armed
        os._exit(1)


def fork_pool(workers: int, inherit: Any = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes that die with this one, each holding ``inherit``."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(), inherit),
    )


def inherited() -> Any:
    """In a worker of :func:`fork_pool`: the object the pool was made with."""
    if not _INHERITED:
        raise RuntimeError("inherited() is only meaningful in a worker of fork_pool()")
    return _INHERITED[0]


def _start_worker(parent: int, inherit: Any) -> None:
    die_with_parent(parent)
    _INHERITED.append(inherit)
