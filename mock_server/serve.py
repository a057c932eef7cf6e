"""``jaicp-mock serve``: the mock on waitress (a production WSGI server, not Flask's development server).

At start it prints the base URL with the real port (``--port 0`` picks a free one), the users and a curl line
that downloads the latest available day. Without ``--data-dir`` the state lives in a temporary folder removed
at exit; with it, the clock, control-API changes and pending regenerations survive a restart. SIGINT and
SIGTERM stop it cleanly with exit status 0.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generators.cli import CliError, Command
from mock_server.urls import DASHBOARD_HOME, LOGIN_PATH, download_path

if TYPE_CHECKING:
    from mock_server.config import AccountConfig, UserConfig
    from mock_server.state import MockState

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_THREADS = 8


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"--port takes a port number from 0 to 65535 (0: any free port), got {text!r}")
    return value


def _threads(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError(f"--threads takes a whole number from 1 to 256, got {text!r}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=None,
                        help="a TOML configuration file (default: the built-in demo)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"the address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"the port (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where state and day files live, kept across restarts (default: a temporary folder "
                             "removed at exit)")
    parser.add_argument("--now", default=None,
                        help="start the mock clock at this ISO-8601 UTC time, ticking (default: the real time)")
    parser.add_argument("--control-token", default=None,
                        help="require 'Authorization: Bearer <token>' on /_mock/ (then any client address may use it)")
    parser.add_argument("--threads", type=_threads, default=DEFAULT_THREADS,
                        help=f"worker threads (default {DEFAULT_THREADS})")
    parser.add_argument("--quiet", action="store_true", help="no access log")


def run(args: argparse.Namespace) -> int:
    from mock_server.access import AccessLog
    from mock_server.clock import Clock, parse_instant
    from mock_server.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as error:
        raise CliError(f"--config: {error}") from None
    clock = None
    if args.now is not None:
        try:
            clock = Clock(parse_instant(args.now))
        except ValueError:
            raise CliError(
                f"--now takes an ISO-8601 date-time such as 2026-03-04T09:00:00Z, got {args.now!r}") from None
    if args.control_token is not None and not args.control_token.strip():
        raise CliError("--control-token takes a non-empty token")
    if args.data_dir is not None and args.data_dir.exists() and not args.data_dir.is_dir():
        raise CliError(f"--data-dir: {args.data_dir} is a file; give a folder (it is created if missing)")

    setup_logging()
    access = None if args.quiet else AccessLog(sys.stderr)
    temporary = None if args.data_dir is not None else Path(tempfile.mkdtemp(prefix="jaicp-mock-"))
    data_dir = args.data_dir if args.data_dir is not None else temporary
    state = None
    try:
        from mock_server.app import create_app, state_of

        try:
            app = create_app(config, data_dir=data_dir, clock=clock, control_token=args.control_token,
                             access_log_sink=access)
        except OSError as error:
            raise CliError(f"--data-dir: cannot use {data_dir}: {error.strerror or error}") from None
        state = state_of(app)
        server = _listen(app, args)
        # generations stop first: their readers then end at once
        _run_until_signal(server, state.files.close,
                          announce=lambda: _print_banner(state, server, args, temporary is not None))
        if access is not None:
            access.close()  # the last lines before the goodbye
        print("jaicp-mock: stopped", file=sys.stderr)
        return 0
    finally:
        if state is not None:
            state.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        if access is not None:
            access.close()


def _listen(app: Any, args: argparse.Namespace) -> Any:
    from mock_server.live import make_server

    try:
        return make_server(app, args.host, args.port, args.threads)
    except (socket.gaierror, ValueError):  # waitress reports an unresolvable host as ValueError
        raise CliError(f"--host: cannot resolve {args.host!r}; use an address such as 127.0.0.1") from None
    except OSError as error:
        raise CliError(f"--port: cannot listen on {args.host}:{args.port} ({error.strerror or error}); "
                       "pick another port, or --port 0 for any free one") from None


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _run_until_signal(server: Any, stopping: Callable[[], None], announce: Callable[[], None]) -> None:
    """Serve until SIGINT, SIGTERM or SIGHUP (a closed terminal). waitress's loop turns SystemExit into its own
    close, which waits up to 5 s for busy worker threads: so the handler first stops generations (``stopping``)
    and closes the client connections, and a worker streaming a day ends at once. ``announce`` (the banner) runs
    once the handlers are in place, so a signal sent as soon as the banner is read is never the default kill."""
    from mock_server.live import close_connections

    def stop(signum: int, frame: object) -> None:
        stopping()
        close_connections(server)
        raise SystemExit(0)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        with contextlib.suppress(SystemExit, KeyboardInterrupt):
            announce()
            server.run()
    finally:
        with contextlib.suppress(SystemExit, KeyboardInterrupt, Exception):
            server.close()
        for number, handler in previous.items():
            signal.signal(number, handler)


def setup_logging() -> None:
    """Warnings (waitress's, the state's) to stderr, unless logging is configured already.

    The access log has its own sink (:mod:`mock_server.access`).
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s",
                            datefmt="%Y-%m-%dT%H:%M:%S")
    logging.getLogger("waitress").addFilter(_not_a_stop)


def _not_a_stop(record: logging.LogRecord) -> bool:
    """Drop waitress's traceback for a download cut short because the server is stopping (expected, not a bug;
    the client sees the connection close before the body's end)."""
    from mock_server.state.files import Stopped

    return not (record.exc_info and isinstance(record.exc_info[1], Stopped))


@dataclass(frozen=True)
class _Banner:
    """What the start banner is made from."""

    state: MockState
    url: str
    args: argparse.Namespace
    temporary: bool
    now: datetime
    bound: str
    """The address the socket is bound to (``0.0.0.0`` for every interface)."""


def _banner_server(facts: _Banner) -> list[str]:
    lines = [f"jaicp-mock serving {facts.url}  (config: {facts.state.config.source})"]
    bound = facts.bound
    if not ipaddress.ip_address(bound.strip("[]")).is_loopback:
        lines.append(f"  WARNING: bound to {bound}: reachable from other machines, with the configuration's "
                     "test credentials; use --host 127.0.0.1 unless that is what you want")
    return lines


def _banner_clock(facts: _Banner) -> list[str]:
    from mock_server.clock import format_instant

    clock = facts.state.clock.describe()
    shown_now = format_instant(facts.now.replace(microsecond=0))
    return [f"  clock: {'real UTC time' if clock['real'] else 'mock time'} {shown_now}"
            f"{', frozen' if clock['frozen'] else ', ticking'}",
            f"  data:  {facts.state.data_dir}{' (temporary, removed at exit)' if facts.temporary else ''}"]


def _banner_accounts(facts: _Banner) -> list[str]:
    from mock_server.clock import format_instant
    from mock_server.rules import enabled_at

    lines = ["  accounts:"]
    for account in facts.state.config.accounts:
        start = enabled_at(facts.state.account(account.id))
        status = f"raw logs on since {format_instant(start)}" if start and start <= facts.now else "raw logs off"
        projects = ", ".join(f"{project.name} ({project.domain}, {project.locale or account.locale})"
                             for project in account.projects)
        lines.append(f"    {account.id}: {status}; projects {projects}")
    return lines


def _banner_users(facts: _Banner) -> list[str]:
    config = facts.state.config
    lines = ["  users:" + ("" if config.is_demo else " (passwords are in the configuration file)")]
    for account in config.accounts:
        for user in account.users:
            roles = [*user.roles, *(["administrator"] if user.admin else [])]
            secret = f"/{user.password}" + (f"  token {user.token}" if user.token else "") if config.is_demo else ""
            lines.append(f"    {user.login}{secret}  account {account.id}, {', '.join(roles) or 'no role'}")
    return lines


def _curl_user(facts: _Banner) -> tuple[AccountConfig, UserConfig] | None:
    """The user the curl line shows: the first analyst who is not an administrator, else the first analyst."""
    from mock_server.config import RAWLOGS_ROLE

    analysts = [(account, user) for account in facts.state.config.accounts for user in account.users
                if RAWLOGS_ROLE in user.roles]
    return next((pair for pair in analysts if not pair[1].admin), analysts[0] if analysts else None)


def _banner_try(facts: _Banner) -> list[str]:
    chosen = _curl_user(facts)
    if chosen is None:
        return []
    account, user = chosen
    day = facts.now.date() - timedelta(days=1)
    for _ in range(3):
        if facts.state.day_status(account.id, day, facts.now).served is not None:
            break
        day -= timedelta(days=1)
    password = user.password if facts.state.config.is_demo else "<password>"
    return ["  try:", f"    curl -u {user.login}:{password} -O {facts.url}{download_path(day)}"]


def _banner_pages(facts: _Banner) -> list[str]:
    return [f"  in a browser: {facts.url}{LOGIN_PATH}  (Analytics → Dialogs, Clients, the export tasks; log in as "
            "a user with the analytics permission)"]


def _banner_control(facts: _Banner) -> list[str]:
    access = "; needs Authorization: Bearer <token>" if facts.args.control_token else "; loopback clients only"
    return [f"  control API: {facts.url}/_mock/  (OpenAPI: {facts.url}/_mock/openapi.json){access}",
            "  stop with Ctrl+C"]


def _banner_dashboard(facts: _Banner) -> list[str]:
    access = ("; the browser is asked for the control token once" if facts.args.control_token
              else "; loopback clients only")
    return [f"  dashboard: {facts.url}{DASHBOARD_HOME}  (the mock's state in a browser){access}"]


BANNER_SECTIONS: tuple[Callable[[_Banner], list[str]], ...] = (
    _banner_server, _banner_clock, _banner_accounts, _banner_users, _banner_try, _banner_pages, _banner_dashboard,
    _banner_control)


def _print_banner(state: MockState, server: Any, args: argparse.Namespace, temporary: bool) -> None:
    from mock_server.live import server_url

    facts = _Banner(state, server_url(server), args, temporary, state.now(), str(server.effective_host))
    print("\n".join(line for section in BANNER_SECTIONS for line in section(facts)), flush=True)


SERVE = Command("serve", "run the mock JAICP server",
                "Serve /restapi/rawlogs/... with JAICP's rules, and the control API under /_mock/.",
                add_arguments, run)
