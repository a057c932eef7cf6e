"""The state's storage: one SQLite database (``<data-dir>/state.sqlite``) and the snapshot everything reads.

- **SQLite** (standard library, WAL mode) holds the clock settings, the accounts' and projects' changes from the
  control API, the users, the regenerations, the retention history and the injected faults. Each write is one
  ``BEGIN IMMEDIATE`` transaction (:meth:`Storage.transaction`), so two processes never hand out the same
  version twice. Storage records decisions; it makes none (the rules are applied by :mod:`mock_server.state`).
- **Reads are cached**: the whole state is small, so it is loaded into a frozen :class:`Snapshot` and reloaded
  only when a write happened, in this process or another. Writers put a fresh 8-byte token into a memory-mapped
  file (``<data-dir>/state.changes``) after each commit; a request compares it with the token its cached
  snapshot was read at. That costs no system call (a ``PRAGMA data_version`` per request did, and releasing
  the GIL for it halved the download rate under load), and a process sees another's change from the first
  request after that change's answer went out.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import logging
import mmap
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from mock_server.clock import Clock, ClockSettings, as_utc, from_micros, to_micros
from mock_server.config import MockConfig
from mock_server.rules import AccountState, ProjectState, Regeneration, RetentionChange, User
from mock_server.sqlite import connect_db, sqlite_transaction
from mock_server.state.faults import Fault, load_faults

log = logging.getLogger("jaicp_mock.state")

SCHEMA_VERSION = "2"
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
CREATE TABLE IF NOT EXISTS user_profiles (login TEXT PRIMARY KEY, token TEXT, timezone TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS regenerations (
    account_id INTEGER NOT NULL, day TEXT NOT NULL, version INTEGER NOT NULL, requested_at INTEGER NOT NULL,
    ready_at INTEGER NOT NULL, PRIMARY KEY (account_id, day, version));
CREATE TABLE IF NOT EXISTS faults (
    id INTEGER PRIMARY KEY AUTOINCREMENT, status INTEGER, times INTEGER NOT NULL,
    remaining INTEGER NOT NULL, path TEXT, retry_after INTEGER, kind TEXT NOT NULL DEFAULT 'status', method TEXT,
    login TEXT, probability REAL NOT NULL DEFAULT 1, params TEXT NOT NULL DEFAULT '{}',
    seen INTEGER NOT NULL DEFAULT 0);
"""
def password_digest(password: str) -> bytes:
    """What is stored and compared instead of the password (a mock's users are test fixtures, not secrets)."""
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest()


_NO_USER_DIGEST = password_digest("\x00no such user\x00")


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else to_micros(as_utc(moment))


def _moment(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


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




class Storage:
    """The SQLite database of one data dir, with its cached snapshot. Thread-safe; shared by processes."""

    def __init__(self, config: MockConfig, data_dir: Path) -> None:
        self.config = config
        self._cache = _Cache()
        self._db = connect_db(data_dir / "state.sqlite")
        self._db.execute("PRAGMA synchronous=NORMAL")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(faults)")}
        if columns and "kind" not in columns:  # a data dir of schema 1: its faults are dropped with the rest
            self._db.execute("DROP TABLE faults")
        self._db.executescript(_SCHEMA)
        self._mark = ChangeMark(data_dir / "state.changes")

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

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (taken immediately, so concurrent writers queue), then a fresh snapshot."""
        cache = self._cache
        with cache.lock:
            with sqlite_transaction(self._db) as db:
                yield db
            self._mark.bump()
            token = self._mark.read()
            cache.entry = (token, self._load())

    def read(self, db: sqlite3.Connection) -> Snapshot:
        """The state as of the caller's open transaction."""
        return self._load(db)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._mark.close()

    # -- meta and reset ----------------------------------------------------------------------------------------

    @staticmethod
    def meta(db: sqlite3.Connection) -> dict[str, str]:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())

    @staticmethod
    def store_initial_clock(db: sqlite3.Connection, initial: InitialClock) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('initial_clock', ?)", (initial.dumps(),))

    def is_current(self, meta: dict[str, str]) -> bool:
        """True when the stored state was made from this configuration and this schema."""
        return meta.get("fingerprint") == self.config.fingerprint() and meta.get("schema") == SCHEMA_VERSION

    # -- the clock (see clock.ClockBackend) --------------------------------------------------------------------

    @staticmethod
    def read_clock(db: sqlite3.Connection) -> ClockSettings:
        row = db.execute("SELECT anchor, real_anchor, frozen FROM clock WHERE id = 1").fetchone()
        return ClockSettings() if row is None else ClockSettings(row[0], row[1], bool(row[2]))

    @staticmethod
    def store_clock(db: sqlite3.Connection, settings: ClockSettings) -> None:
        db.execute("INSERT OR REPLACE INTO clock (id, anchor, real_anchor, frozen) VALUES (1, ?, ?, ?)",
                   (settings.anchor, settings.real_anchor, int(settings.frozen)))

    # -- accounts, projects, users, regenerations --------------------------------------------------------------

    @staticmethod
    def store_account(db: sqlite3.Connection, account_id: int, plan: str | None, plan_since: datetime | None,
                      rawlogs_enabled_at: datetime | None, cleanup_days: int | None) -> None:
        db.execute("UPDATE accounts SET plan = ?, plan_since = ?, rawlogs_enabled_at = ?, cleanup_days = ? "
                   "WHERE id = ?", (plan, _micros(plan_since), _micros(rawlogs_enabled_at), cleanup_days,
                                    account_id))

    @staticmethod
    def store_project_days(db: sqlite3.Connection, account_id: int, name: str, cleanup_days: int | None) -> None:
        db.execute("UPDATE projects SET cleanup_days = ? WHERE account_id = ? AND name = ?",
                   (cleanup_days, account_id, name))

    @staticmethod
    def store_user(db: sqlite3.Connection, login: str, password: str, account_id: int,
                   roles: list[str] | tuple[str, ...], admin: bool) -> None:
        db.execute("INSERT OR REPLACE INTO users (login, digest, account_id, roles, admin) VALUES (?, ?, ?, ?, ?)",
                   (login, password_digest(password), account_id, json.dumps(sorted(set(roles))), int(admin)))

    @staticmethod
    def store_profile(db: sqlite3.Connection, login: str, token: str | None, timezone: str) -> None:
        """The user's Reporter API token and profile time zone (a table of their own, beside ``users``)."""
        db.execute("INSERT OR REPLACE INTO user_profiles (login, token, timezone) VALUES (?, ?, ?)",
                   (login, token, timezone))

    @staticmethod
    def delete_user(db: sqlite3.Connection, login: str) -> bool:
        db.execute("DELETE FROM user_profiles WHERE login = ?", (login,))
        return db.execute("DELETE FROM users WHERE login = ?", (login,)).rowcount > 0

    @staticmethod
    def store_regeneration(db: sqlite3.Connection, account_id: int, day: date, version: int, requested_at: datetime,
                           ready_at: datetime) -> None:
        db.execute("INSERT OR REPLACE INTO regenerations (account_id, day, version, requested_at, ready_at) "
                   "VALUES (?, ?, ?, ?, ?)", (account_id, day.isoformat(), version, to_micros(requested_at),
                                              to_micros(ready_at)))

    # -- internals ---------------------------------------------------------------------------------------------

    def _load(self, db: sqlite3.Connection | None = None) -> Snapshot:
        """Read every table; inside a transaction of its own unless the caller is already in one."""
        db = db or self._db
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")
        try:
            clock = self.read_clock(db)
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
            users = {login: User(login, bytes(digest), account_id, frozenset(json.loads(roles)), bool(admin), token,
                                 timezone or "UTC")
                     for login, digest, account_id, roles, admin, token, timezone in db.execute(
                         "SELECT users.login, digest, account_id, roles, admin, token, timezone FROM users "
                         "LEFT JOIN user_profiles ON user_profiles.login = users.login")}
            runs: dict[tuple[int, date], list[Regeneration]] = collections.defaultdict(list)
            for account_id, day, version, requested, ready in db.execute(
                    "SELECT account_id, day, version, requested_at, ready_at FROM regenerations "
                    "ORDER BY account_id, day, version"):
                parsed = date.fromisoformat(day)
                runs[(account_id, parsed)].append(
                    Regeneration(account_id, parsed, version, from_micros(requested), from_micros(ready)))
            faults = load_faults(db)
        finally:
            if own:
                db.execute("COMMIT")
        return Snapshot(clock, accounts, users, {key: tuple(value) for key, value in runs.items()}, faults)

    def reset_tables(self, db: sqlite3.Connection, initial: InitialClock, real_micros: int) -> None:
        for table in ("meta", "accounts", "projects", "retention", "users", "user_profiles", "regenerations",
                      "faults"):
            db.execute(f"DELETE FROM {table}")  # fixed table names, no input
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                       [("schema", SCHEMA_VERSION), ("fingerprint", self.config.fingerprint()),
                        ("initial_clock", initial.dumps())])
        self.store_clock(db, initial.settings(real_micros))
        for account in self.config.accounts:
            history = AccountState.initial(account).retention_history
            db.execute("INSERT INTO accounts (id, plan, plan_since, rawlogs_enabled_at, cleanup_days) "
                       "VALUES (?, ?, ?, ?, ?)", (account.id, account.plan, _micros(account.plan_since),
                                                  _micros(account.rawlogs_enabled_at), account.cleanup_days))
            db.executemany("INSERT INTO projects (account_id, position, name, cleanup_days) VALUES (?, ?, ?, ?)",
                           [(account.id, index, project.name, project.cleanup_days)
                            for index, project in enumerate(account.projects)])
            db.execute("INSERT INTO retention (account_id, seq, since, days) VALUES (?, 0, NULL, ?)",
                       (account.id, history[0].days))
            for user in account.users:
                self.store_user(db, user.login, user.password, account.id, user.roles, user.admin)
                self.store_profile(db, user.login, user.token, user.timezone)

    @staticmethod
    def record_retention(db: sqlite3.Connection, account: AccountState, days: int | None, now: datetime) -> None:
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
