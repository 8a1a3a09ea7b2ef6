"""The query workers of ``kg serve``: processes that each hold the graph, under a time and a memory limit.

rdflib (and Oxigraph through oxrdflib) can neither interrupt a running query nor bound its memory, so every
query runs in a worker *process* (``spawn``, as the server has threads) that loaded its own copy of the graph:

* **time**: a query still running after ``timeout`` seconds gets a 503 saying so; its worker is killed
  (SIGKILL) and a fresh one is started in the background while the other workers keep answering.
* **memory**: each worker runs under ``RLIMIT_AS`` (its address space, ``memory_limit`` MiB). A query that
  needs more fails its allocation: rdflib raises ``MemoryError``, Oxigraph's Rust code aborts the process.
  Either way the client gets a 503 that names the limit, and the worker is replaced.
* **crash**: a worker that dies for any other reason (a signal) costs a 503 and is replaced too.

The address-space limit counts reserved, not only used, memory (the 64 MiB stack of the query thread,
malloc's arenas), so it is set well above what a graph needs; loading a graph that needs more than the limit
fails at start with a message that names ``--memory-limit``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import resource
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import InputError
from kg.query import load_graph
from kg.query.guard import with_deep_stack
from kg.query.protocol import Reply, answer

if TYPE_CHECKING:  # the options are checked where they are made, in serve.py
    from kg.query.serve import ServeOptions

log = logging.getLogger("kg.query.pool")

_MIB = 1 << 20
# how a worker over RLIMIT_AS dies: Rust's allocation failure aborts; the kernel's OOM killer sends SIGKILL
_OUT_OF_MEMORY_SIGNALS = (signal.SIGABRT, signal.SIGKILL)


def memory_message(limit_mib: int) -> str:
    """The 503 text for a query stopped by the memory limit."""
    return (
        f"query stopped: it needed more memory than the limit of {limit_mib:,} MiB per query worker "
        "(kg serve --memory-limit); the worker is being restarted"
    )


# ------------------------------------------------------------------ a worker (its own process)


def _worker_main(conn, path: str, store: str, memory_limit_mib: int) -> None:  # noqa: ANN001 (a Connection)
    """A query worker: limit its memory, load the graph once, then answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_address_space(memory_limit_mib)
    try:
        graph = load_graph(path, store)
    except InputError as exc:
        if isinstance(exc.__cause__, MemoryError):
            exc = InputError(path, f"loading the graph needs more than {memory_limit_mib:,} MiB (--memory-limit)")
        conn.send(("error", str(exc)))
        return
    except MemoryError:
        conn.send(("error", f"{path}: loading the graph needs more than {memory_limit_mib:,} MiB (--memory-limit)"))
        return
    conn.send(("ready", len(graph)))
    with_deep_stack(_answer_requests, conn, graph, memory_limit_mib)  # rdflib recurses per nesting level


def _limit_address_space(limit_mib: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit_mib * _MIB if hard == resource.RLIM_INFINITY else min(limit_mib * _MIB, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _answer_requests(conn, graph: Graph, memory_limit_mib: int) -> None:  # noqa: ANN001 (a Connection)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(graph, **request)
        except MemoryError:
            # the half-built result is garbage now; a fresh process is the only sure way back to a clean heap
            conn.send(Reply(503, "text/plain", (memory_message(memory_limit_mib) + "\n").encode(), restart=True))
            return
        conn.send(reply)


# ------------------------------------------------------------------ the pool (in the server)


class _Worker:
    def __init__(self, path: Path, store: str, memory_limit_mib: int):
        ctx = multiprocessing.get_context("spawn")  # no fork: the server has threads
        self.conn, child = ctx.Pipe()
        args = (child, str(path), store, memory_limit_mib)
        self.process = ctx.Process(target=_worker_main, args=args, daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self, path: Path, timeout: float, memory_limit_mib: int) -> int:
        if not self.conn.poll(timeout):
            self.kill()
            raise InputError(path, f"a query worker did not load the graph within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except EOFError:
            self.kill()
            hint = f"out of memory? each worker may use {memory_limit_mib:,} MiB: --memory-limit"
            raise InputError(path, f"a query worker died while loading the graph ({hint})") from None
        if status != "ready":
            self.kill()
            raise InputError(path, str(detail).removeprefix(f"{path}: "))
        return int(detail)

    def death_message(self, memory_limit_mib: int) -> str:
        """Why the worker's pipe closed, from its exit status (after it is reaped)."""
        self.process.join(2)
        code = self.process.exitcode
        if code is not None and code < 0 and -code in _OUT_OF_MEMORY_SIGNALS:
            return memory_message(memory_limit_mib)
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit status {code}"
        return f"the query worker crashed ({how}); it is being restarted"

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryPool:
    """Worker processes that each hold the graph; a query over a limit costs its worker, never the server."""

    def __init__(self, path: Path, options: ServeOptions):
        self.path, self.options = Path(path), options
        self.memory_limit_mib = options.worker_memory_mib
        self.triples = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _new_worker(self) -> _Worker:
        return _Worker(self.path, self.options.store, self.memory_limit_mib)

    def start(self) -> None:
        """Start the workers and wait until each has loaded the graph (InputError if it cannot)."""
        workers = [self._new_worker() for _ in range(self.options.workers)]
        self._all.update(workers)
        try:
            for w in workers:
                self.triples = w.wait_ready(self.path, self.options.load_timeout, self.memory_limit_mib)
        except BaseException:
            self.close()
            raise
        for w in workers:
            self._idle.put_nowait(w)

    def _spawn_ready(self) -> _Worker | None:
        with self._lock:
            if self._closed:
                return None
            w = self._new_worker()
            self._all.add(w)
        try:
            w.wait_ready(self.path, self.options.load_timeout, self.memory_limit_mib)
        except InputError as exc:
            log.error("kg serve: could not restart a query worker: %s", exc)
            self._forget(w)
            return None
        return w

    def _forget(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    async def _replace(self) -> None:
        w = await asyncio.to_thread(self._spawn_ready)
        if w is not None:
            self._idle.put_nowait(w)

    def _retire(self, w: _Worker) -> None:
        """Kill ``w`` now and start its replacement in the background."""
        self._forget(w)
        asyncio.get_running_loop().create_task(self._replace())

    async def execute(self, query: str, accept: str | None, fmt: str | None = None) -> Reply:
        limit = self.options.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout=limit)
        except TimeoutError:
            busy = f"all {self.options.workers} query workers stayed busy for {limit:g} s; retry later"
            return Reply.text(503, busy)
        request = {
            "query": query,
            "accept": accept,
            "row_limit": self.options.row_limit,
            "fmt": fmt,
            "limits": self.options.limits,
        }
        try:
            worker.conn.send(request)
            done = await asyncio.to_thread(worker.conn.poll, limit)
            reply = worker.conn.recv() if done else None
        except (EOFError, OSError, BrokenPipeError):
            message = await asyncio.to_thread(worker.death_message, self.memory_limit_mib)
            self._retire(worker)
            return Reply.text(503, message)
        if reply is None:
            self._retire(worker)
            stopped = f"query stopped: it ran longer than the time limit of {limit:g} s (kg serve --timeout)"
            return Reply.text(503, stopped)
        if reply.restart:
            self._retire(worker)
        else:
            self._idle.put_nowait(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()
