"""Injected faults: the next N matching requests answer an error status (429/500/502/503/504), or meet a network
fault (a delay, a slow body, a reset, an empty answer, a truncated body, a malformed chunk, random bytes, a corrupt
gzip body).

One validator (:func:`fault_problem`) serves the control API and the test handle; the storage of faults is
:class:`FaultStore` on the state's SQLite database. A fault is chosen before authentication; how a network fault
acts on the wire is :mod:`mock_server.wire`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from generators.model import stable_int
from mock_server.errors import FAULT_CODES
from mock_server.urls import is_control_path

FAULT_STATUSES = tuple(sorted(FAULT_CODES))
MAX_FAULT_TIMES = 1_000_000
MAX_RETRY_AFTER = 86_400
MAX_FAULT_PATH = 2048
MAX_DELAY_MS = 60_000
"""A delay or a dribble's pause takes real time (a client's timeout measures it), so each is bounded."""
MAX_CUT_BYTES = 65_536
"""Body bytes a reset or a truncation sends before the cut (they fit a socket's buffer)."""
METHODS = ("GET", "HEAD", "POST")
DISTRIBUTIONS = ("fixed", "uniform", "lognormal")

KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "status": ("status", "retry_after"),
    "delay": ("delay_ms", "distribution", "max_delay_ms", "sigma"),
    "slow_body": ("chunk_bytes", "interval_ms"),
    "reset": ("after_bytes",),
    "empty": (),
    "truncate": ("after_bytes",),
    "malformed_chunk": (),
    "garbage": ("garbage_bytes",),
    "corrupt_gzip": (),
}
"""Each fault kind and the parameters it takes (every other parameter must be absent)."""

_INT_PARAMS: dict[str, tuple[int, int]] = {
    "delay_ms": (0, MAX_DELAY_MS), "max_delay_ms": (0, MAX_DELAY_MS), "chunk_bytes": (1, 1_048_576),
    "interval_ms": (1, 10_000), "after_bytes": (0, MAX_CUT_BYTES), "garbage_bytes": (1, MAX_CUT_BYTES),
    "retry_after": (0, MAX_RETRY_AFTER)}
PARAM_DEFAULTS: dict[str, Any] = {"delay_ms": 100, "distribution": "fixed", "sigma": 0.5, "chunk_bytes": 1024,
                                  "interval_ms": 10, "garbage_bytes": 64}
_COLUMNS = "id, status, times, remaining, path, retry_after, kind, method, login, probability, params, seen"


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """An injected failure: the next ``remaining`` matching requests meet it (before authentication).

    ``path`` None matches every request outside the control API, else the exact request path; ``method`` and
    ``login`` (the Basic login the request carries, checked or not) narrow it. ``probability`` below 1 lets a
    seeded draw skip a matching request without using the fault.
    """

    id: int
    status: int | None
    times: int
    remaining: int
    path: str | None
    retry_after: int | None
    kind: str = "status"
    method: str | None = None
    login: str | None = None
    probability: float = 1.0
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    seen: int = 0

    def matches(self, path: str, method: str = "GET", login: str | None = None) -> bool:
        return ((self.path is None or self.path == path) and (self.method is None or self.method == method)
                and (self.login is None or self.login == login))

    def draws(self, seed: int) -> bool:
        """Whether this matching request meets the fault: seeded by (seed, fault, how many it has seen)."""
        return self.probability >= 1 or random.Random(stable_int("fault", seed, self.id, self.seen)).random() \
            < self.probability

    def param(self, name: str) -> Any:
        return self.params.get(name, PARAM_DEFAULTS.get(name))


def _path_problem(path: object) -> str | None:
    reason = "an exact request path such as /restapi/rawlogs/03-03-2026.csv (no query), or null for every path"
    if not isinstance(path, str) or not path.startswith("/") or len(path) > MAX_FAULT_PATH \
            or not path.isprintable() or "?" in path:
        return reason
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return reason
    if is_control_path(path):
        return "faults apply to the platform's endpoints, never to the control API under /_mock/"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _param_problem(name: str, value: object) -> str | None:
    if name in _INT_PARAMS:
        low, high = _INT_PARAMS[name]
        return None if _is_int(value) and low <= value <= high else f"a whole number from {low:,} to {high:,}"  # type: ignore[operator]
    if name == "distribution":
        return None if value in DISTRIBUTIONS else "one of " + ", ".join(DISTRIBUTIONS)
    if name == "sigma":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 3
        return None if ok else "a number from 0 to 3 (the spread of the log-normal delay)"
    return "not a parameter of this kind"


def _match_problem(times: object, method: object, login: object, probability: object) -> tuple[str, str] | None:
    if not _is_int(times) or not 1 <= times <= MAX_FAULT_TIMES:  # type: ignore[operator]
        return "times", f"a whole number of requests from 1 to {MAX_FAULT_TIMES:,}"
    if method is not None and method not in METHODS:
        return "method", "one of " + ", ".join(METHODS) + ", or null for every method"
    if login is not None and (not isinstance(login, str) or not 1 <= len(login) <= 256 or not login.isprintable()):
        return "login", "a login of 1 to 256 printable characters, or null for every caller"
    if isinstance(probability, bool) or not isinstance(probability, int | float) \
            or not (math.isfinite(probability) and 0 < probability <= 1):
        return "probability", "a number above 0 and at most 1"
    return None


def fault_problem(status: object, times: object, path: object, retry_after: object, *, kind: object = "status",
                  method: object = None, login: object = None, probability: object = 1.0,
                  params: Mapping[str, object] | None = None) -> tuple[str, str] | None:
    """The first bad field of a fault as (field, reason), or None when the fault is valid."""
    if kind not in KIND_PARAMS:
        return "kind", "one of " + ", ".join(KIND_PARAMS)
    if kind == "status":
        if isinstance(status, bool) or status not in FAULT_STATUSES:
            return "status", "required, one of " + ", ".join(str(code) for code in FAULT_STATUSES)
    elif status is not None or retry_after is not None:
        return ("status" if status is not None else "retry_after"), f"only for kind 'status', not '{kind}'"
    problem = _match_problem(times, method, login, probability)
    if problem is not None:
        return problem
    if path is not None and (reason := _path_problem(path)) is not None:
        return "path", reason
    if retry_after is not None and _param_problem("retry_after", retry_after) is not None:
        return "retry_after", f"a whole number of seconds from 0 to {MAX_RETRY_AFTER}, or null for no Retry-After"
    for name, value in (params or {}).items():
        reason = _param_problem(name, value) if name in KIND_PARAMS[kind] else f"not a parameter of kind '{kind}'"
        if reason is not None:
            return name, reason
    return None


def check_fault(status: object, times: object, path: object, retry_after: object, **more: Any) -> None:
    """Raise ValueError naming the first bad field of a fault."""
    problem = fault_problem(status, times, path, retry_after, **more)
    if problem is not None:
        raise ValueError(f"{problem[0]}: {problem[1]}")


def _fault(row: tuple) -> Fault:
    (fault_id, status, times, remaining, path, retry_after, kind, method, login, probability, params, seen) = row
    return Fault(fault_id, status, times, remaining, path, retry_after, kind, method, login, probability,
                 json.loads(params), seen)


class FaultStore:
    """The ``faults`` table; every change is one write transaction of the state's storage."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[sqlite3.Connection]], seed: int = 0) -> None:
        self._transaction = transaction
        self._seed = seed

    def add(self, status: int | None, times: int, path: str | None, retry_after: int | None, *,
            kind: str = "status", method: str | None = None, login: str | None = None, probability: float = 1.0,
            params: Mapping[str, Any] | None = None) -> Fault:
        params = {name: value for name, value in (params or {}).items() if value is not None}
        check_fault(status, times, path, retry_after, kind=kind, method=method, login=login,
                    probability=probability, params=params)
        with self._transaction() as db:
            fault_id = db.execute(
                "INSERT INTO faults (status, times, remaining, path, retry_after, kind, method, login, probability, "
                "params, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (status, times, times, path, retry_after, kind, method, login, float(probability),
                 json.dumps(params, sort_keys=True))).lastrowid
        assert fault_id is not None
        return Fault(fault_id, status, times, times, path, retry_after, kind, method, login, float(probability),
                     dict(params))

    def clear(self) -> int:
        """Remove every fault; how many there were."""
        with self._transaction() as db:
            return db.execute("DELETE FROM faults").rowcount

    def remove(self, fault_id: int) -> bool:
        """Remove one fault; False when there was none with that id (or it was used up)."""
        with self._transaction() as db:
            return db.execute("DELETE FROM faults WHERE id = ? AND remaining > 0", (fault_id,)).rowcount > 0

    def take(self, path: str, active: tuple[Fault, ...], method: str = "GET", login: str | None = None
             ) -> Fault | None:
        """The fault that answers a request, with one use consumed; None when none applies.

        Free when no fault is set: ``active`` (the cached snapshot's faults) is checked first, and SQLite is
        touched only when one of them matches. Consuming is one ``BEGIN IMMEDIATE`` transaction, so two
        processes on one data dir never use one fault's last use twice. The oldest matching fault goes first
        (one whose probability draw skips this request is not used, and the next one is asked); a used-up one
        is deleted.
        """
        if not any(fault.matches(path, method, login) for fault in active):
            return None
        with self._transaction() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM faults WHERE remaining > 0 AND (path IS NULL OR path = ?) "
                              "ORDER BY id", (path,)).fetchall()
            for fault in map(_fault, rows):
                if not fault.matches(path, method, login):
                    continue
                db.execute("UPDATE faults SET seen = seen + 1 WHERE id = ?", (fault.id,))
                if not fault.draws(self._seed):
                    continue
                remaining = fault.remaining - 1
                if remaining:
                    db.execute("UPDATE faults SET remaining = ? WHERE id = ?", (remaining, fault.id))
                else:
                    db.execute("DELETE FROM faults WHERE id = ?", (fault.id,))
                return dataclasses.replace(fault, remaining=remaining)
        return None


def load_faults(db: sqlite3.Connection) -> tuple[Fault, ...]:
    """The active faults, oldest first."""
    return tuple(map(_fault, db.execute(f"SELECT {_COLUMNS} FROM faults WHERE remaining > 0 ORDER BY id")))
