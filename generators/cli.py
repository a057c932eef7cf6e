"""The generators' commands, ``jaicp-mock generate`` and ``jaicp-mock validate``, and the CLI's shared parts.

A command is one :class:`Command` (its name, help, arguments and handler); ``mock_server.cli`` lists them in a
table, so adding a command is adding one entry there. Every bad flag gets one line that names the flag and the
accepted values, and exit status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NoReturn

from generators.channels import CHANNEL_IDS
from generators.engines import ENGINES, auto_chunks, run_objects
from generators.extras import MissingExtra
from generators.model import DEFAULT_SEED, AccountSpec, Dialect, ProjectSpec
from generators.partitions import Request
from generators.progress import JobProgress
from generators.scenarios import DOMAINS, LOCALES
from generators.schema import file_day
from generators.storage import COMPRESSIONS, FORMATS, LAYOUTS, Output, OutputObject, is_local, plan_objects, url_to_fs

PROGRESS_MIN_SESSIONS = 20_000
"""Below this a day is written in well under a second: no progress bar."""


class CliError(Exception):
    """A usage error to print as one line, then exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's default prints usage; one clear line is enough
        raise CliError(message)


@dataclass(frozen=True)
class Command:
    """One subcommand of ``jaicp-mock``."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def positive(minimum: int = 1) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
        return value
    return parse


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD (e.g. 2026-03-03), got {text!r}") from None


def _channels(text: str) -> tuple[str, ...]:
    channels = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [channel for channel in channels if channel not in CHANNEL_IDS]
    if not channels or unknown:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of {', '.join(CHANNEL_IDS)}; got {text!r}")
    return channels


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=iso_date, required=True, help="the (first) day, YYYY-MM-DD")
    parser.add_argument("--days", type=positive(), default=1, help="how many days (default 1)")
    parser.add_argument("--sessions", type=positive(0), default=300,
                        help="sessions on a weekday; weekends get 60%% (default 300)")
    parser.add_argument("--seed", type=positive(0), default=DEFAULT_SEED,
                        help=f"the seed (default {DEFAULT_SEED})")
    parser.add_argument("--locale", choices=LOCALES, default="en_US", help="en_US or ru_RU (default en_US)")
    parser.add_argument("--account-id", type=positive(), default=1234567,
                        help="the account id (default 1234567)")
    parser.add_argument("--domain", choices=DOMAINS, default="banking", help="the bot's domain (default banking)")
    parser.add_argument("--channels", type=_channels, default=("telegram", "chatwidget", "resterisk"),
                        help="comma-separated channel types (default telegram,chatwidget,resterisk)")
    parser.add_argument("--project", default="Demobot", help="the project name (default Demobot)")
    parser.add_argument("--version", type=positive(), default=1,
                        help="the file version: 2 and up are forced regenerations (default 1)")
    parser.add_argument("--workers", type=positive(), default=1,
                        help="local processes, or the local Dask cluster's workers (default 1)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="local (this machine's processes, default) or dask")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="with --engine dask: a scheduler such as tcp://10.0.0.5:8786 (default: a local cluster)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or parquet (date=YYYY-MM-DD/)")
    parser.add_argument("--layout", choices=LAYOUTS, default="day",
                        help="CSV: a file per day (default) or per day and chunk")
    parser.add_argument("--chunks", type=positive(), default=None,
                        help="partitions per day (default: enough to keep --workers busy)")
    parser.add_argument("--compression", choices=COMPRESSIONS, default="none", help="CSV: none (default) or gzip")
    parser.add_argument("--storage-option", type=_storage_option, action="append", default=[], metavar="KEY=VALUE",
                        help="an fsspec option for -o's storage, e.g. endpoint_url=http://127.0.0.1:9000; repeatable")
    parser.add_argument("--quote-all", action="store_true", help="quote every field")
    parser.add_argument("--bom", action="store_true", help="start with a UTF-8 byte order mark")
    parser.add_argument("--line-end", choices=("crlf", "lf"), default="crlf", help="crlf (default) or lf")
    parser.add_argument("--channel-labels", choices=("display", "id"), default="display",
                        help="channel_type as display names (default) or ids")
    parser.add_argument("--session-ids", choices=("uuid5", "client"), default="uuid5",
                        help="session id style: <uuid5>.<uuid4> (default) or <clientId>.<uuid4>")
    parser.add_argument("-o", "--output", default="-",
                        help="a file, a folder (required for --days > 1) or an fsspec URL (s3://bucket/rawlogs/), "
                             "or - for stdout (default)")


def _storage_option(text: str) -> tuple[str, object]:
    """``KEY=VALUE``; a value that reads as JSON (``true``, ``false``, ``5``) is that value, else the text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (for example endpoint_url=http://127.0.0.1:9000), "
                                         f"got {text!r}")
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = value
    return key.strip(), parsed if isinstance(parsed, bool | int | float) else value


def _generate(args: argparse.Namespace) -> int:
    try:
        account = AccountSpec(
            args.account_id,
            projects=(ProjectSpec(args.project, domain=args.domain, channels=args.channels),),
            locale=args.locale, sessions_per_day=args.sessions, session_id_style=args.session_ids)
    except ValueError as error:
        raise CliError(f"--project: {error}") from None
    dialect = Dialect(quote_all=args.quote_all, bom=args.bom, line_end="\n" if args.line_end == "lf" else "\r\n",
                      channel_labels=args.channel_labels)
    _check_combination(args)
    if args.output == "-":
        return _generate_to_stdout(args, account, dialect)
    output = Output(args.output, args.format, args.layout, args.compression, tuple(args.storage_option))
    request = Request(account, args.date, args.days, (args.version,), _chunks(args), args.seed, dialect)
    objects = _objects(request, output)
    progress = JobProgress(objects) if _shows_progress(request) else None
    try:
        results = run_objects(objects, output, engine=args.engine, workers=args.workers, scheduler=args.scheduler,
                              progress=progress)
    except MissingExtra as error:  # names the flag that needs it
        raise CliError(str(error)) from None
    finally:
        if progress is not None:
            progress.close()
    for stats in results:
        print(f"{stats.url}: {stats.rows} rows, {stats.sessions} sessions ({stats.returning} begun on earlier days)",
              file=sys.stderr)
    return 0


_STDOUT_ONLY_CSV = (("--engine", "engine", "local"), ("--format", "format", "csv"), ("--layout", "layout", "day"),
                    ("--compression", "compression", "none"))
"""Flags that stdout cannot take: it is one CSV day file written here."""


def _check_combination(args: argparse.Namespace) -> None:
    if args.scheduler is not None and args.engine != "dask":
        raise CliError("--scheduler: a Dask scheduler's address needs --engine dask")
    if args.output != "-":
        return
    if args.days > 1:
        raise CliError("-o/--output: several days need a folder, not stdout")
    for flag, name, plain in _STDOUT_ONLY_CSV:
        if getattr(args, name) != plain:
            raise CliError(f"{flag} {getattr(args, name)}: writes files; give -o a folder or URL (stdout takes "
                           f"{flag} {plain})")


def _generate_to_stdout(args: argparse.Namespace, account: AccountSpec, dialect: Dialect) -> int:
    from generators.export import write_day

    options = {"version": args.version, "seed": args.seed, "dialect": dialect, "workers": args.workers}
    with _progress(args.sessions, file_day(args.date)) as progress:
        write_day(sys.stdout.buffer, account, args.date, on_progress=progress, **options)
    sys.stdout.buffer.flush()
    return 0


def _chunks(args: argparse.Namespace) -> int:
    if args.chunks is not None:
        return args.chunks
    if args.engine == "dask":
        return 1  # a cluster spreads days; a chunk per day keeps the objects whole
    return auto_chunks(args.days, args.workers)


def _objects(request: Request, output: Output) -> list[OutputObject]:
    root = output.root
    try:
        if is_local(root):
            _check_local_root(Path(root.removeprefix("file://")), request.days)
        else:
            url_to_fs(root, output.storage_options)  # a protocol known and installed, before any work
        return plan_objects(request, output)
    except (ImportError, ValueError) as error:  # the scale extra or a protocol's package missing, or unknown
        raise CliError(f"-o/--output {root}: {error}") from None


def _check_local_root(target: Path, days: int) -> None:
    if days > 1 and target.suffix.lower() == ".csv" and not target.is_dir():
        raise CliError(f"-o/--output: {target} names a file, but --days {days} writes {days} files; "
                       "give a folder (for example -o days/)")
    if days > 1 and target.exists() and not target.is_dir():
        raise CliError(f"-o/--output: {target} is a file; several days need a folder")


def _shows_progress(request: Request) -> bool:
    return sys.stderr.isatty() and request.account.sessions_per_day * request.days >= PROGRESS_MIN_SESSIONS


class _progress:
    """A tqdm bar on stderr for long runs on a terminal; nothing in a pipe or for small days."""

    def __init__(self, sessions: int, label: str) -> None:
        self.bar = None
        if sessions >= PROGRESS_MIN_SESSIONS and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc=label, unit=" rows", unit_scale=True, file=sys.stderr, leave=False)

    def __enter__(self) -> Callable[[int], object] | None:
        return self.bar.update if self.bar is not None else None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, help="CSV files")
    parser.add_argument("--date", type=iso_date, default=None,
                        help="the file's day, when the name is not dd-mm-yyyy.csv (YYYY-MM-DD)")
    parser.add_argument("--max-errors", type=positive(), default=50,
                        help="stop listing a file's errors after this many (default 50)")


def _validate(args: argparse.Namespace) -> int:
    from generators.validate import validate_file

    for path in args.files:  # say what is wrong with the path itself, not a rule of the file's content
        if path.is_dir():
            raise CliError(f"{path} is a folder; give CSV files (for example {path / '*.csv'})")
        if not path.exists():
            raise CliError(f"{path}: no such file")
    failed = False
    for path in args.files:
        report = validate_file(path, day=args.date, max_errors=args.max_errors)
        for problem in report.problems:
            print(problem, file=sys.stderr)
        print(report.summary())
        failed = failed or not report.ok
    return 1 if failed else 0


GENERATE = Command("generate", "write realistic day files",
                   "Write one day to a file or stdout, or N days into a folder or URL (dd-mm-yyyy.csv, or Parquet).",
                   _generate_arguments, _generate)
VALIDATE = Command("validate", "check export files",
                   "Check files against the export format and its invariants; exit 1 when any breaks one.",
                   _validate_arguments, _validate)
