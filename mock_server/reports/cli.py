"""``jaicp-mock report``: write a report file offline from the configuration's account, as the server would.

Every bad flag gets one line naming the flag and the accepted values, and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, NoReturn

from pydantic import TypeAdapter, ValidationError

from generators.cli import CliError, Command
from mock_server.reports.content import COLUMNS, ReportQuery, daily_query, report_rows
from mock_server.reports.errors import Problem, render_report_message
from mock_server.reports.files import EXTENSIONS, write_report
from mock_server.reports.models import (
    DEFAULT_DATE_TIME_FORMAT,
    KEY_SPECS,
    FilterKey,
    FilterType,
    ReportFilter,
    ReportSettings,
    ReportType,
    problem_of,
)
from mock_server.reports.zones import ZoneError, parse_zone

TYPES = {"sessions": ReportType.SESSIONS, "messages": ReportType.MESSAGES, "clients": ReportType.CLIENTS,
         "daily": ReportType.DAILY}
FILE_TYPES = {extension: file_type for file_type, extension in EXTENSIONS.items()}
_FILTER = TypeAdapter(ReportFilter)
RANGE_SEPARATOR = ".."


class ReportCliError(Exception):
    """A usage error: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line instead of the usage text
        raise ReportCliError(message)


def _moment_or_day(text: str) -> datetime | date:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a day YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM[:SS][+HH:MM], got {text!r}") from None


def _zone(text: str) -> tzinfo:
    try:
        return parse_zone(text)
    except ZoneError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _output(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in FILE_TYPES:
        raise argparse.ArgumentTypeError(f"the file name must end in {' or '.join(FILE_TYPES)}, got {text!r}")
    return path


DESCRIPTION = "Write a Reporter API report (as the server's tasks make them) for a configured account, offline."


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="jaicp-mock report", description=DESCRIPTION)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", required=True, choices=tuple(TYPES), help="sessions, messages, clients or daily")
    parser.add_argument("--from", dest="start", required=True, type=_moment_or_day,
                        help="first day (YYYY-MM-DD, a UTC raw-log day) or a date-time (no offset: in --tz)")
    parser.add_argument("--to", dest="end", type=_moment_or_day, default=None,
                        help="last day, included (default: --from), or an exclusive date-time; not for daily")
    parser.add_argument("--filter", dest="filters", action="append", default=[], metavar="KEY=VALUE",
                        help="a filter: text; FROM..TO for times and counts (a side may be empty); "
                             "a,b for checkbox keys; YES or NO for yes/no keys. Repeatable.")
    parser.add_argument("--config", type=Path, default=None, help="the server's TOML configuration (default: demo)")
    parser.add_argument("--account", type=int, default=None, help="account id (default: the first account)")
    parser.add_argument("--tz", type=_zone, default=UTC, help="the user's time zone: IANA name or offset (default UTC)")
    parser.add_argument("--delimiter", default=",", help="CSV delimiter, one character (default ,)")
    parser.add_argument("--date-format", default=DEFAULT_DATE_TIME_FORMAT,
                        help=f"Java date-time pattern (default {DEFAULT_DATE_TIME_FORMAT})")
    parser.add_argument("--no-header", action="store_true", help="leave out the header row")
    parser.add_argument("-o", "--output", required=True, type=_output, help="FILE.xlsx or FILE.csv")


def _filter_body(key: FilterKey, value: str) -> dict[str, Any]:
    kind = KEY_SPECS[key].type
    body: dict[str, Any] = {"key": key.value, "type": kind.value}
    if kind in (FilterType.DATE_TIME_RANGE, FilterType.NUMERIC_RANGE):
        if RANGE_SEPARATOR not in value:
            raise ReportCliError(f"--filter {key.value}: expected FROM{RANGE_SEPARATOR}TO (a side may be empty), "
                                 f"got {value!r}")
        low, high = value.split(RANGE_SEPARATOR, 1)
        body.update({"from": low or None, "to": high or None})
    elif kind is FilterType.CHECKBOX:
        body["options"] = [part.strip() for part in value.split(",") if part.strip()]
    elif kind is FilterType.RADIO:
        body["option"] = value.strip().upper()
    else:
        body["value"] = value
    return body


def parse_filter(text: str) -> ReportFilter:
    """``KEY=VALUE`` as a filter; ReportCliError naming the flag, the key and what it accepts."""
    key_text, separator, value = text.partition("=")
    if not separator or key_text.strip().upper() not in tuple(FilterKey):
        raise ReportCliError(f"--filter: expected KEY=VALUE with KEY one of {', '.join(FilterKey)}; got {text!r}")
    body = _filter_body(FilterKey(key_text.strip().upper()), value)
    try:
        return _FILTER.validate_python(body)
    except ValidationError as error:
        problem = problem_of(error, ReportSettings)
        inner = problem.args.get("field", "(body)")
        flag = f"--filter {body['key']}" + ("" if inner == "(body)" else f" ({inner})")
        raise ReportCliError(_with_flag(problem, flag)) from None


def _with_flag(problem: Problem, flag: str) -> str:
    """The envelope's message with the flag where the JSON field would be."""
    return render_report_message(problem.code, {**problem.args, "field": flag})


def _settings(args: argparse.Namespace) -> ReportSettings:
    body = {"fileType": FILE_TYPES[args.output.suffix.lower()].value, "withHeader": not args.no_header,
            "delimiter": args.delimiter, "dateTimeFormat": args.date_format}
    try:
        return ReportSettings.model_validate(body)
    except ValidationError as error:
        problem = problem_of(error, ReportSettings)
        flag = "--delimiter" if problem.args.get("field") == "delimiter" else "--date-format"
        raise ReportCliError(_with_flag(problem, flag)) from None


def _bound(value: datetime | date, zone: tzinfo, *, last_day: bool) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    moment = datetime.combine(value, time(), UTC)
    return moment + timedelta(days=1) if last_day else moment


def _query(args: argparse.Namespace, account: Any, seed: int, filters: tuple[ReportFilter, ...]) -> ReportQuery:
    report_type = TYPES[args.type]
    if report_type is ReportType.DAILY:
        if args.end is not None or filters or isinstance(args.start, datetime):
            raise ReportCliError("--type daily: give one day with --from YYYY-MM-DD, and no --to or --filter")
        return daily_query(account, args.start, zone=args.tz, seed=seed)
    start = _bound(args.start, args.tz, last_day=False)
    end = _bound(args.end if args.end is not None else args.start, args.tz, last_day=True)
    try:
        return ReportQuery(report_type, account, start, end, args.tz, filters, seed=seed)
    except ValueError as error:
        raise ReportCliError(f"--from/--to: {error}") from None


def _account(args: argparse.Namespace) -> tuple[Any, int]:
    from mock_server.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as error:
        raise ReportCliError(f"--config: {error}") from None
    if args.account is None:
        return config.accounts[0].spec(), config.seed
    chosen = config.account(args.account)
    if chosen is None:
        known = ", ".join(str(account.id) for account in config.accounts)
        raise ReportCliError(f"--account: no account {args.account} in the configuration; accounts: {known}")
    return chosen.spec(), config.seed


def run(args: argparse.Namespace) -> int:
    filters = tuple(parse_filter(text) for text in args.filters)
    settings = _settings(args)
    account, seed = _account(args)
    query = _query(args, account, seed, filters)
    rows = write_report(args.output, COLUMNS[query.report_type], report_rows(query), settings)
    print(f"wrote {rows:,} rows ({args.type}) to {args.output}")
    return 0


def report_main(argv: Sequence[str] | None = None) -> int:
    """The ``report`` command: 0 on success, 2 on a bad flag, 1 when the file cannot be written."""
    try:
        return run(build_parser().parse_args(argv))
    except ReportCliError as error:
        print(f"jaicp-mock report: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"jaicp-mock report: error: {error}", file=sys.stderr)
        return 1



def _run_command(args: argparse.Namespace) -> int:
    """``jaicp-mock report`` inside the ``jaicp-mock`` command table: a usage error is the table's CliError."""
    try:
        return run(args)
    except ReportCliError as error:
        raise CliError(str(error)) from None


REPORT = Command("report", "write a report file (XLSX or CSV) offline", DESCRIPTION, add_arguments, _run_command)
