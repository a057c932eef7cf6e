"""Nightly job: load yesterday's JAICP raw-log CSV into SQLite, safely re-runnable.

JAICP writes the previous day's file at 00:01 UTC, an administrator can regenerate a day (the new file lands
about ten minutes later, with the same dialogs plus late arrivals), and log cleanup deletes old days. So the
job must tell "not there *yet*" from "never coming", never retry a credentials problem, ride out network and
server hiccups, and load a regenerated file again without duplicating the rows it already has.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import requests

COLUMNS = ("session_id", "session_start_time", "session_end_time", "session_questions_count", "session_tag",
           "channel_type", "channel_name", "client_id", "client_name", "project_name", "msg_rt", "msg_question",
           "msg_answer", "state_before", "state_after", "msg_switched", "msg_operator", "msg_comment", "msg_tags")
KEY_COLUMNS = ("session_id", "msg_rt", "msg_question", "msg_answer")
"""What identifies one phrase across versions of a file; session-level columns may be updated by a rerun."""
GONE_CODES = frozenset({"rawlogs.cleaned", "rawlogs.before_enablement"})
"""404 codes that mean the file will never come; any other 404 means 'try again later'."""
MAX_RETRY_AFTER = 600.0
"""The longest wait a server's Retry-After may ask for (seconds) before the job tries again."""


class RawlogsError(Exception):
    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code = status, code


class NotYetAvailable(RawlogsError):
    """The file is not written yet (00:01 UTC the next day, or a regeneration in progress): run again later."""


class Unavailable(RawlogsError):
    """The file will never come (removed by log cleanup, or older than the option): do not retry."""


class AccessDenied(RawlogsError):
    """Wrong credentials (401), or a user without RAWLOGS_ANALYTIC or an account without the option (403).
    Retrying cannot help and could lock the account, so it is raised on the first answer."""


class ServerUnavailable(RawlogsError):
    """Connection errors, 5xx or 429 answers outlasted every retry."""


@dataclass(frozen=True)
class Download:
    day: date
    content: bytes
    etag: str | None
    version: str | None


@dataclass(frozen=True)
class LoadResult:
    day: date
    changed: bool
    """False when the server answered 304: the file we loaded last is still the current one."""
    etag: str | None = None
    version: str | None = None
    rows_in_file: int = 0
    rows_added: int = 0


class RawlogsClient:
    """HTTP access to ``<base_url>/restapi/rawlogs``. ``sleep`` is injectable so tests never wait."""

    def __init__(self, base_url: str, login: str, password: str, *, attempts: int = 4, backoff: float = 1.0,
                 timeout: float = 60.0, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts, self.backoff, self.timeout, self.sleep = attempts, backoff, timeout, sleep
        self.http = session or requests.Session()
        self.http.auth = (login, password)

    def fetch(self, day: date, etag: str | None = None) -> Download | None:
        """The day's file, or None when it still has ``etag`` (a conditional GET: no bytes are sent again)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", f"{self.base_url}/restapi/rawlogs/{day:%d-%m-%Y}.csv", headers=headers)
        if response.status_code == 304:
            return None
        return Download(day, response.content, response.headers.get("ETag"),
                        response.headers.get("X-Rawlogs-Version"))

    def regenerate(self, account_id: int, day: date) -> dict:
        """Ask for a fresh file of ``day`` (account administrators only); it is served ~10 minutes later."""
        return self._request("POST", f"{self.base_url}/restapi/rawlogs/run/{account_id}/{day:%d-%m-%Y}",
                             params={"force": "true"}).json()

    def _request(self, method: str, url: str, **options) -> requests.Response:
        """Retry what may pass on a second try (network, 5xx, 429) with exponential backoff, or as long as the
        server's Retry-After says; raise the rest at once."""
        for attempt in range(1, self.attempts + 1):
            delay = self.backoff * 2 ** (attempt - 1)
            try:
                response = self.http.request(method, url, timeout=self.timeout, **options)
            except (requests.ConnectionError, requests.Timeout) as error:
                failure = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return _checked(response)
                failure = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit():
                    delay = min(float(retry_after), MAX_RETRY_AFTER)
            if attempt < self.attempts:
                self.sleep(delay)
        raise ServerUnavailable(f"{method} {url} failed {self.attempts} times; last: {failure}")


def _checked(response: requests.Response) -> requests.Response:
    if response.status_code < 400:
        return response
    try:
        body = response.json()
        code, message = body.get("error"), body.get("message", "")
    except (ValueError, AttributeError):
        code, message = None, response.text[:200]
    text = f"{response.status_code} {code or ''}: {message}".strip()
    status = response.status_code
    if status in (401, 403):
        raise AccessDenied(text, status=status, code=code)
    if status == 404:
        raise (Unavailable if code in GONE_CODES else NotYetAvailable)(text, status=status, code=code)
    raise RawlogsError(text, status=status, code=code)


class Warehouse:
    """The SQLite side: one row per phrase (keyed by a hash of KEY_COLUMNS) and an audit of every file loaded."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path)
        columns = ", ".join(f"{name} TEXT NOT NULL" for name in COLUMNS)
        self.db.executescript(f"""
            CREATE TABLE IF NOT EXISTS messages (row_key TEXT PRIMARY KEY, file_day TEXT NOT NULL, {columns});
            CREATE TABLE IF NOT EXISTS loads (id INTEGER PRIMARY KEY, file_day TEXT NOT NULL, etag TEXT,
                version TEXT, loaded_at TEXT NOT NULL, rows_in_file INTEGER NOT NULL, rows_added INTEGER NOT NULL);
        """)

    def last_etag(self, day: date) -> str | None:
        row = self.db.execute("SELECT etag FROM loads WHERE file_day = ? ORDER BY id DESC LIMIT 1",
                              (day.isoformat(),)).fetchone()
        return row[0] if row else None

    def store(self, download: Download, loaded_at: datetime) -> LoadResult:
        """Insert the file's rows, skipping those already loaded from an earlier version, in one transaction."""
        text = download.content.decode("utf-8-sig")  # the export may carry a BOM
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise RawlogsError(f"{download.day}: the file lacks the columns {', '.join(sorted(missing))}")
        rows = [(row_key(row), download.day.isoformat(), *(row[name] for name in COLUMNS)) for row in reader]
        with self.db:
            before = self.db.total_changes
            self.db.executemany(f"INSERT OR IGNORE INTO messages VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
                                rows)
            added = self.db.total_changes - before
            self.db.execute("INSERT INTO loads (file_day, etag, version, loaded_at, rows_in_file, rows_added) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (download.day.isoformat(), download.etag, download.version,
                                                          loaded_at.isoformat(), len(rows), added))
        return LoadResult(download.day, True, download.etag, download.version, len(rows), added)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def row_key(row: dict[str, str]) -> str:
    return hashlib.sha256("\x1f".join(row[name] for name in KEY_COLUMNS).encode()).hexdigest()


def load_day(client: RawlogsClient, warehouse: Warehouse, day: date, now: datetime) -> LoadResult:
    """Load one day (a backfill, or a day an administrator regenerated); a no-op if its file did not change."""
    download = client.fetch(day, warehouse.last_etag(day))
    if download is None:
        return LoadResult(day, False, warehouse.last_etag(day))
    return warehouse.store(download, now)


def run(client: RawlogsClient, warehouse: Warehouse, now: datetime) -> LoadResult:
    """The scheduled job: load the UTC day before ``now`` (the scheduler's run time, not the wall clock)."""
    return load_day(client, warehouse, (now.astimezone(UTC) - timedelta(days=1)).date(), now)
