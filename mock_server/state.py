"""The server's state: SQLite for what must survive a restart, immutable files on disk for the day files.

:class:`MockState` is the handle the app, the control API and the pytest plugin share. Nothing is global: an
app owns one state, and two apps (or two processes) on one data dir share it through SQLite.

- **SQLite** (``<data-dir>/state.sqlite``, standard library, WAL mode) holds the clock settings, the accounts'
  and projects' changes from the control API, the users, the regenerations, the retention history and the
  injected faults. Each
  write is one ``BEGIN IMMEDIATE`` transaction, so two processes never hand out the same version twice.
- **Reads are cached**: the whole state is small, so it is loaded into a frozen :class:`Snapshot` and reloaded
  only when a write happened, in this process or another. Writers put a fresh 8-byte token into a memory-mapped
  file (``<data-dir>/state.changes``) after each commit; a request compares it with the token its cached
  snapshot was read at. That costs no system call (a ``PRAGMA data_version`` per request did, and releasing
  the GIL for it halved the download rate under load), and a process sees another's change from the first
  request after that change's answer went out.
- **Day files** are written once per (account, day, version) by the generators, to a temporary file renamed
  into place (:func:`generators.export.write_day_file`), so a reader sees a whole file or none. A version's
  file never changes after that, so a download that started on version 1 finishes on version 1 even if version 2
  lands meanwhile. Files are made lazily on the first download; the bytes are the same whenever they are made.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import hmac
import json
import logging
import mmap
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from generators.export import day_bytes, write_day_file
from mock_server.clock import Clock, ClockSettings, as_utc, format_instant, from_micros, to_micros
from mock_server.config import MAX_CLEANUP_DAYS, AccountConfig, MockConfig, is_business_plan
from mock_server.rules import (
    AccountState,
    DayStatus,
    Policy,
    ProjectState,
    Refuse,
    Regeneration,
    RetentionChange,
    Schedule,
    User,
    day_status,
    resolve_regeneration,
    retention_days,
)

log = logging.getLogger("jaicp_mock.state")

SCHEMA_VERSION = "1"
JOURNAL_CAPACITY = 1000
UNSET = object()
"""Marks an argument that was not given (None is a value: it disables or clears)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clock (
    id INTEGER PRIMARY KEY CHECK (id = 1), anchor INTEGER, real_anchor INTEGER NOT NULL, frozen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY, plan TEXT, plan_since INTEGER, rawlogs_enabled_at INTEGER, cleanup_days INTEGER);
CREATE TABLE IF NOT EXISTS projects (
    account_id INTEGER NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, cleanup_days INTEGER,
    PRIMARY KEY (account_id, name));
CREATE TABLE IF NOT EXISTS retention (
    account_id INTEGER NOT NULL, seq INTEGER NOT NULL, since INTEGER, days INTEGER, PRIMARY KEY (account_id, seq));
CREATE TABLE IF NOT EXISTS users (
    login TEXT PRIMARY KEY, digest BLOB NOT NULL, account_id INTEGER NOT NULL, roles TEXT NOT NULL,
    admin INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS regenerations (
    account_id INTEGER NOT NULL, day TEXT NOT NULL, version INTEGER NOT NULL, requested_at INTEGER NOT NULL,
    ready_at INTEGER NOT NULL, PRIMARY KEY (account_id, day, version));
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, status INTEGER NOT NULL, times INTEGER NOT NULL,
    remaining INTEGER NOT NULL, path TEXT, retry_after INTEGER);
"""
FAULT_STATUSES = (429, 500, 502, 503, 504)
MAX_FAULT_TIMES = 1_000_000
MAX_RETRY_AFTER = 86_400
MAX_FAULT_PATH = 2048
CONTROL_PREFIX = "/_mock"


def password_digest(password: str) -> bytes:
    """What is stored and compared instead of the password (a mock's users are test fixtures, not secrets)."""
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest()


_NO_USER_DIGEST = password_digest("\x00no such user\x00")


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(as_utc(moment))


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


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

    def describe(self) -> dict:
        return {"id": self.id, "status": self.status, "times": self.times, "remaining": self.remaining,
                "path": self.path, "retry_after": self.retry_after}


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
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return "path", "faults apply to the platform's endpoints, never to the control API under /_mock/"
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int)
                                    or not 0 <= retry_after <= MAX_RETRY_AFTER):
        return "retry_after", f"a whole number of seconds from 0 to {MAX_RETRY_AFTER}, or null for no Retry-After"
    return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the rules read, as of one moment of the database."""

    clock: ClockSettings
    accounts: dict[int, AccountState]
    users: dict[str, User]
    regenerations: dict[tuple[int, date], tuple[Regeneration, ...]]
    faults: tuple[Fault, ...] = ()
    """Active injected faults, oldest first (empty almost always: the hot path checks this before SQLite)."""

    def regenerations_of(self, account_id: int, day: date) -> tuple[Regeneration, ...]:
        return self.regenerations.get((account_id, day), ())


@dataclass(frozen=True, slots=True)
class InitialClock:
    """The clock a reset returns to: real time, or ``now`` (ticking from the reset unless ``frozen``)."""

    now: datetime | None = None
    frozen: bool = False

    def settings(self, real: int) -> ClockSettings:
        if self.now is None:
            return ClockSettings().freeze(True, real) if self.frozen else ClockSettings()
        return ClockSettings().set(self.now, real, frozen=self.frozen)

    @classmethod
    def of(cls, clock: Clock) -> InitialClock:
        settings = clock.settings
        if settings.is_real:
            return cls()
        return cls(from_micros(settings.now_micros(clock.real_micros())), settings.frozen)

    def dumps(self) -> str:
        return json.dumps({"now": _micros(self.now), "frozen": self.frozen})

    @classmethod
    def loads(cls, text: str | None) -> InitialClock:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(_moment(data["now"]), bool(data["frozen"]))


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


@dataclass
class _Cache:
    entry: tuple[bytes, Snapshot] | None = None
    """(the change token it was read at, the snapshot): one attribute, so readers never see half an update."""
    lock: threading.RLock = field(default_factory=threading.RLock)


class ChangeMark:
    """An 8-byte token shared through a memory-mapped file: every write puts a fresh random value.

    Reading it is a memory access (no system call, the GIL is kept), so every request can afford to check it.
    """

    SIZE = 8

    def __init__(self, path: Path) -> None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._map = mmap.mmap(descriptor, self.SIZE)
        finally:
            os.close(descriptor)

    def read(self) -> bytes:
        return self._map[:self.SIZE]

    def bump(self) -> None:
        self._map[:self.SIZE] = os.urandom(self.SIZE)

    def close(self) -> None:
        with contextlib.suppress(BufferError, ValueError):
            self._map.close()


class MockState:
    """The state of one mock JAICP: accounts, users, clock, regenerations, files, journal.

    ``data_dir=None`` keeps everything in a temporary folder removed by :meth:`close`. ``clock`` (a
    :class:`~mock_server.clock.Clock`) fixes the initial clock, which :meth:`reset` returns to; without it a
    new data dir starts on real time and an existing one keeps its stored clock.
    """

    def __init__(self, config: MockConfig, data_dir: str | Path | None = None, *, clock: Clock | None = None) -> None:
        self.config = config
        self.policy = Policy(config.generation_time, timedelta(seconds=config.regeneration_delay_seconds))
        self._temporary: tempfile.TemporaryDirectory | None = None
        if data_dir is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="jaicp-mock-")
            data_dir = self._temporary.name
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.files = FileStore(self.data_dir / "files", config.seed)
        self.journal = Journal()
        self._cache = _Cache()
        self._db = sqlite3.connect(self.data_dir / "state.sqlite", isolation_level=None, check_same_thread=False,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._mark = ChangeMark(self.data_dir / "state.changes")

        explicit = None
        if clock is None:
            self.clock = Clock(backend=self)
        else:
            explicit = (clock.settings, InitialClock.of(clock))
            clock.attach(self)
            self.clock = clock

        with self._write() as db:
            stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
            initial = explicit[1] if explicit else InitialClock.loads(stored.get("initial_clock"))
            if stored.get("fingerprint") != config.fingerprint() or stored.get("schema") != SCHEMA_VERSION:
                if stored:
                    log.warning("the configuration changed since %s was last used: its state starts afresh",
                                self.data_dir)
                self._reset_tables(db, initial)
            if explicit is not None:
                self._store_clock(db, explicit[0])
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('initial_clock', ?)", (initial.dumps(),))

    # ----------------------------------------------------------------------------------------------------------
    # Reading

    def snapshot(self) -> Snapshot:
        """The current state; reloaded only when a write happened (here or in another process) since the last."""
        cache = self._cache
        entry = cache.entry
        if entry is not None and entry[0] == self._mark.read():
            return entry[1]
        with cache.lock:
            token = self._mark.read()  # before the load: a write after it changes the token again
            entry = cache.entry
            if entry is None or entry[0] != token:
                entry = cache.entry = (token, self._load())
            return entry[1]

    def now(self) -> datetime:
        return from_micros(self.snapshot().clock.now_micros(self.clock.real_micros()))

    def account(self, account_id: int) -> AccountState:
        """Raises KeyError for an unknown account."""
        return self.snapshot().accounts[account_id]

    def user(self, login: str) -> User | None:
        return self.snapshot().users.get(login)

    def authenticate(self, login: str, password: str, snapshot: Snapshot | None = None) -> User | None:
        """The user with this login and password, or None. The same work is done for an unknown login."""
        user = (snapshot or self.snapshot()).users.get(login)
        expected = user.password_digest if user is not None else _NO_USER_DIGEST
        matches = hmac.compare_digest(password_digest(password), expected)
        return user if matches and user is not None else None

    def day_status(self, account_id: int, day: date, now: datetime | None = None) -> DayStatus:
        snapshot = self.snapshot()
        moment = now or from_micros(snapshot.clock.now_micros(self.clock.real_micros()))
        return day_status(snapshot.accounts[account_id], day, moment, self.policy,
                          snapshot.regenerations_of(account_id, day))

    def file_path(self, account_id: int, day: date, version: int) -> Path:
        """The path of a version's file, generated on first use."""
        return self.files.ensure(self.config_of(account_id), day, version)

    def expected_bytes(self, account_id: int, day: date, version: int = 1) -> bytes:
        """Exactly what the server serves for (account, day, version)."""
        return self.files.expected_bytes(self.config_of(account_id), day, version)

    def config_of(self, account_id: int) -> AccountConfig:
        account = self.config.account(account_id)
        if account is None:
            raise KeyError(account_id)
        return account

    # ----------------------------------------------------------------------------------------------------------
    # Writing

    def reset(self) -> None:
        """Back to the configuration's initial state: accounts, users, clock, regenerations, faults, journal.

        The clock returns to the one the data dir was first opened with (or last given explicitly), so every
        process sharing the data dir resets to the same time. Generated files stay: they are deterministic, so
        keeping them only saves time.
        """
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'initial_clock'").fetchone()
            self._reset_tables(db, InitialClock.loads(row[0] if row else None))
        self.journal.clear()

    def update_account(self, account_id: int, *, plan: object = UNSET, plan_since: object = UNSET,
                       rawlogs_enabled_at: object = UNSET, cleanup_days: object = UNSET) -> AccountState:
        """Change an account as support or a plan switch would. ``rawlogs_enabled_at=None`` disables the option.

        Switching to a business plan without ``plan_since`` records the switch at the clock's now. A retention
        change applies from the next cleanup run.
        """
        _check_optional(plan, str, "plan")
        _check_optional(plan_since, datetime, "plan_since")
        _check_optional(rawlogs_enabled_at, datetime, "rawlogs_enabled_at")
        _check_days(cleanup_days)
        with self._write() as db:
            snapshot = self._load(db)
            account = snapshot.accounts[account_id]
            now = from_micros(snapshot.clock.now_micros(self.clock.real_micros()))
            new_plan = account.plan if plan is UNSET else plan
            new_since = account.plan_since if plan_since is UNSET else plan_since
            if plan_since is UNSET and is_business_plan(new_plan) and (
                    not is_business_plan(account.plan) or new_since is None):
                new_since = now
            new_enabled = account.rawlogs_enabled_at if rawlogs_enabled_at is UNSET else rawlogs_enabled_at
            new_days = account.cleanup_days if cleanup_days is UNSET else cleanup_days
            db.execute("UPDATE accounts SET plan = ?, plan_since = ?, rawlogs_enabled_at = ?, cleanup_days = ? "
                       "WHERE id = ?", (new_plan, _micros(new_since), _micros(new_enabled), new_days, account_id))
            self._record_retention(db, account, retention_days(new_days, account.projects), now)
        return self.account(account_id)

    def update_project(self, account_id: int, name: str, *, cleanup_days: object = UNSET) -> AccountState:
        """Change a project's retention; it applies to the whole account's files from the next cleanup run."""
        _check_days(cleanup_days)
        with self._write() as db:
            snapshot = self._load(db)
            account = snapshot.accounts[account_id]
            if name not in {project.name for project in account.projects}:
                raise KeyError(name)
            if cleanup_days is not UNSET:
                db.execute("UPDATE projects SET cleanup_days = ? WHERE account_id = ? AND name = ?",
                           (cleanup_days, account_id, name))
                projects = [ProjectState(project.name, cleanup_days if project.name == name else project.cleanup_days)
                            for project in account.projects]
                now = from_micros(snapshot.clock.now_micros(self.clock.real_micros()))
                self._record_retention(db, account, retention_days(account.cleanup_days, projects), now)
        return self.account(account_id)

    def put_user(self, login: str, password: str, account_id: int, roles: tuple[str, ...] | list[str] = (),
                 admin: bool = False) -> User:
        """Create or replace a user. A login belongs to exactly one account."""
        if not isinstance(login, str) or not login or ":" in login:
            raise ValueError("a login is a non-empty string without ':'")
        if not isinstance(password, str):
            raise ValueError("a password is a string")
        if self.config.account(account_id) is None:
            raise KeyError(account_id)
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO users (login, digest, account_id, roles, admin) VALUES (?, ?, ?, ?, ?)",
                       (login, password_digest(password), account_id, json.dumps(sorted(set(roles))), int(admin)))
        user = self.user(login)
        assert user is not None
        return user

    def delete_user(self, login: str) -> bool:
        """Remove a user; False when there was none."""
        with self._write() as db:
            removed = db.execute("DELETE FROM users WHERE login = ?", (login,)).rowcount
        return removed > 0

    def regenerate(self, account_id: int, day: date, *, force: bool) -> Schedule | Refuse:
        """Run the regeneration rule and record its outcome in one transaction (two processes cannot race)."""
        with self._write() as db:
            snapshot = self._load(db)
            now = from_micros(snapshot.clock.now_micros(self.clock.real_micros()))
            decision = resolve_regeneration(snapshot.accounts[account_id], day, now, self.policy, force,
                                            snapshot.regenerations_of(account_id, day))
            if isinstance(decision, Schedule):
                db.execute("INSERT OR REPLACE INTO regenerations (account_id, day, version, requested_at, ready_at) "
                           "VALUES (?, ?, ?, ?, ?)", (account_id, day.isoformat(), decision.version, to_micros(now),
                                                      to_micros(decision.ready_at)))
        return decision

    def add_fault(self, status: int = 503, times: int = 1, path: str | None = None,
                  retry_after: int | None = None) -> Fault:
        """Make the next ``times`` requests to ``path`` (None: every platform path) answer ``status``."""
        problem = fault_problem(status, times, path, retry_after)
        if problem is not None:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        with self._write() as db:
            fault_id = db.execute("INSERT INTO faults (status, times, remaining, path, retry_after) "
                                  "VALUES (?, ?, ?, ?, ?)", (status, times, times, path, retry_after)).lastrowid
        return Fault(fault_id, status, times, times, path, retry_after)

    def faults(self) -> tuple[Fault, ...]:
        return self.snapshot().faults

    def clear_faults(self) -> int:
        """Remove every fault; how many there were."""
        with self._write() as db:
            return db.execute("DELETE FROM faults").rowcount

    def remove_fault(self, fault_id: int) -> bool:
        """Remove one fault; False when there was none with that id (or it was used up)."""
        with self._write() as db:
            return db.execute("DELETE FROM faults WHERE id = ? AND remaining > 0", (fault_id,)).rowcount > 0

    def take_fault(self, path: str, snapshot: Snapshot | None = None) -> Fault | None:
        """The fault that answers a request to ``path``, with one use consumed; None when none applies.

        Free when no fault is set: the cached snapshot is checked first, and SQLite is touched only when one of
        its faults matches. Consuming is one ``BEGIN IMMEDIATE`` transaction, so two processes on one data dir
        never use one fault's last use twice. The oldest matching fault goes first; a used-up one is deleted.
        """
        faults = (snapshot or self.snapshot()).faults
        if not faults or not any(fault.matches(path) for fault in faults):
            return None
        with self._write() as db:
            row = db.execute("SELECT id, status, times, remaining, path, retry_after FROM faults "
                             "WHERE remaining > 0 AND (path IS NULL OR path = ?) ORDER BY id LIMIT 1",
                             (path,)).fetchone()
            if row is None:
                return None
            fault = Fault(*row[:3], row[3] - 1, *row[4:])
            if fault.remaining:
                db.execute("UPDATE faults SET remaining = ? WHERE id = ?", (fault.remaining, fault.id))
            else:
                db.execute("DELETE FROM faults WHERE id = ?", (fault.id,))
        return fault

    # ----------------------------------------------------------------------------------------------------------
    # The clock's backend (see clock.ClockBackend)

    def load_clock(self) -> ClockSettings:
        return self.snapshot().clock

    def update_clock(self, change: Callable[[ClockSettings], ClockSettings]) -> ClockSettings:
        with self._write() as db:
            settings = change(self._read_clock(db))
            self._store_clock(db, settings)
        return settings

    # ----------------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database; remove the data dir if it was a temporary one."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._mark.close()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> MockState:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe_account(self, account_id: int) -> dict:
        """The control API's view of an account (no passwords)."""
        from mock_server.rules import enabled_at

        snapshot = self.snapshot()
        account = snapshot.accounts[account_id]
        now = from_micros(snapshot.clock.now_micros(self.clock.real_micros()))
        start = enabled_at(account)
        pending = [run for runs in snapshot.regenerations.values() for run in runs
                   if run.account_id == account_id and run.ready_at > now]
        config = account.config
        return {
            "id": account.id,
            "plan": account.plan,
            "plan_since": _iso(account.plan_since),
            "rawlogs_enabled_at": _iso(account.rawlogs_enabled_at),
            "rawlogs_enabled_from": _iso(start),
            "enabled": start is not None and start <= now,
            "cleanup_days": account.cleanup_days,
            "retention_days": account.retention_history[-1].days,
            "retention_history": [{"since": _iso(change.since), "days": change.days}
                                  for change in account.retention_history],
            "locale": config.locale,
            "sessions_per_day": config.sessions_per_day,
            "dialect": {"quote_all": config.quote_all, "bom": config.bom, "line_end": config.line_end,
                        "channel_labels": config.channel_labels, "session_id_style": config.session_id_style},
            "projects": [{"name": project.name, "domain": spec.domain, "locale": spec.locale or config.locale,
                          "channels": list(spec.channels), "cleanup_days": project.cleanup_days}
                         for project, spec in zip(account.projects, config.projects, strict=True)],
            "users": [describe_user(user) for user in sorted(snapshot.users.values(), key=lambda u: u.login)
                      if user.account_id == account_id],
            "pending_regenerations": [{"date": run.day.strftime("%d-%m-%Y"), "version": run.version,
                                       "readyAt": format_instant(run.ready_at)}
                                      for run in sorted(pending, key=lambda r: (r.day, r.version))],
        }

    # ----------------------------------------------------------------------------------------------------------
    # Internals

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken immediately, so concurrent writers queue), then a fresh snapshot."""
        cache = self._cache
        with cache.lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            self._mark.bump()
            token = self._mark.read()
            cache.entry = (token, self._load())

    def _load(self, db: sqlite3.Connection | None = None) -> Snapshot:
        """Read every table; inside a transaction of its own unless the caller is already in one."""
        db = db or self._db
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")
        try:
            clock = self._read_clock(db)
            projects: dict[int, list[ProjectState]] = collections.defaultdict(list)
            for account_id, name, days in db.execute(
                    "SELECT account_id, name, cleanup_days FROM projects ORDER BY account_id, position"):
                projects[account_id].append(ProjectState(name, days))
            history: dict[int, list[RetentionChange]] = collections.defaultdict(list)
            for account_id, since, days in db.execute(
                    "SELECT account_id, since, days FROM retention ORDER BY account_id, seq"):
                history[account_id].append(RetentionChange(_moment(since), days))
            accounts = {}
            for account_id, plan, since, enabled, days in db.execute(
                    "SELECT id, plan, plan_since, rawlogs_enabled_at, cleanup_days FROM accounts"):
                config = self.config.account(account_id)
                if config is None:
                    continue
                accounts[account_id] = AccountState(config, plan, _moment(since), _moment(enabled), days,
                                                    tuple(projects[account_id]), tuple(history[account_id]))
            users = {login: User(login, bytes(digest), account_id, frozenset(json.loads(roles)), bool(admin))
                     for login, digest, account_id, roles, admin in db.execute(
                         "SELECT login, digest, account_id, roles, admin FROM users")}
            runs: dict[tuple[int, date], list[Regeneration]] = collections.defaultdict(list)
            for account_id, day, version, requested, ready in db.execute(
                    "SELECT account_id, day, version, requested_at, ready_at FROM regenerations "
                    "ORDER BY account_id, day, version"):
                parsed = date.fromisoformat(day)
                runs[(account_id, parsed)].append(
                    Regeneration(account_id, parsed, version, from_micros(requested), from_micros(ready)))
            faults = tuple(Fault(*row) for row in db.execute(
                "SELECT id, status, times, remaining, path, retry_after FROM faults WHERE remaining > 0 ORDER BY id"))
        finally:
            if own:
                db.execute("COMMIT")
        return Snapshot(clock, accounts, users, {key: tuple(value) for key, value in runs.items()}, faults)

    @staticmethod
    def _read_clock(db: sqlite3.Connection) -> ClockSettings:
        row = db.execute("SELECT anchor, real_anchor, frozen FROM clock WHERE id = 1").fetchone()
        return ClockSettings() if row is None else ClockSettings(row[0], row[1], bool(row[2]))

    @staticmethod
    def _store_clock(db: sqlite3.Connection, settings: ClockSettings) -> None:
        db.execute("INSERT OR REPLACE INTO clock (id, anchor, real_anchor, frozen) VALUES (1, ?, ?, ?)",
                   (settings.anchor, settings.real_anchor, int(settings.frozen)))

    def _reset_tables(self, db: sqlite3.Connection, initial: InitialClock) -> None:
        for table in ("meta", "accounts", "projects", "retention", "users", "regenerations", "faults"):
            db.execute(f"DELETE FROM {table}")  # fixed table names, no input
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                       [("schema", SCHEMA_VERSION), ("fingerprint", self.config.fingerprint()),
                        ("initial_clock", initial.dumps())])
        self._store_clock(db, initial.settings(self.clock.real_micros()))
        for account in self.config.accounts:
            initial = AccountState.initial(account)
            db.execute("INSERT INTO accounts (id, plan, plan_since, rawlogs_enabled_at, cleanup_days) "
                       "VALUES (?, ?, ?, ?, ?)", (account.id, account.plan, _micros(account.plan_since),
                                                  _micros(account.rawlogs_enabled_at), account.cleanup_days))
            db.executemany("INSERT INTO projects (account_id, position, name, cleanup_days) VALUES (?, ?, ?, ?)",
                           [(account.id, index, project.name, project.cleanup_days)
                            for index, project in enumerate(account.projects)])
            db.execute("INSERT INTO retention (account_id, seq, since, days) VALUES (?, 0, NULL, ?)",
                       (account.id, initial.retention_history[0].days))
            db.executemany("INSERT INTO users (login, digest, account_id, roles, admin) VALUES (?, ?, ?, ?, ?)",
                           [(user.login, password_digest(user.password), account.id,
                             json.dumps(sorted(set(user.roles))), int(user.admin)) for user in account.users])

    @staticmethod
    def _record_retention(db: sqlite3.Connection, account: AccountState, days: int | None, now: datetime) -> None:
        """Append a retention change at ``now`` (dropping any recorded at or after ``now`` on a clock moved back)."""
        history = [change for change in account.retention_history if change.since is None or change.since < now]
        if history[-1].days == days:
            if len(history) != len(account.retention_history):
                db.execute("DELETE FROM retention WHERE account_id = ? AND since >= ?", (account.id, to_micros(now)))
            return
        db.execute("DELETE FROM retention WHERE account_id = ? AND since >= ?", (account.id, to_micros(now)))
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM retention WHERE account_id = ?",
                         (account.id,)).fetchone()[0]
        db.execute("INSERT INTO retention (account_id, seq, since, days) VALUES (?, ?, ?, ?)",
                   (account.id, seq, to_micros(now), days))


def describe_user(user: User) -> dict:
    return {"login": user.login, "account": user.account_id, "roles": sorted(user.roles), "admin": user.admin}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


def _check_optional(value: object, kind: type, name: str) -> None:
    if value is not UNSET and value is not None and not isinstance(value, kind):
        raise ValueError(f"{name} must be a {kind.__name__} or None")


def _check_days(value: object) -> None:
    if value is UNSET or value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CLEANUP_DAYS:
        raise ValueError(f"cleanup_days must be a whole number from 0 to {MAX_CLEANUP_DAYS}, or None")
