"""Day files on disk, written once per (account, day, version) and never changed after.

A version's file is generated lazily on its first download, in a background thread, into a part file
(``.<name>.part-<pid>-<random>``) renamed into place when whole, so the final path holds a whole file or none; a
download that started on version 1 finishes on version 1 even if version 2 lands meanwhile. The bytes are the
same whenever and wherever they are made, so two processes that each generate a day agree byte for byte.

A big day does not keep its first reader waiting: after :data:`FIRST_WAIT` seconds the reader gets a
:class:`Growing` file and follows the part file as the generator appends to it (it only ever appends, so a
reader never sees a torn byte). Closing the store stops generation at the next batch of rows and removes the
part file; opening one removes part files whose process is gone (a ``kill -9``).
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import secrets
import threading
import time
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO

from generators.csvformat import rows_to_bytes
from generators.export import write_day
from mock_server.config import AccountConfig

FIRST_WAIT = 0.3
"""Seconds a first download waits for its file before it streams the file as it grows."""
READ_BYTES = 64 * 1024
STOP_WAIT = 0.5
"""Seconds closing waits for generations to stop by themselves."""


class Stopped(Exception):
    """Generation was stopped because the store is closing."""


def file_mode() -> int:
    """The mode a new file gets from the process's umask (``os.umask`` can only be read by setting it)."""
    mask = os.umask(0o22)
    os.umask(mask)
    return 0o666 & ~mask


def remove_stale_parts(root: Path) -> int:
    """Remove part files left by processes that are gone; how many. A live process's part file is kept."""
    removed = 0
    for part in root.glob("*/.*.part-*"):
        pid = part.name.rpartition(".part-")[2].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                part.unlink()
                removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(eq=False)
class Growing:
    """A file being generated: its part file grows until ``done`` is set (then ``path`` holds it whole).

    ``head`` is the file's first bytes, known before generation starts (the CSV header row, from the account's
    dialect): a reader sends them at once, so a client sees its answer start while the day's plan is drawn,
    and checks them against the file when the file has them.
    """

    path: Path
    part: Path
    head: bytes = b""
    done: threading.Event = field(default_factory=threading.Event)
    failed: BaseException | None = None
    grew: threading.Condition = field(default_factory=threading.Condition)

    def progressed(self) -> None:
        with self.grew:
            self.grew.notify_all()

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes as they are written, to the end; raises if generation failed or stopped."""
        if self.head:
            yield self.head
        with self._open() as stream:
            unchecked = len(self.head)
            while True:
                finished = self.done.is_set()  # read before the bytes: after it is set nothing more is written
                chunk = stream.read(READ_BYTES)
                if not chunk:
                    if finished:
                        if self.failed is not None:
                            raise self.failed
                        return
                    with self.grew:
                        self.grew.wait(0.05)
                    continue
                if unchecked:
                    offset = len(self.head) - unchecked
                    checked, chunk = chunk[:unchecked], chunk[unchecked:]
                    if checked != self.head[offset:offset + len(checked)]:
                        raise RuntimeError(f"{self.path.name}: the file does not start with the bytes sent first")
                    unchecked -= len(checked)
                if chunk:
                    yield chunk

    def _open(self) -> BinaryIO:
        try:
            return open(self.part, "rb")
        except FileNotFoundError:  # finished (renamed) or failed between the look-up and now
            self.done.wait()
            if self.failed is not None:
                raise self.failed from None
            return open(self.path, "rb")


class FileStore:
    """Day files on disk: ``files/<account>-<content key>/<yyyy-mm-dd>.v<version>.csv``, written once.

    The folder carries a hash of what decides the bytes (seed, account spec, dialect), so a changed
    configuration on an old data dir never serves stale files. Paths are built from validated numbers only.
    """

    LOCKS = 64
    CACHE_BYTES = 64 * 1024 * 1024
    """Memory for small files' bytes (see :meth:`read_cached`)."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.seed = seed
        self._keys: dict[int, tuple[AccountConfig, str]] = {}
        self._locks = [threading.Lock() for _ in range(self.LOCKS)]
        self._known: dict[tuple[int, date, int], tuple[AccountConfig, Path, int]] = {}
        self._cache: collections.OrderedDict[Path, bytes] = collections.OrderedDict()
        self._cache_lock = threading.Lock()
        self._cached_bytes = 0
        self._growing: dict[Path, Growing] = {}
        self._growing_lock = threading.Lock()
        self._stopping = threading.Event()
        self._mode = file_mode()
        if root.is_dir():
            remove_stale_parts(root)

    def path(self, account: AccountConfig, day: date, version: int) -> Path:
        cached = self._keys.get(account.id)
        if cached is None or cached[0] is not account:
            cached = self._keys[account.id] = (account, account.content_key(self.seed))
        key = cached[1]
        return self.root / f"{account.id}-{key}" / f"{day.isoformat()}.v{int(version)}.csv"

    def ensure(self, account: AccountConfig, day: date, version: int) -> Path:
        """The file's path, generating the file first if this is its first request."""
        return self.open(account, day, version)[0]

    def open(self, account: AccountConfig, day: date, version: int) -> tuple[Path, int]:
        """The file's path and size, generating the file first (and waiting for it) if this is its first request.

        A version's file never changes once written, so its size is remembered and later requests skip the
        filesystem; :meth:`forget` drops a file whose path turned out to be gone (someone cleaned the data dir).
        """
        found = self.start(account, day, version, wait=None)
        assert not isinstance(found, Growing)
        return found

    def start(self, account: AccountConfig, day: date, version: int, wait: float | str | None = "first"
              ) -> tuple[Path, int] | Growing:
        """The file's path and size when it is whole within ``wait`` seconds (None: however long it takes;
        ``"first"``: :data:`FIRST_WAIT`); else the :class:`Growing` file to follow. Starts its generation if
        nobody in this process has."""
        if isinstance(wait, str):
            wait = FIRST_WAIT
        known = self._known.get((account.id, day, version))
        if known is not None and known[0] is account:
            return known[1], known[2]
        path = self.path(account, day, version)
        if not path.is_file():
            growing = self._generation(account, day, version, path)
            if not growing.done.wait(wait):
                return growing
            if growing.failed is not None:
                raise growing.failed
        size = path.stat().st_size
        self._known[(account.id, day, version)] = (account, path, size)
        return path, size

    def _generation(self, account: AccountConfig, day: date, version: int, path: Path) -> Growing:
        """The generation of ``path`` in this process, started now if none runs."""
        with self._growing_lock:
            growing = self._growing.get(path)
            if growing is None:
                if self._stopping.is_set():
                    raise Stopped("the server is stopping")
                part = path.with_name(f".{path.name}.part-{os.getpid()}-{secrets.token_hex(4)}")
                part.parent.mkdir(parents=True, exist_ok=True)
                stream = open(part, "wb")  # noqa: SIM115 - the generating thread closes it
                growing = self._growing[path] = Growing(path, part, rows_to_bytes((), account.dialect()))
                threading.Thread(target=self._generate, args=(account, day, version, growing, stream),
                                 name=f"generate-{path.name}", daemon=True).start()
            return growing

    def _generate(self, account: AccountConfig, day: date, version: int, growing: Growing, stream: BinaryIO
                  ) -> None:
        def progress(rows: int) -> None:
            stream.flush()
            growing.progressed()
            if self._stopping.is_set():
                raise Stopped("the server is stopping")

        try:
            with stream:
                write_day(stream, account.spec(), day, version=version, seed=self.seed, dialect=account.dialect(),
                          on_progress=progress)
            os.chmod(growing.part, self._mode)
            os.replace(growing.part, growing.path)
        except BaseException as error:  # handed to every reader, then the part file goes
            growing.failed = error
            with contextlib.suppress(FileNotFoundError):
                growing.part.unlink()
        finally:
            with self._growing_lock:
                self._growing.pop(growing.path, None)
            growing.done.set()
            growing.progressed()

    def close(self) -> None:
        """Stop every generation in progress, promptly and leaving no part file.

        Each stops at its next batch of rows and removes its part file; one still busy after
        :data:`STOP_WAIT` (drawing a big day's plan comes before the first batch) has its part file removed
        here, its readers are ended, and its daemon thread ends with the process (its rename then fails,
        harmlessly).
        """
        self._stopping.set()
        with self._growing_lock:
            running = list(self._growing.values())
        deadline = time.monotonic() + STOP_WAIT
        for growing in running:
            if not growing.done.wait(max(0.0, deadline - time.monotonic())):
                with contextlib.suppress(FileNotFoundError):
                    growing.part.unlink()
                growing.failed = Stopped("the server is stopping")  # its readers end now, not with the thread
                growing.done.set()
                growing.progressed()

    def forget(self, path: Path) -> None:
        for key, (_, known_path, _) in list(self._known.items()):
            if known_path == path:
                self._known.pop(key, None)
        with self._cache_lock:
            data = self._cache.pop(path, None)
            if data is not None:
                self._cached_bytes -= len(data)

    def read_cached(self, path: Path) -> bytes:
        """A small file's bytes, from memory after the first read (files never change, so the copy stays right).

        Serving small files from memory avoids an open/read/close per download; each of those releases the GIL,
        and under load every release can cost a thread switch. The cache is bounded (least recently used out).
        """
        data = self._cache.get(path)
        if data is not None:
            return data
        with open(path, "rb") as stream:
            data = stream.read()
        with self._cache_lock:
            if path not in self._cache:
                self._cache[path] = data
                self._cached_bytes += len(data)
                while self._cached_bytes > self.CACHE_BYTES and len(self._cache) > 1:
                    _, dropped = self._cache.popitem(last=False)
                    self._cached_bytes -= len(dropped)
            else:
                self._cache.move_to_end(path)
        return data

    def expected_bytes(self, account: AccountConfig, day: date, version: int) -> bytes:
        """The bytes the server serves for this version, computed afresh by the same generator call."""
        return b"".join(self.expected_chunks(account, day, version))

    def expected_chunks(self, account: AccountConfig, day: date, version: int) -> Iterator[bytes]:
        """The same bytes as they are made, in pieces, in bounded memory (a queue between two threads)."""
        import queue

        pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=16)

        class Sink(io.RawIOBase):
            def writable(self) -> bool:
                return True

            def write(self, data) -> int:
                pieces.put(bytes(data))
                return len(data)

        def produce() -> None:
            try:
                sink = typing.cast(BinaryIO, Sink())  # a raw stream: its writes are the pieces
                write_day(sink, account.spec(), day, version=version, seed=self.seed, dialect=account.dialect())
                pieces.put(None)
            except BaseException as error:  # re-raised in the reader
                pieces.put(error)

        threading.Thread(target=produce, daemon=True, name="expected-bytes").start()
        while (piece := pieces.get()) is not None:
            if isinstance(piece, BaseException):
                raise piece
            yield piece
