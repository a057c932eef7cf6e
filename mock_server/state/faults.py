"""Injected faults: the next N requests to a path (or every platform path) answer 429/500/502/503/504.

One validator (:func:`fault_problem`) serves the control API and the test handle; the storage of faults is
:class:`FaultStore` on the state's SQLite database. A fault is answered before authentication.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from mock_server.errors import FAULT_CODES
from mock_server.urls import is_control_path

FAULT_STATUSES = tuple(sorted(FAULT_CODES))
MAX_FAULT_TIMES = 1_000_000
MAX_RETRY_AFTER = 86_400
MAX_FAULT_PATH = 2048
_COLUMNS = "id, status, times, remaining, path, retry_after"


@dataclass(frozen=True, slots=True)
class Fault:
    """An injected failure: the next ``remaining`` matching requests answer ``status`` (before authentication).

    ``path`` None matches every request outside the control API; else the exact request path.
    """

    id: int
    status: int
    times: int
    remaining: int
    path: str | None
    retry_after: int | None

    def matches(self, path: str) -> bool:
        return self.path is None or self.path == path


def fault_problem(status: object, times: object, path: object, retry_after: object) -> tuple[str, str] | None:
    """The first bad field of a fault as (field, reason), or None when the fault is valid."""
    if isinstance(status, bool) or status not in FAULT_STATUSES:
        return "status", "required, one of " + ", ".join(str(code) for code in FAULT_STATUSES)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_FAULT_TIMES:
        return "times", f"a whole number of requests from 1 to {MAX_FAULT_TIMES:,}"
    if path is not None:
        reason = "an exact request path such as /restapi/rawlogs/03-03-2026.csv (no query), or null for every path"
        if not isinstance(path, str) or not path.startswith("/") or len(path) > MAX_FAULT_PATH \
                or not path.isprintable() or "?" in path:
            return "path", reason
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            return "path", reason
        if is_control_path(path):
            return "path", "faults apply to the platform's endpoints, never to the control API under /_mock/"
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int)
                                    or not 0 <= retry_after <= MAX_RETRY_AFTER):
        return "retry_after", f"a whole number of seconds from 0 to {MAX_RETRY_AFTER}, or null for no Retry-After"
    return None


def check_fault(status: object, times: object, path: object, retry_after: object) -> None:
    """Raise ValueError naming the first bad field of a fault."""
    problem = fault_problem(status, times, path, retry_after)
    if problem is not None:
        raise ValueError(f"{problem[0]}: {problem[1]}")


class FaultStore:
    """The ``faults`` table; every change is one write transaction of the state's storage."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]) -> None:
        self._transaction = transaction

    def add(self, status: int, times: int, path: str | None, retry_after: int | None) -> Fault:
        check_fault(status, times, path, retry_after)
        with self._transaction() as db:
            fault_id = db.execute("INSERT INTO faults (status, times, remaining, path, retry_after) "
                                  "VALUES (?, ?, ?, ?, ?)", (status, times, times, path, retry_after)).lastrowid
        assert fault_id is not None
        return Fault(fault_id, status, times, times, path, retry_after)

    def clear(self) -> int:
        """Remove every fault; how many there were."""
        with self._transaction() as db:
            return db.execute("DELETE FROM faults").rowcount

    def remove(self, fault_id: int) -> bool:
        """Remove one fault; False when there was none with that id (or it was used up)."""
        with self._transaction() as db:
            return db.execute("DELETE FROM faults WHERE id = ? AND remaining > 0", (fault_id,)).rowcount > 0

    def take(self, path: str, active: tuple[Fault, ...]) -> Fault | None:
        """The fault that answers a request to ``path``, with one use consumed; None when none applies.

        Free when no fault is set: ``active`` (the cached snapshot's faults) is checked first, and SQLite is
        touched only when one of them matches. Consuming is one ``BEGIN IMMEDIATE`` transaction, so two
        processes on one data dir never use one fault's last use twice. The oldest matching fault goes first;
        a used-up one is deleted.
        """
        if not active or not any(fault.matches(path) for fault in active):
            return None
        with self._transaction() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM faults WHERE remaining > 0 AND (path IS NULL OR path = ?) "
                             "ORDER BY id LIMIT 1", (path,)).fetchone()
            if row is None:
                return None
            fault = Fault(row[0], row[1], row[2], row[3] - 1, row[4], row[5])
            if fault.remaining:
                db.execute("UPDATE faults SET remaining = ? WHERE id = ?", (fault.remaining, fault.id))
            else:
                db.execute("DELETE FROM faults WHERE id = ?", (fault.id,))
        return fault


def load_faults(db: sqlite3.Connection) -> tuple[Fault, ...]:
    """The active faults, oldest first."""
    return tuple(Fault(*row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM faults WHERE remaining > 0 ORDER BY id"))

