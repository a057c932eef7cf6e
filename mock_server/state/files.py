"""Day files on disk, written once per (account, day, version) and never changed after.

A version's file is generated lazily on its first download, into a temporary file renamed into place
(:func:`generators.export.write_day_file`), so a reader sees a whole file or none; a download that started on
version 1 finishes on version 1 even if version 2 lands meanwhile. The bytes are the same whenever they are made.
"""

from __future__ import annotations

import collections
import threading
from datetime import date
from pathlib import Path

from generators.export import day_bytes, write_day_file
from mock_server.config import AccountConfig


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
        """The file's path and size, generating the file first if this is its first request.

        A version's file never changes once written, so its size is remembered and later requests skip the
        filesystem; :meth:`forget` drops a file whose path turned out to be gone (someone cleaned the data dir).
        """
        known = self._known.get((account.id, day, version))
        if known is not None and known[0] is account:
            return known[1], known[2]
        path = self.path(account, day, version)
        with self._locks[hash(path) % self.LOCKS]:  # one writer per file in this process; others wait for it
            if not path.is_file():
                write_day_file(path, account.spec(), day, version=version, seed=self.seed,
                               dialect=account.dialect())
            size = path.stat().st_size
            self._known[(account.id, day, version)] = (account, path, size)
        return path, size

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
        return day_bytes(account.spec(), day, version=version, seed=self.seed, dialect=account.dialect())
