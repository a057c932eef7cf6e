"""Hypothesis strategies for the export: one row, one session (invariants kept), a whole day file.

Realistic mode draws from the scenario data through the real session generator. Adversarial mode draws
text a CSV consumer must survive — ``;``, ``"``, CR/LF, tabs, edge spaces, emoji, right-to-left and
combining characters, empty and very long fields — but only values the real format can carry (valid
UTF-8, no NUL), and always keeps the invariants the validator checks::

    from generators.strategies import day_files

    @given(day_files(adversarial=True))
    def test_my_parser(day_file):
        assert len(my_parse(day_file.to_bytes())) == len(day_file.rows)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from generators.channels import CHANNELS
from generators.csvformat import rows_to_bytes
from generators.model import AccountSpec, Dialect, ProjectSpec
from generators.provider import bot_id, client_id, name_based_uuid, project_short_name
from generators.scenarios import DOMAINS, LOCALES
from generators.schema import DATETIME_FORMAT, FALSE, TRUE
from generators.sessions import DAY_SECONDS, DayPlan, Row

NASTY_SNIPPETS = (";", '"', '""', "\r\n", "\n", "\r", "\t", " ", "  lead", "trail  ", "😀", "👩‍💻", "🇷🇺",
                  "שלום", "مرحبا", "e\u0301", "\u202e", "\u00a0", ";;", '";"', "\\", "'", "=1+2", "\ufeff")
_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")


def adversarial_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Text that stresses CSV handling; may be empty."""
    pieces = st.one_of(st.sampled_from(NASTY_SNIPPETS), st.text(_CHARS, max_size=20))
    short = st.lists(pieces, max_size=8).map("".join).filter(lambda text: len(text) <= max_size)
    long = st.builds(lambda piece, times: (piece or "x") * times, st.sampled_from((*NASTY_SNIPPETS, "abc")),
                     st.integers(200, 2000))
    return st.one_of(st.just(""), short, short, short, long)


@st.composite
def dialects(draw) -> Dialect:
    """Any of the CSV options an account can set."""
    return Dialect(quote_all=draw(st.booleans()), bom=draw(st.booleans()),
                   line_end=draw(st.sampled_from(("\r\n", "\n"))),
                   channel_labels=draw(st.sampled_from(("display", "id"))))


@st.composite
def _account(draw) -> AccountSpec:
    locale = draw(st.sampled_from(LOCALES))
    domain = draw(st.sampled_from(DOMAINS))
    channels = tuple(draw(st.lists(st.sampled_from([channel.id for channel in CHANNELS]), min_size=1, max_size=3,
                                   unique=True)))
    return AccountSpec(draw(st.integers(100_000, 9_999_999)),
                       projects=(ProjectSpec(draw(st.sampled_from(("Demobot", "Support", "Помощник"))),
                                             domain=domain, channels=channels),),
                       locale=locale, sessions_per_day=1,
                       session_id_style=draw(st.sampled_from(("uuid5", "client"))))


_DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def realistic_sessions(draw, day: date | None = None, channel_labels: str | None = None) -> list[Row]:
    """One session's rows from the real generator (scenario phrases, real ids and states)."""
    account = draw(_account())
    day = day or draw(_DAYS)
    plan = DayPlan(account, day, seed=draw(st.integers(0, 2**32)),
                   channel_labels=channel_labels or draw(st.sampled_from(("display", "id"))))
    return [row for _, row in plan.session_rows(0)]


@st.composite
def adversarial_sessions(draw, day: date | None = None, channel_labels: str | None = None) -> list[Row]:
    """One session with hostile text in every free-text column, and every invariant kept."""
    day = day or draw(_DAYS)
    start_of_day = datetime(day.year, day.month, day.day, tzinfo=UTC)
    channel = draw(st.sampled_from(CHANNELS))
    account_id = draw(st.integers(100_000, 9_999_999))
    short = project_short_name(account_id, "demobot")
    client = client_id(channel.id, bot_id(account_id, short, channel.id), str(draw(st.integers(1, 10**12))))
    tail = uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)
    sid = f"{name_based_uuid(client)}.{tail}"
    times = sorted(draw(st.lists(st.integers(0, DAY_SECONDS - 1), min_size=1, max_size=8)))
    earlier = draw(st.integers(0, 3 * DAY_SECONDS))
    later = draw(st.integers(0, 120))
    started = start_of_day + timedelta(seconds=times[0] - earlier)
    ended = start_of_day + timedelta(seconds=times[-1] + later)
    count = len(times) + draw(st.integers(0, 5))
    text = adversarial_text()
    head = (sid, started.strftime(DATETIME_FORMAT), ended.strftime(DATETIME_FORMAT), str(count), draw(text),
            channel.id if (channel_labels or draw(st.sampled_from(("display", "id")))) == "id"
            else channel.display_name, draw(text), client, draw(text), draw(text))
    states = draw(st.lists(text, min_size=len(times) + 1, max_size=len(times) + 1))
    rows: list[Row] = []
    switched = False
    for number, moment in enumerate(times):
        operated = switched and draw(st.booleans())
        switch_now = not switched and draw(st.booleans())
        moment_text = (start_of_day + timedelta(seconds=moment)).strftime(DATETIME_FORMAT)
        rows.append((*head, moment_text, draw(text), draw(text), states[number], states[number + 1],
                     TRUE if switch_now else FALSE, TRUE if operated else FALSE, draw(text), draw(text)))
        switched = switched or switch_now
    return rows


def sessions(day: date | None = None, *, adversarial: bool = False,
             channel_labels: str | None = None) -> st.SearchStrategy[list[Row]]:
    """One session's rows, in order, keeping every invariant of the export."""
    make = adversarial_sessions if adversarial else realistic_sessions
    return make(day, channel_labels)


def rows(*, adversarial: bool = False) -> st.SearchStrategy[Row]:
    """One row of 19 column texts."""
    return sessions(adversarial=adversarial).flatmap(st.sampled_from)


@dataclass(frozen=True)
class DayFile:
    """A whole day's export: its day, its dialect and its rows, in file order."""

    day: date
    dialect: Dialect
    rows: tuple[Row, ...]

    @property
    def file_name(self) -> str:
        return f"{self.day:%d-%m-%Y}.csv"

    def to_bytes(self) -> bytes:
        return rows_to_bytes(self.rows, self.dialect)


@st.composite
def day_files(draw, *, adversarial: bool = False, max_sessions: int = 6) -> DayFile:
    """A day file: a few sessions merged in log order (msg_rt, then session), in any dialect."""
    day = draw(_DAYS)
    dialect = draw(dialects())
    drawn = draw(st.lists(sessions(day, adversarial=adversarial, channel_labels=dialect.channel_labels),
                          max_size=max_sessions))
    unique = {session[0][0]: session for session in drawn if session}  # a repeated session id is one session
    merged = sorted(((datetime.strptime(row[10], DATETIME_FORMAT), number, position, row)
                     for number, session in enumerate(unique.values())
                     for position, row in enumerate(session)), key=lambda item: item[:3])
    return DayFile(day, dialect, tuple(item[3] for item in merged))
