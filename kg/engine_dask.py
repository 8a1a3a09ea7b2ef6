"""The Dask engine (see :mod:`kg.engine`): the per-paper stage mapped over partitions on Dask workers.

Kept apart from :mod:`kg.engine` so that an in-process build never imports ``distributed``.

How a build runs on Dask:

1. connect: ``local:N`` starts a ``LocalCluster`` of N worker processes (one thread each, the cores split
   between them for torch); ``tcp://HOST:PORT`` connects to a running scheduler within
   ``connect_timeout`` seconds, else :class:`kg.errors.EngineError` naming the address;
2. the stage (cloudpickled, without its loaded model) is registered as a worker plugin: every worker,
   including one that restarts after a crash, unpickles it once in ``setup``, and loads the model on
   first use, once;
3. the papers go out as partitions, each a task retried twice; finished partitions come back as they
   complete and are stored at once. A worker that dies on the same partition more often than the
   scheduler allows (``distributed.scheduler.allowed-failures``) ends the build with an EngineError;
   earlier exports are untouched and the partitions already finished are kept for the next build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Sequence

import cloudpickle
from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from kg.engine import OnPartition, dask_partition_size, partitions
from kg.errors import EngineError
from kg.extract.per_paper import PaperResult, PaperStage
from kg.model import Paper

RETRIES = 2


class StagePlugin(WorkerPlugin):
    """Carries the per-paper stage to each worker and unpickles it there once."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.stage: PaperStage | None = None

    def setup(self, worker) -> None:
        self.stage = cloudpickle.loads(self.payload)


def run_partition(papers: Sequence[Paper], plugin: str) -> list[PaperResult]:
    """The task: the worker's own stage (set up by :class:`StagePlugin`) over one partition."""
    return get_worker().plugins[plugin].stage(papers)


class DaskEngine:
    """Runs the per-paper stage on a Dask cluster (``local:N`` or ``tcp://HOST:PORT``)."""

    def __init__(self, scheduler: str, connect_timeout: float = 10.0):
        self.scheduler = scheduler
        self.connect_timeout = connect_timeout
        self._cluster: LocalCluster | None = None
        self._client: Client | None = None

    def describe(self) -> str:
        return f"dask ({self.scheduler})"

    def client(self) -> Client:
        """The client, connecting (or starting the local cluster) on first use."""
        if self._client is not None:
            return self._client
        if self.scheduler.startswith("local:"):
            n = int(self.scheduler.removeprefix("local:"))
            threads = max(1, (os.cpu_count() or 1) // n)
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
                env={"KG_TORCH_THREADS": str(threads)},
            )
            self._client = Client(self._cluster)
            return self._client
        try:
            self._client = Client(self.scheduler, timeout=self.connect_timeout)
            self._client.wait_for_workers(1, timeout=self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise EngineError(
                self.scheduler,
                f"cannot reach the Dask scheduler, or it has no workers, within "
                f"{self.connect_timeout:g} s ({type(exc).__name__}: {exc})",
            ) from None
        return self._client

    def map(self, stage: PaperStage, papers: Sequence[Paper], done: OnPartition) -> None:
        if not papers:
            return
        client = self.client()
        name = f"kg-paper-stage-{uuid.uuid4().hex}"
        client.register_plugin(StagePlugin(cloudpickle.dumps(stage)), name=name)
        parts = partitions(papers, dask_partition_size(len(papers), len(client.scheduler_info()["workers"])))
        futures = client.map(run_partition, parts, plugin=name, retries=RETRIES, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in as_completed(futures):
                done(parts[index[future.key]], future.result())
        except KilledWorker as exc:
            raise EngineError(
                self.describe(),
                f"a worker died on every try of one partition of papers ({exc}); "
                "the build stopped, earlier exports are untouched",
            ) from None
        except (OSError, TimeoutError, FutureCancelledError) as exc:
            raise EngineError(self.describe(), f"lost the Dask scheduler ({type(exc).__name__}: {exc})") from None
        finally:
            client.cancel(futures)
            with contextlib.suppress(Exception):  # the cluster may be gone: nothing to undo then
                client.unregister_worker_plugin(name)

    def close(self) -> None:
        for resource in (self._client, self._cluster):
            if resource is not None:
                resource.close()
        self._client = self._cluster = None
