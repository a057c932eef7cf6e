"""Running a request's objects (``generators.storage``) on an engine: this process, a local process pool
(``--workers N``), or a Dask cluster, local or at an address. Every engine maps the same pure partition
functions, so every engine writes the same bytes.

On the pool, an object of one partition (a chunk file, a Parquet file, a day of one chunk) is written whole
by a worker; a CSV day of several chunks is rendered chunk by chunk by the workers to local temporary files,
which this process joins into the day's object in order. On Dask each object is one task (a cluster has
many days to spread: a day file is not cut there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from generators.extras import require
from generators.partitions import Partition, PartitionStats, Request, write_partition
from generators.storage import ObjectStats, Output, OutputObject, copy_part, plan_objects, write_object


class Progress(Protocol):
    def rows(self, count: int) -> None: ...

    def finished(self, stats: ObjectStats) -> None: ...

    def watch_dask(self, client: Any, futures: Sequence[Any]) -> None: ...


class Quiet:
    """No progress shown (a pipe, a test, a small job)."""

    def rows(self, count: int) -> None:
        pass

    def finished(self, stats: ObjectStats) -> None:
        pass

    def watch_dask(self, client: Any, futures: Sequence[Any]) -> None:
        pass


def run_here(objects: Sequence[OutputObject], output: Output, progress: Progress) -> list[ObjectStats]:
    """Every object in this process, one after the other."""
    results = []
    for target in objects:
        stats = write_object(target, output, on_progress=progress.rows)
        progress.finished(stats)
        results.append(stats)
    return results


def render_to_file(partition: Partition, path: str) -> PartitionStats:
    """A pool task: one partition's CSV bytes to a local file."""
    with open(path, "wb") as stream:
        return write_partition(partition, stream)


def run_pool(objects: Sequence[OutputObject], output: Output, workers: int, progress: Progress
             ) -> list[ObjectStats]:
    """The objects on ``workers`` local processes; results in the objects' order."""
    if workers == 1:
        return run_here(objects, output, progress)
    results = []
    with tempfile.TemporaryDirectory(prefix="jaicp-mock-") as folder, ProcessPoolExecutor(workers) as pool:
        tasks = [_submit(pool, number, target, output, folder, progress) for number, target in enumerate(objects)]
        try:
            for target, task in zip(objects, tasks, strict=True):
                stats = task.result() if isinstance(task, Future) else _join(target, output, task)
                progress.finished(stats)
                results.append(stats)
        except BaseException:  # a failed file stops the job: the files not begun are not written
            pool.shutdown(cancel_futures=True)
            raise
    return results


def _submit(pool: ProcessPoolExecutor, number: int, target: OutputObject, output: Output, folder: str,
            progress: Progress) -> Future | dict[Partition, tuple[str, Future]]:
    if len(target.partitions) == 1:
        return _counted(pool.submit(write_object, target, output), progress, lambda stats: stats.rows)
    parts = {}
    for part in target.partitions:
        path = os.path.join(folder, f"{number:06d}.{part.chunk:04d}.csv")
        parts[part] = (path, _counted(pool.submit(render_to_file, part, path), progress, lambda stats: stats.rows))
    return parts


def _counted(future: Future, progress: Progress, rows: Callable[[Any], int]) -> Future:
    """Count a task's rows when it is done (its process cannot reach this one's bar while it runs)."""
    def count(done: Future) -> None:
        if done.exception() is None:
            progress.rows(rows(done.result()))
    future.add_done_callback(count)
    return future


def _join(target: OutputObject, output: Output, parts: dict[Partition, tuple[str, Future]]) -> ObjectStats:
    """A day's chunks, rendered by the workers, joined into its object in order; their files removed."""
    try:
        rendered = {part: (path, task.result()) for part, (path, task) in parts.items()}
        return write_object(target, output, copy_part(rendered))
    finally:
        for path, _ in parts.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


def run_dask(objects: Sequence[OutputObject], output: Output, workers: int, progress: Progress, *,
             scheduler: str | None = None, processes: bool = True) -> list[ObjectStats]:
    """Each object a task on a Dask cluster: the one at ``scheduler``, or a local one of ``workers``
    single-threaded processes (threads with ``processes=False``: for tests)."""
    with dask_client(scheduler, workers, processes) as client:
        futures = client.map(write_object, objects, output=output, pure=False,
                             key=[f"jaicp-mock-{number:06d}" for number in range(len(objects))])
        progress.watch_dask(client, futures)
        results: list[ObjectStats] = client.gather(futures)
    for stats in results:
        progress.finished(stats)
    return results


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int, processes: bool = True) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster bound to 127.0.0.1, closed after."""
    distributed = require("distributed", "--engine dask")
    if scheduler is not None:
        with distributed.Client(scheduler) as client:
            yield client
        return
    network = {"host": "127.0.0.1"} if processes else {}  # threads talk in-process, on no port
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                  dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0",
                                  **network) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def auto_chunks(objects_per_chunk: int, workers: int) -> int:
    """Chunks per day so the pool has at least two tasks per worker: 1 when the days alone give that."""
    wanted = 2 * workers if workers > 1 else 1
    return max(1, -(-wanted // objects_per_chunk))


def run_job(request: Request, output: Output, **options: Any) -> list[ObjectStats]:
    """Write a request's objects on an engine (see run_objects); results in the objects' order."""
    return run_objects(plan_objects(request, output), output, **options)


def run_objects(objects: Sequence[OutputObject], output: Output, *, engine: str = "local", workers: int = 1,
                scheduler: str | None = None, progress: Progress | None = None) -> list[ObjectStats]:
    """Write objects on an engine of ENGINES: ``local`` (this process, or a pool of ``workers``) or ``dask``
    (the cluster at ``scheduler``, or a local one of ``workers`` processes)."""
    shown = progress or Quiet()
    runners: dict[str, Callable[[], list[ObjectStats]]] = {
        "local": lambda: run_pool(objects, output, workers, shown),
        "dask": lambda: run_dask(objects, output, workers, shown, scheduler=scheduler),
    }
    return runners[engine]()


ENGINES = ("local", "dask")
