"""The request journal: the last requests the mock answered (not the control API's own), for test assertions.

Kept in memory, per process: two processes on one data dir each journal their own requests. The hot path
records a tuple; the JSON view is made only when the control API or a test reads it.
"""

from __future__ import annotations

import collections
import threading
from datetime import datetime
from typing import NamedTuple

from mock_server.clock import format_instant

JOURNAL_CAPACITY = 1000


class JournalEntry(NamedTuple):
    """One answered request as recorded on the hot path; turned into the journal's JSON shape only when read."""

    at: datetime
    method: str
    path: str
    query: str
    status: int
    login: str | None
    error: str | None
    version: int | None
    duration_ms: float
    remote_addr: str | None
    headers: dict[str, str]

    def as_dict(self) -> dict:
        return {"at": format_instant(self.at), "method": self.method, "path": self.path, "query": self.query,
                "status": self.status, "login": self.login, "error": self.error, "version": self.version,
                "durationMs": round(self.duration_ms, 3), "remoteAddr": self.remote_addr, "headers": self.headers}


class Journal:
    """The last ``capacity`` requests the mock answered (not the control API's own), for test assertions.

    Kept in memory, per process: two processes on one data dir each journal their own requests.
    """

    def __init__(self, capacity: int = JOURNAL_CAPACITY) -> None:
        self.capacity = capacity
        self._entries: collections.deque[JournalEntry | dict] = collections.deque(maxlen=capacity)
        self._lock = threading.Lock()
        self._total = 0

    def record(self, entry: JournalEntry | dict) -> None:
        with self._lock:
            self._total += 1
            self._entries.append(entry)

    def entries(self, limit: int | None = None) -> list[dict]:
        """The recorded requests as JSON-ready dicts, oldest first (the last ``limit`` of them)."""
        with self._lock:
            items = list(self._entries)
        if limit is not None:
            items = items[-limit:] if limit else []
        return [item.as_dict() if isinstance(item, JournalEntry) else item for item in items]

    @property
    def total(self) -> int:
        return self._total

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = 0
