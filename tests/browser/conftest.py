"""Browser tests: the mock on a free 127.0.0.1 port in a thread, driven by Playwright through Debian's Chromium.

- ``live_mock``: a fresh mock for one test (demo configuration, its own data dir, the clock frozen at ``NOW``,
  pages polling every ``POLL_MS``); a :class:`~mock_server.testing.JaicpMock`, so ``live_mock.clock.advance(...)``
  moves the server's clock.
- ``browser``: one Chromium for the session (``JAICP_MOCK_CHROMIUM``, else ``/usr/bin/chromium``); never
  ``playwright install``.
- ``page``: a new browser context and page (on ``live_mock``'s server); the test fails if the page logged a
  console error or threw, unless the test allowed that message with ``console.allow(pattern)``.

Without Playwright or Chromium the browser tests are skipped with one warning line; with ``CI`` set they fail,
so CI can never pass without having run them.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mock_server.config import demo_config
from mock_server.context import state_of
from mock_server.live import LiveServer
from mock_server.testing import JaicpMock, build_app
from mock_server.web import POLL_MS_KEY

HERE = Path(__file__).parent
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
"""A Wednesday noon (UTC): the demo's days up to 03-03-2026 are out, report periods end here."""
POLL_MS = 250
CHROMIUM_ENV = "JAICP_MOCK_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000
"""Playwright's waits give up after this (its default, 30 s, makes a failing test slow)."""


class BrowserMissing(pytest.PytestWarning):
    """The browser tests were skipped: no Playwright or no Chromium."""


def chromium_path() -> str:
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)) and shutil.which(path) is None:
        return f"no Chromium at {path} (apt-get install chromium, or set {CHROMIUM_ENV})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests ``browser``; skip them (one warning) when the browser is missing outside CI."""
    ours = [item for item in items if HERE in item.path.parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    reason = missing_browser() if ours else None
    if reason is None or os.environ.get("CI"):
        return  # in CI the ``browser`` fixture fails each test with the reason
    warnings.warn(BrowserMissing(f"{len(ours)} browser tests skipped: {reason}"), stacklevel=1)
    for item in ours:
        item.add_marker(pytest.mark.skip(reason=f"browser tests need a browser: {reason}"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = missing_browser()
    if reason is not None:
        pytest.fail(f"CI must run the browser tests, but {reason}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_mock(tmp_path: Path) -> Iterator[JaicpMock]:
    app = build_app(demo_config(), data_dir=tmp_path / "data", now=NOW)
    app.config[POLL_MS_KEY] = POLL_MS
    try:
        with LiveServer(app) as server:
            yield JaicpMock.of_app(app, server.url)
    finally:
        state_of(app).close()


@dataclass
class Console:
    """What a page logged as an error, or threw; ``allow`` a message the test expects."""

    errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [text for text in self.errors if not any(pattern.search(text) for pattern in self.allowed)]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Any, console: Console, live_mock: JaicpMock) -> Iterator[Any]:
    """Closed before ``live_mock`` stops (it depends on it), so no request of the page meets a closed server."""
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.on("console", lambda message: console.errors.append(f"console: {message.text}")
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: console.errors.append(f"page error: {error}"))
    yield tab
    context.close()
    unexpected = console.unexpected()
    if unexpected:
        pytest.fail("the page logged errors:\n" + "\n".join(unexpected), pytrace=False)


def log_in(page: Any, mock: JaicpMock, login: str, password: str | None = None) -> None:
    """Log in through the form (the demo's passwords are the logins) and land on Analytics → Dialogs."""
    page.goto(f"{mock.url}/ui/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password if password is not None else login)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/ui/analytics/dialogs")
