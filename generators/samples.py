"""The committed sample exports in ``fixtures/``: what each shows, and the one command that remakes them.

    python -m generators.samples [--out fixtures] [--check]

Every sample comes from the same generator the server and the CLI use, so a test can prove that remaking
them reproduces the committed files byte for byte (``--check`` does the same from the shell).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from random import Random

from generators.csvformat import atomic_output, rows_to_bytes
from generators.model import DEFAULT_SEED, AccountSpec, Dialect, ProjectSpec
from generators.schema import MSG_SWITCHED, SESSION_ID, SESSION_START, STATE_AFTER, parse_datetime
from generators.sessions import DayPlan, Row
from generators.strategies import NASTY_SNIPPETS

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fixtures"
DAY = date(2026, 3, 3)  # a Tuesday
QUIET_DAY = date(2026, 3, 8)  # a Sunday
DAY_MONTH_DAY = date(2026, 1, 5)  # a Monday: 05.01, which a reader that swaps day and month reads as 1 May

EN_ACCOUNT = AccountSpec(1234567, projects=(
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Deliveries", domain="delivery", channels=("whatsapp", "chatwidget")),
), locale="en_US", sessions_per_day=25)
RU_ACCOUNT = AccountSpec(7654321, projects=(
    ProjectSpec("Помощник", domain="telecom", channels=("telegram", "vk", "resterisk")),
    ProjectSpec("Магазин", domain="retail", channels=("chatwidget", "whatsapp")),
), locale="ru_RU", sessions_per_day=25)
QUIET_ACCOUNT = AccountSpec(1234567, projects=EN_ACCOUNT.projects, sessions_per_day=0)
BUSY_ACCOUNT = AccountSpec(1234567, projects=EN_ACCOUNT.projects, sessions_per_day=250)


@dataclass(frozen=True)
class Sample:
    name: str
    shows: str
    rows: Callable[[], Iterable[Row]]
    dialect: Dialect = Dialect()
    day: date = DAY


def _day(account: AccountSpec, day: date = DAY, version: int = 1, channel_labels: str = "display") -> list[Row]:
    return list(DayPlan(account, day, version=version, seed=DEFAULT_SEED, channel_labels=channel_labels).rows())


def _sessions_where(rows: list[Row], keep: Callable[[list[Row]], bool]) -> list[Row]:
    """The rows of the sessions (in file order) for which ``keep`` holds."""
    by_session: dict[str, list[Row]] = {}
    for row in rows:
        by_session.setdefault(row[SESSION_ID], []).append(row)
    kept = {session for session, session_rows in by_session.items() if keep(session_rows)}
    return [row for row in rows if row[SESSION_ID] in kept]


def _multi_day() -> list[Row]:
    start_of_day = parse_datetime(f"{DAY:%d.%m.%Y} 00:00:00")
    return _sessions_where(_day(BUSY_ACCOUNT),
                           lambda rows: parse_datetime(rows[0][SESSION_START]) < start_of_day)


def _transfers() -> list[Row]:
    return _sessions_where(_day(BUSY_ACCOUNT), lambda rows: any(
        row[MSG_SWITCHED] == "true" or row[STATE_AFTER].endswith("NoOperatorsOnline") for row in rows))


FREE_TEXT_COLUMNS = (4, 6, 8, 9, 11, 12, 17, 18)
"""Columns whose text a client cannot trust: labels, names, phrases, replies, comments, tags."""


def _adversarial() -> list[Row]:
    """A real day with hostile snippets spliced into the free-text columns (states keep their chain)."""
    rng = Random(DEFAULT_SEED)
    touched = []
    for row in _day(EN_ACCOUNT):
        fields = list(row)
        for column in FREE_TEXT_COLUMNS:
            if rng.random() < 0.35:
                snippet = rng.choice(NASTY_SNIPPETS)
                fields[column] = rng.choice((snippet + fields[column], fields[column] + snippet, snippet))
        touched.append(fields)
    # Session-level columns must stay equal on every row of a session: copy the first row's.
    first: dict[str, list[str]] = {}
    for fields in touched:
        head = first.setdefault(fields[SESSION_ID], fields)
        fields[4], fields[6], fields[8], fields[9] = head[4], head[6], head[8], head[9]
    return [tuple(fields) for fields in touched]


SAMPLES: tuple[Sample, ...] = (
    Sample("normal_day_en_US.csv", "a normal weekday in English: a banking and a delivery bot on Telegram, the web "
           "widget, WhatsApp and the phone line", lambda: _day(EN_ACCOUNT)),
    Sample("normal_day_ru_RU.csv", "a normal weekday in Russian: a telecom and a retail bot on Telegram, VK, the web "
           "widget, WhatsApp and the phone line", lambda: _day(RU_ACCOUNT)),
    Sample("day_and_month_differ_ru_RU.csv", "a weekday whose day and month differ (05.01.2026): a reader that "
           "swaps them reads 1 May, and the dates the bot quotes are January's",
           lambda: _day(RU_ACCOUNT, DAY_MONTH_DAY), day=DAY_MONTH_DAY),
    Sample("quiet_day.csv", "a day without dialogs (an account with no traffic on a Sunday): the header row only",
           lambda: _day(QUIET_ACCOUNT, QUIET_DAY), day=QUIET_DAY),
    Sample("multi_day_sessions.csv", "chat sessions that began on earlier days: session_start_time before the "
           "file's day, session_questions_count above their rows in the file", _multi_day),
    Sample("transfers_and_no_operators.csv", "sessions handed to a live agent (msg_switched, then msg_operator "
           "rows, then livechatFinished) and sessions that found no agent online "
           "(/CatchAll/Switch/NoOperatorsOnline)", _transfers),
    Sample("adversarial_text.csv", "hostile text in every free-text column: ; and \" inside fields, CR/LF, tabs, "
           "edge spaces, emoji, right-to-left and combining characters, a BOM character, formula-like cells",
           _adversarial),
    Sample("dialect_quote_all.csv", "the quote-all option: every field quoted", lambda: _day(EN_ACCOUNT),
           Dialect(quote_all=True)),
    Sample("dialect_bom.csv", "the BOM option: the file starts with a UTF-8 byte order mark",
           lambda: _day(EN_ACCOUNT), Dialect(bom=True)),
    Sample("dialect_lf.csv", "the \\n option: LF line ends instead of CRLF", lambda: _day(EN_ACCOUNT),
           Dialect(line_end="\n")),
    Sample("dialect_channel_ids.csv", "channel_type written as platform ids (telegram, chatwidget, resterisk) "
           "instead of display names", lambda: _day(EN_ACCOUNT, channel_labels="id"),
           Dialect(channel_labels="id")),
    Sample("regenerated_v1.csv", "version 1 of a day, as the 00:01 generation wrote it",
           lambda: _day(EN_ACCOUNT, version=1)),
    Sample("regenerated_v2.csv", "version 2 of the same day after a forced regeneration: every dialog of "
           "version 1 plus late-arriving ones", lambda: _day(EN_ACCOUNT, version=2)),
)


def render(sample: Sample, rows: Iterable[Row] | None = None) -> bytes:
    """The sample's file content."""
    return rows_to_bytes(sample.rows() if rows is None else rows, sample.dialect)


def readme() -> str:
    """fixtures/README.md, made from SAMPLES so that it cannot drift from the files."""
    lines = [
        "# Sample exports",
        "",
        "Small day files of JAICP's raw-log export, made by jaicp-mock's generator (seed "
        f"{DEFAULT_SEED}, day {DAY:%d.%m.%Y} unless said otherwise). Remake them all with",
        "`python -m generators.samples`; the test suite proves that remaking reproduces every byte.",
        "This file is made by the same command.",
        "",
        "| file | what it shows |",
        "|---|---|",
    ]
    lines += [f"| `{sample.name}` | {sample.shows.replace('|', '/')} |" for sample in SAMPLES]
    return "\n".join(lines) + "\n"


def outputs() -> Iterable[tuple[str, bytes, int | None]]:
    """(file name, content, rows) of every file the command makes."""
    for sample in SAMPLES:
        rows = list(sample.rows())
        yield sample.name, render(sample, rows), len(rows)
    yield "README.md", readme().encode(), None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generators.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the folder (default: fixtures/)")
    parser.add_argument("--check", action="store_true", help="compare with the files there; write nothing")
    args = parser.parse_args(argv)
    return sync(outputs(), args.out, check=args.check, remake="python -m generators.samples")


def sync(made: Iterable[tuple[str, bytes, int | None]], folder: Path, *, check: bool, remake: str) -> int:
    """Write each (name, content, rows) into ``folder`` atomically; with ``check``, only report stale files (1)."""
    stale = []
    for name, data, rows in made:
        path = folder / name
        if check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as stream:
            stream.write(data)
        print(f"{path}: {'' if rows is None else f'{rows} rows, '}{len(data):,} bytes")
    if stale:
        print(f"out of date: {', '.join(stale)}; remake with: {remake}", file=sys.stderr)
        return 1
    return 0

if __name__ == "__main__":
    sys.exit(main())
