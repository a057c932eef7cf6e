"""The helpers the tests share (the one support module): a small configuration, auth headers, URLs, and
``jaicp-mock serve`` in a subprocess.

Days are small (a handful of sessions), so generating a file takes milliseconds and the suite stays fast.
Every test starts from a fresh data dir under tmp_path; nothing sleeps: the clock is moved instead.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

ACCOUNT = 1234567
"""Enabled by support on 2026-01-10 12:00 UTC; projects demobot (banking, en_US) and shop (retail, ru_RU)."""
OFF_ACCOUNT = 7654321
"""Raw logs off."""
BUSINESS_ACCOUNT = 5550001
"""Support switch 2026-02-15, but on JAICP Business Pro since 2026-02-01: enabled from 2026-02-01."""
T0 = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
"""A Wednesday morning: 03-03-2026 is the latest day out, 04-03-2026 is today."""
YESTERDAY = date(2026, 3, 3)

CONFIG_TOML = """
seed = 7
generation_time = "00:01"
regeneration_delay_seconds = 600

[[accounts]]
id = 1234567
rawlogs_enabled_at = "2026-01-10T12:00:00Z"
locale = "en_US"
sessions_per_day = 6
  [[accounts.projects]]
  name = "demobot"
  domain = "banking"
  channels = ["telegram", "chatwidget"]
  [[accounts.projects]]
  name = "shop"
  domain = "retail"
  locale = "ru_RU"
  channels = ["vk"]
  [[accounts.users]]
  login = "admin"
  password = "admin-pw"
  token = "admin-token-1"
  roles = ["RAWLOGS_ANALYTIC"]
  admin = true
  [[accounts.users]]
  login = "analyst@example.com"
  password = "analyst-pw"
  token = "analyst-token-1"
  timezone = "Europe/Moscow"
  roles = ["RAWLOGS_ANALYTIC"]
  [[accounts.users]]
  login = "viewer"
  password = "viewer-pw"
  token = "viewer-token-1"
  [[accounts.users]]
  login = "boss"
  password = "boss-pw"
  admin = true

[[accounts]]
id = 7654321
plan = "JAICP Pro"
sessions_per_day = 3
  [[accounts.projects]]
  name = "support"
  domain = "telecom"
  [[accounts.users]]
  login = "other"
  password = "other-pw"
  token = "other-token-1"
  roles = ["RAWLOGS_ANALYTIC"]
  admin = true

[[accounts]]
id = 5550001
plan = "JAICP Business Pro"
plan_since = "2026-02-01T00:00:00Z"
rawlogs_enabled_at = "2026-02-15T00:00:00Z"
sessions_per_day = 3
quote_all = true
bom = true
line_end = "lf"
channel_labels = "id"
session_id_style = "client"
  [[accounts.projects]]
  name = "biz"
  domain = "delivery"
  [[accounts.users]]
  login = "biz"
  password = "biz-pw"
  roles = ["RAWLOGS_ANALYTIC"]
  admin = true
"""

PASSWORDS = {"admin": "admin-pw", "analyst@example.com": "analyst-pw", "viewer": "viewer-pw", "boss": "boss-pw",
             "other": "other-pw", "biz": "biz-pw"}
ANALYST = "analyst@example.com"
TOKENS = {"admin": "admin-token-1", ANALYST: "analyst-token-1", "viewer": "viewer-token-1", "other": "other-token-1"}
"""Reporter API tokens; the analyst's profile zone is Europe/Moscow, the others' UTC."""


def basic(login: str, password: str | None = None) -> dict[str, str]:
    """The Authorization header for ``login`` (its configured password unless given)."""
    secret = PASSWORDS.get(login, "") if password is None else password
    token = base64.b64encode(f"{login}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def bearer(login: str) -> dict[str, str]:
    """The Reporter API's Authorization header for ``login``."""
    return {"Authorization": f"Bearer {TOKENS[login]}"}


def url(day: date) -> str:
    return f"/restapi/rawlogs/{day:%d-%m-%Y}.csv"


def run_url(day: date, account: int = ACCOUNT, force: str | None = "true") -> str:
    query = "" if force is None else f"?force={force}"
    return f"/restapi/rawlogs/run/{account}/{day:%d-%m-%Y}{query}"


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    """The response is the JSON error envelope with this status (and code)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error", "message", "args"}
    assert isinstance(body["message"], str) and body["message"] and "{" not in body["message"]
    assert isinstance(body["args"], dict)
    if code is not None:
        assert body["error"] == code, body
    return body


ROOT = Path(__file__).resolve().parent.parent
"""The repository's root."""


def serve(*flags: str) -> tuple[subprocess.Popen, str, list[str]]:
    """Start ``jaicp-mock serve --port 0 ...``; returns the process, its base URL and the banner lines."""
    process = subprocess.Popen([sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    banner = []
    for line in process.stdout:
        banner.append(line.rstrip("\n"))
        if line.startswith("  stop with"):
            break
    else:
        process.wait(timeout=10)
        raise AssertionError(f"serve did not start: {process.stderr.read()}")
    match = re.match(r"jaicp-mock serving (http://\S+)", banner[0])
    assert match, banner
    return process, match.group(1), banner


def stop(process: subprocess.Popen, signum: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, process.stderr.read()
