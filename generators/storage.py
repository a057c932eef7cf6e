"""Where partitions go: day files or chunk files of the platform's CSV (optionally gzip), or Parquet by
``date=``, at a local path or any fsspec URL (``s3://``, ``gs://``, ``memory://`` ...).

An *object* is one output file and the partitions written into it, in order: a CSV day file holds all of a
day's chunks, a chunk file or a Parquet file one. Every object is written whole or not at all: a local file
goes to a temporary file beside it, moved into place by ``os.replace``; an object store's object is first
written to a local temporary file (removed when the write ends, however it ends) and then uploaded by one
``put_file``: a single PUT, or a multipart upload that the store shows only once it completes.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, cast

from generators.csvformat import BUFFER_SIZE, atomic_output
from generators.extras import require
from generators.partitions import Partition, PartitionStats, Request, write_partition
from generators.schema import file_day

FORMATS = ("csv", "parquet")
LAYOUTS = ("day", "chunk")
COMPRESSIONS = ("none", "gzip")
GZIP_LEVEL = 6
"""zlib's default: most of level 9's size at a fraction of its time."""

PartWriter = Callable[[Partition, BinaryIO, Callable[[int], object] | None], PartitionStats]


@dataclass(frozen=True, slots=True)
class Output:
    """How and where a request's data is written. ``storage_options`` go to fsspec (endpoint, key ...)."""

    root: str
    format: str = "csv"
    layout: str = "day"
    compression: str = "none"
    storage_options: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        for name, value, accepted in (("format", self.format, FORMATS), ("layout", self.layout, LAYOUTS),
                                      ("compression", self.compression, COMPRESSIONS)):
            if value not in accepted:
                raise ValueError(f"{name} {value!r}: expected one of {', '.join(accepted)}")
        if self.format == "parquet" and self.compression != "none":
            raise ValueError("compression applies to CSV; Parquet is compressed inside (zstd)")

    @property
    def splits_days(self) -> bool:
        """Whether every chunk is an object of its own (else a CSV day file joins its day's chunks)."""
        return self.format == "parquet" or self.layout == "chunk"


@dataclass(frozen=True, slots=True)
class OutputObject:
    """One output file and the partitions it holds, in order."""

    url: str
    partitions: tuple[Partition, ...]

    @property
    def day(self) -> date:
        return self.partitions[0].day


@dataclass(frozen=True, slots=True)
class ObjectStats:
    url: str
    day: date
    rows: int
    sessions: int
    returning: int
    parts: tuple[PartitionStats, ...] = field(default=(), compare=False)


def plan_objects(request: Request, output: Output) -> list[OutputObject]:
    """The objects a request writes, in the order of the days (a single file when the root names one)."""
    partitions = request.partitions()
    if output.splits_days:
        return [OutputObject(_join(output.root, _chunk_name(request, output, part)), (part,)) for part in partitions]
    groups: dict[tuple[date, int], list[Partition]] = {}
    for part in partitions:
        groups.setdefault((part.day, part.version), []).append(part)
    if len(groups) == 1 and not _is_folder(output.root):
        return [OutputObject(output.root, tuple(partitions))]
    return [OutputObject(_join(output.root, _version_prefix(request, version) + f"{file_day(day)}.csv"
                               + _gzip_suffix(output)), tuple(parts))
            for (day, version), parts in groups.items()]


def _chunk_name(request: Request, output: Output, part: Partition) -> str:
    prefix = _version_prefix(request, part.version)
    if output.format == "parquet":
        return f"{prefix}date={part.day.isoformat()}/part-{part.chunk:04d}.parquet"
    return f"{prefix}{file_day(part.day)}.part-{part.chunk:04d}.csv{_gzip_suffix(output)}"


def _version_prefix(request: Request, version: int) -> str:
    """Several versions of a day live side by side, each in its own ``version=N/`` folder."""
    return f"version={version}/" if len(request.versions) > 1 else ""


def _gzip_suffix(output: Output) -> str:
    return ".gz" if output.compression == "gzip" else ""


def _is_folder(root: str) -> bool:
    if root.endswith(("/", "\\")):
        return True
    if is_local(root):
        return Path(root.removeprefix("file://")).is_dir()
    fs, path = url_to_fs(root)
    return bool(fs.isdir(path))


def _join(root: str, name: str) -> str:
    return root.rstrip("/\\") + "/" + name


def url_to_fs(url: str, storage_options: tuple[tuple[str, object], ...] = ()) -> tuple[Any, str]:
    """fsspec's filesystem and path for a local path or a URL."""
    core = require("fsspec.core", "writing to a URL")
    return core.url_to_fs(url, **dict(storage_options))


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


@contextlib.contextmanager
def open_object(url: str, storage_options: tuple[tuple[str, object], ...] = ()) -> Iterator[BinaryIO]:
    """A binary stream whose bytes become the object at ``url`` only when the block ends without an error."""
    if is_local(url):
        with atomic_output(url.removeprefix("file://")) as stream:
            yield stream
        return
    fs, path = url_to_fs(url, storage_options)
    with tempfile.NamedTemporaryFile(prefix="jaicp-mock-", suffix=".part") as spool:
        yield spool  # type: ignore[misc]
        spool.flush()
        fs.put_file(spool.name, path)


def write_object(target: OutputObject, output: Output, write_part: PartWriter | None = None,
                 on_progress: Callable[[int], object] | None = None) -> ObjectStats:
    """Write one object: each of its partitions in order, through gzip when asked (one gzip stream per
    object, so a day's bytes do not depend on how it was cut)."""
    write = write_part or part_writer(output.format)
    with open_object(target.url, output.storage_options) as raw, _compressed(raw, output.compression) as stream:
        parts = tuple(write(part, stream, on_progress) for part in target.partitions)
    return ObjectStats(target.url, target.day, sum(part.rows for part in parts), parts[-1].sessions,
                       parts[-1].returning, parts)


@contextlib.contextmanager
def _compressed(raw: BinaryIO, compression: str) -> Iterator[BinaryIO]:
    if compression == "none":
        yield raw
        return
    # mtime 0 and no name: the same bytes on every run
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0) as stream:
        yield cast(BinaryIO, _Unflushed(stream))


class _Unflushed(io.BufferedIOBase):
    """Writes go to a gzip stream, flushes do not: each flush ends a deflate block, so a flush per partition
    would make a day's bytes depend on how it was cut."""

    def __init__(self, stream: gzip.GzipFile) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return self._stream.write(data)

    def flush(self) -> None:
        pass


def part_writer(format_name: str) -> PartWriter:
    """The function that writes one partition in ``format_name`` to a stream."""
    if format_name == "parquet":
        from generators.tables import write_parquet

        return write_parquet
    return write_partition


def copy_part(rendered: dict[Partition, tuple[str, PartitionStats]]) -> PartWriter:
    """A part writer that copies partitions already rendered to local files (by a pool's workers)."""
    def write(part: Partition, stream: BinaryIO, on_progress: Callable[[int], object] | None) -> PartitionStats:
        path, stats = rendered[part]
        with open(path, "rb") as source:
            shutil.copyfileobj(source, stream, BUFFER_SIZE)
        return stats
    return write
