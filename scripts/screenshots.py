"""Screenshots of the browser UI for the README: ``python scripts/screenshots.py`` remakes ``docs/images/*.png``.

Without ``--url`` it starts the demo mock in this process on a free 127.0.0.1 port, its clock frozen at a fixed
instant, and sets a scene first (a regeneration pending, a fault, a few API requests, report tasks), so the
pictures show every part and come out the same each run. With ``--url`` it photographs a running mock as it is
(nothing is changed there but the browser logging in). Chromium is Debian's (``--chromium``, else
``$JAICP_MOCK_CHROMIUM``, else ``/usr/bin/chromium``), driven by Playwright; each page is saved 1200 px wide and
reduced to a 256-colour palette (Pillow), which keeps a screenshot of text to a few tens of kB.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images"
NOW = datetime(2026, 3, 4, 12, 5, tzinfo=UTC)
"""The self-started mock's frozen clock: the demo's days up to 03-03-2026 are out."""
ACCOUNT = 1234567
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--hide-scrollbars"]
WIDTH, HEIGHT = 1200, 860
COLOURS = 256


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    ready: str
    """A selector that is on the page once it shows what the picture is for."""
    login: bool = False
    """Log in first (the platform's pages)."""


SHOTS = (
    Shot("login", "/ui/login", "form"),
    Shot("dialogs", "/ui/analytics/dialogs", "#sessions tbody tr", login=True),
    Shot("tasks", "/ui/tasks", "#tasks tbody tr", login=True),
    Shot("dashboard", "/_mock/dashboard/", ".account"),
    Shot("calendar", f"/_mock/dashboard/accounts/{ACCOUNT}?from=2026-02&to=2026-03", "td[data-day]"),
    Shot("day", f"/_mock/dashboard/accounts/{ACCOUNT}/days/03-03-2026", "svg"),
    Shot("journal", "/_mock/dashboard/journal", "table.journal tbody tr"),
)


class ScriptError(Exception):
    """A problem the user can act on; printed as one line, exit status 2."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running mock's base URL, e.g. http://127.0.0.1:8080 (default: start one)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the PNGs go (default: {OUT.relative_to(ROOT)})")
    parser.add_argument("--login", default="analyst", help="the user the platform's pages log in as")
    parser.add_argument("--password", default="analyst")
    parser.add_argument("--chromium", default=os.environ.get("JAICP_MOCK_CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--only", action="append", choices=[shot.name for shot in SHOTS],
                        help="take only this picture (repeatable)")
    return parser.parse_args(argv)


def set_scene(mock) -> None:
    """What the pictures show: a regeneration counting down, a fault, API requests, report tasks at work."""
    mock.state.regenerate(ACCOUNT, date(2026, 3, 2), force=True)
    mock.add_fault(503, times=2, path=date(2026, 3, 3))
    for auth in (("analyst", "analyst"), ("analyst", "analyst"), ("viewer", "viewer"), ("analyst", "wrong")):
        requests.get(mock.download_url(date(2026, 3, 3)), auth=auth, timeout=30)
    period = {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-02T00:00:00Z",
              "to": "2026-03-04T00:00:00Z"}
    mock.create_report(token="demo-token-analyst", filters=[period])
    mock.clock.advance(6)
    mock.create_report("clients", token="demo-token-analyst", filters=[period])
    mock.add_fault(429, times=3, retry_after=30)  # the first fault was used up by the requests above


@contextlib.contextmanager
def demo_mock() -> Iterator[str]:
    """The demo mock in this process, the scene set; yields its URL."""
    from mock_server.config import demo_config
    from mock_server.context import state_of
    from mock_server.live import LiveServer
    from mock_server.testing import JaicpMock, build_app

    with tempfile.TemporaryDirectory(prefix="jaicp-mock-shots-") as folder:
        app = build_app(demo_config(), data_dir=Path(folder) / "data", now=NOW)
        try:
            with LiveServer(app) as server:
                set_scene(JaicpMock.of_app(app, server.url))
                yield server.url
        finally:
            state_of(app).close()


def check_url(url: str) -> str:
    base = url.rstrip("/")
    try:
        answer = requests.get(base + "/_mock/health", timeout=10)
    except requests.RequestException as error:
        raise ScriptError(f"--url {url}: no mock answers there ({type(error).__name__})") from None
    if answer.status_code != 200:
        raise ScriptError(f"--url {url}: /_mock/health answered {answer.status_code}; the dashboard needs a "
                          "loopback client (or the server's control token)")
    return base


def small_png(data: bytes) -> bytes:
    """The screenshot as a palette PNG: text and flat colours lose nothing visible."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(COLOURS, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def log_in(page, base: str, login: str, password: str) -> None:
    page.goto(base + "/ui/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/ui/login" in page.url:
        raise ScriptError(f"--login {login}: the login page refused it (wrong --password, or no such user)")


def photograph(base: str, args: argparse.Namespace) -> list[tuple[Path, int]]:
    from playwright.sync_api import sync_playwright

    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}).new_page()
            logged_in = False
            for shot in shots:
                if shot.login and not logged_in:
                    log_in(page, base, args.login, args.password)
                    logged_in = True
                page.goto(base + shot.path)
                page.locator(shot.ready).first.wait_for()
                target = args.out / f"{shot.name}.png"
                data = small_png(page.screenshot())
                write_atomically(target, data)
                saved.append((target, len(data)))
        finally:
            browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import playwright.sync_api  # noqa: F401
        from PIL import Image  # noqa: F401
    except ImportError as error:
        print(f"screenshots: {error.name} is missing: pip install -e '.[test,docs]'", file=sys.stderr)
        return 2
    if not os.access(args.chromium, os.X_OK):
        print(f"screenshots: --chromium {args.chromium}: not an executable (apt-get install chromium)", file=sys.stderr)
        return 2
    try:
        with contextlib.nullcontext(check_url(args.url)) if args.url else demo_mock() as base:
            saved = photograph(base, args)
    except ScriptError as error:
        print(f"screenshots: {error}", file=sys.stderr)
        return 2
    for path, size in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
