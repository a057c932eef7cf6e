"""The state of one mock JAICP, and the service that applies the platform's rules to it.

:class:`MockState` is the handle the app, the control API and the pytest plugin share. Nothing is global: an
app owns one state, and two apps (or two processes) on one data dir share it through SQLite. Its seams:

- :mod:`~mock_server.state.storage`: the SQLite database, the change token and the cached :class:`Snapshot`;
- :mod:`~mock_server.state.files`: the day files on disk (written once per version);
- :mod:`~mock_server.state.journal`: the request journal (in memory, per process);
- :mod:`~mock_server.state.faults`: injected faults and their one validator;
- report tasks: their own store and files (:mod:`mock_server.reports.store`), behind the report service
  (:mod:`mock_server.reports.service`, ``MockState.reports``).

Every decision is a pure function of (configuration, snapshot, now) in :mod:`mock_server.rules`; this module
reads the snapshot, asks the rule and records the outcome, inside one transaction when the outcome is written.
"""

from __future__ import annotations

import enum
import hmac
import logging
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from mock_server.clock import Clock, ClockSettings, from_micros
from mock_server.config import MAX_CLEANUP_DAYS, AccountConfig, MockConfig, is_business_plan
from mock_server.rules import (
    AccountState,
    DayStatus,
    Policy,
    ProjectState,
    Refuse,
    Schedule,
    Serve,
    User,
    day_status,
    resolve_download,
    resolve_regeneration,
    retention_days,
)
from mock_server.state.faults import Fault, FaultStore
from mock_server.state.files import FileStore
from mock_server.state.journal import Journal, JournalEntry
from mock_server.state.storage import InitialClock, Snapshot, Storage, password_digest

__all__ = ["UNSET", "Fault", "FileStore", "Journal", "JournalEntry", "MockState", "Snapshot", "Unset"]

log = logging.getLogger("jaicp_mock.state")

class Unset(enum.Enum):
    """Marks an argument that was not given (None is a value: it disables or clears)."""

    UNSET = "unset"


UNSET = Unset.UNSET

_NO_USER_DIGEST = password_digest("\x00no such user\x00")


class MockState:
    """The state of one mock JAICP: accounts, users, clock, regenerations, files, journal, faults.

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
        self.storage = Storage(config, self.data_dir)
        self._faults = FaultStore(self.storage.transaction, config.seed)
        explicit = None
        if clock is None:
            self.clock = Clock(backend=self)
        else:
            explicit = (clock.settings, InitialClock.of(clock))
            clock.attach(self)
            self.clock = clock
        self._open(explicit)
        from mock_server.reports.service import ReportService  # it reads this state: imported once it exists

        self.reports = ReportService(self)

    def _open(self, explicit: tuple[ClockSettings, InitialClock] | None) -> None:
        """Start afresh when the data dir was made by another configuration; apply an explicit clock."""
        with self.storage.transaction() as db:
            meta = self.storage.meta(db)
            initial = explicit[1] if explicit else InitialClock.loads(meta.get("initial_clock"))
            if not self.storage.is_current(meta):
                if meta:
                    log.warning("the configuration changed since %s was last used: its state starts afresh",
                                self.data_dir)
                self.storage.reset_tables(db, initial, self.clock.real_micros())
            if explicit is not None:
                self.storage.store_clock(db, explicit[0])
                self.storage.store_initial_clock(db, initial)

    # -- reading -----------------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current state; reloaded only when a write happened (here or in another process) since the last."""
        return self.storage.snapshot()

    def now_of(self, snapshot: Snapshot) -> datetime:
        """The mock clock's now by the clock settings of ``snapshot``: the one place "now" is computed."""
        return from_micros(snapshot.clock.now_micros(self.clock.real_micros()))

    def now(self) -> datetime:
        return self.now_of(self.snapshot())

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

    def user_by_token(self, token: str, snapshot: Snapshot | None = None) -> User | None:
        """The user whose API token this is, or None; every user's token is compared, in constant time."""
        presented = password_digest(token)
        found = None
        for user in (snapshot or self.snapshot()).users.values():
            expected = password_digest(user.token) if user.token is not None else _NO_USER_DIGEST
            if hmac.compare_digest(presented, expected) and user.token is not None:
                found = user
        return found

    def day_status(self, account_id: int, day: date, now: datetime | None = None) -> DayStatus:
        snapshot = self.snapshot()
        moment = now or self.now_of(snapshot)
        return day_status(snapshot.accounts[account_id], day, moment, self.policy,
                          snapshot.regenerations_of(account_id, day))

    def download(self, snapshot: Snapshot, account_id: int, day: date, now: datetime) -> Serve | Refuse:
        """Which version of the day a download gets at ``now``, or why it gets none."""
        return resolve_download(snapshot.accounts[account_id], day, now, self.policy,
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

    def faults(self) -> tuple[Fault, ...]:
        return self.snapshot().faults

    # -- writing -----------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the configuration's initial state: accounts, users, clock, regenerations, faults, journal.

        The clock returns to the one the data dir was first opened with (or last given explicitly), so every
        process sharing the data dir resets to the same time. Generated files stay: they are deterministic, so
        keeping them only saves time.
        """
        with self.storage.transaction() as db:
            initial = InitialClock.loads(self.storage.meta(db).get("initial_clock"))
            self.storage.reset_tables(db, initial, self.clock.real_micros())
        self.journal.clear()
        self.reports.clear()

    def update_account(self, account_id: int, *, plan: str | Unset | None = UNSET,
                       plan_since: datetime | Unset | None = UNSET, rawlogs_enabled_at: datetime | Unset | None = UNSET,
                       cleanup_days: int | Unset | None = UNSET) -> AccountState:
        """Change an account as support or a plan switch would. ``rawlogs_enabled_at=None`` disables the option.

        Switching to a business plan without ``plan_since`` records the switch at the clock's now. A retention
        change applies from the next cleanup run.
        """
        _check_optional(plan, str, "plan")
        _check_optional(plan_since, datetime, "plan_since")
        _check_optional(rawlogs_enabled_at, datetime, "rawlogs_enabled_at")
        _check_days(cleanup_days)
        with self.storage.transaction() as db:
            snapshot = self.storage.read(db)
            account = snapshot.accounts[account_id]
            now = self.now_of(snapshot)
            new_plan = account.plan if isinstance(plan, Unset) else plan
            new_since = account.plan_since if isinstance(plan_since, Unset) else plan_since
            if plan_since is UNSET and is_business_plan(new_plan) and (
                    not is_business_plan(account.plan) or new_since is None):
                new_since = now
            new_enabled = account.rawlogs_enabled_at if isinstance(rawlogs_enabled_at, Unset) else rawlogs_enabled_at
            new_days = account.cleanup_days if isinstance(cleanup_days, Unset) else cleanup_days
            self.storage.store_account(db, account_id, new_plan, new_since, new_enabled, new_days)
            self.storage.record_retention(db, account, retention_days(new_days, account.projects), now)
        return self.account(account_id)

    def update_project(self, account_id: int, name: str, *, cleanup_days: int | Unset | None = UNSET
                       ) -> AccountState:
        """Change a project's retention; it applies to the whole account's files from the next cleanup run."""
        _check_days(cleanup_days)
        days = cleanup_days
        with self.storage.transaction() as db:
            snapshot = self.storage.read(db)
            account = snapshot.accounts[account_id]
            if name not in {project.name for project in account.projects}:
                raise KeyError(name)
            if not isinstance(days, Unset):
                self.storage.store_project_days(db, account_id, name, days)
                projects = [ProjectState(project.name, days if project.name == name else project.cleanup_days)
                            for project in account.projects]
                self.storage.record_retention(db, account, retention_days(account.cleanup_days, projects),
                                              self.now_of(snapshot))
        return self.account(account_id)

    def put_user(self, login: str, password: str, account_id: int, roles: tuple[str, ...] | list[str] = (),
                 admin: bool = False, token: str | Unset | None = UNSET, timezone: str | Unset = UNSET) -> User:
        """Create or replace a user. A login belongs to exactly one account; a token names one user.

        ``token`` and ``timezone`` left unset keep the user's current ones (none and UTC for a new user).
        """
        if not isinstance(login, str) or not login or ":" in login:
            raise ValueError("a login is a non-empty string without ':'")
        if not isinstance(password, str):
            raise ValueError("a password is a string")
        if self.config.account(account_id) is None:
            raise KeyError(account_id)
        with self.storage.transaction() as db:
            current = self.storage.read(db).users.get(login)
            if isinstance(token, str) and any(other.token == token and other.login != login
                                              for other in self.storage.read(db).users.values()):
                raise ValueError("token: another user has this token; a token names one user")
            self.storage.store_user(db, login, password, account_id, roles, admin)
            self.storage.store_profile(
                db, login, (current.token if current else None) if isinstance(token, Unset) else token,
                (current.timezone if current else "UTC") if isinstance(timezone, Unset) else timezone)
        user = self.user(login)
        assert user is not None
        return user

    def delete_user(self, login: str) -> bool:
        """Remove a user; False when there was none."""
        with self.storage.transaction() as db:
            return self.storage.delete_user(db, login)

    def regenerate(self, account_id: int, day: date, *, force: bool) -> Schedule | Refuse:
        """Run the regeneration rule and record its outcome in one transaction (two processes cannot race)."""
        with self.storage.transaction() as db:
            snapshot = self.storage.read(db)
            now = self.now_of(snapshot)
            decision = resolve_regeneration(snapshot.accounts[account_id], day, now, self.policy, force,
                                            snapshot.regenerations_of(account_id, day))
            if isinstance(decision, Schedule):
                self.storage.store_regeneration(db, account_id, day, decision.version, now, decision.ready_at)
        return decision

    def add_fault(self, status: int | None = 503, times: int = 1, path: str | None = None,
                  retry_after: int | None = None, **network: Any) -> Fault:
        """Make the next ``times`` requests to ``path`` (None: every platform path) answer ``status``, or meet a
        network fault (``kind``, ``method``, ``login``, ``probability``, ``params``: see ``state.faults``)."""
        return self._faults.add(status, times, path, retry_after, **network)

    def clear_faults(self) -> int:
        """Remove every fault; how many there were."""
        return self._faults.clear()

    def remove_fault(self, fault_id: int) -> bool:
        """Remove one fault; False when there was none with that id (or it was used up)."""
        return self._faults.remove(fault_id)

    def take_fault(self, path: str, snapshot: Snapshot | None = None, method: str = "GET",
                   login: str | None = None) -> Fault | None:
        """The fault that answers a request, with one use consumed; None when none applies."""
        return self._faults.take(path, (snapshot or self.snapshot()).faults, method, login)

    # -- the clock's backend (see clock.ClockBackend) ----------------------------------------------------------

    def load_clock(self) -> ClockSettings:
        return self.snapshot().clock

    def update_clock(self, change: Callable[[ClockSettings], ClockSettings]) -> ClockSettings:
        with self.storage.transaction() as db:
            settings = change(self.storage.read_clock(db))
            self.storage.store_clock(db, settings)
        return settings

    # -- closing -----------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop generations in progress, close the databases; remove the data dir if it was a temporary one."""
        self.files.close()
        self.reports.close()
        self.storage.close()
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> MockState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_optional(value: object, kind: type, name: str) -> None:
    """Callers outside the type checker (the test handle) may pass anything: refuse what is not a ``kind``."""
    if value is not UNSET and value is not None and not isinstance(value, kind):
        raise ValueError(f"{name} must be a {kind.__name__} or None")


def _check_days(value: object) -> None:
    if value is UNSET or value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CLEANUP_DAYS:
        raise ValueError(f"cleanup_days must be a whole number from 0 to {MAX_CLEANUP_DAYS}, or None")
