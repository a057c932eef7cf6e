"""The 19 columns of JAICP's daily raw-log CSV: the one source of truth.

The writer, the reader, the validator, the mock server and the reports all read the column list, the
value formats and the channel catalog from here, so a change to the format is made in one place.
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

DATETIME_FORMAT = "%d.%m.%Y %H:%M:%S"
"""Every date-time in the file: ``dd.MM.yyyy HH:mm:ss``, always UTC."""

FILE_DATE_FORMAT = "%d-%m-%Y"
"""The day in a file name and in the download URL: ``dd-mm-yyyy`` (see :func:`file_day`, :func:`parse_file_day`)."""

FILE_DAY_PATTERN = "[0-9]{2}-[0-9]{2}-[0-9]{4}"
"""A ``dd-mm-yyyy`` day's shape in ASCII digits (the OpenAPI document and the parsers share it)."""
_FILE_DAY_SHAPE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")

SEPARATOR = ";"
TRUE = "true"
FALSE = "false"


class ExportDialect(csv.Dialect):
    """The export's CSV dialect: ``;``-separated, ``"``-quoted with doubled quotes, CRLF, minimal quoting.

    Writers pass an account's options (``quoting``, ``lineterminator``) on top; readers take it as it is
    (``strict``: a stray quote is an error, not a guess).
    """

    delimiter = SEPARATOR
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


def file_day(day: date) -> str:
    """``dd-mm-yyyy``, as in a file name and the download URL (FILE_DATE_FORMAT, without strftime's cost)."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def parse_file_day(text: str) -> date:
    """A real calendar day from exactly ``dd-mm-yyyy`` in ASCII digits; ValueError otherwise."""
    match = _FILE_DAY_SHAPE.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a day as dd-mm-yyyy, got {text!r}")
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)


class Kind(enum.StrEnum):
    """How a column's text is to be read."""

    TEXT = "text"
    DATETIME = "datetime"
    INTEGER = "integer"
    BOOLEAN = "boolean"


@dataclass(frozen=True, slots=True)
class Column:
    number: int
    name: str
    kind: Kind
    meaning: str
    example: str
    session_level: bool
    """True when every row of one session carries the same value."""


COLUMNS: tuple[Column, ...] = (
    Column(1, "session_id", Kind.TEXT, "session id",
           "20a8444a-e1dd-5865-5ee7-b03fcb65e19b.732196de-2de6-455f-b751-e2c9a4700c62", True),
    Column(2, "session_start_time", Kind.DATETIME, "session start (UTC)", "28.01.2019 17:18:45", True),
    Column(3, "session_end_time", Kind.DATETIME, "session end (UTC)", "28.01.2019 21:18:45", True),
    Column(4, "session_questions_count", Kind.INTEGER, "all phrases in the session, in every file", "14", True),
    Column(5, "session_tag", Kind.TEXT, "session label", "The request has been fulfilled", True),
    Column(6, "channel_type", Kind.TEXT, "channel type (display name or id)", "Telegram", True),
    Column(7, "channel_name", Kind.TEXT, "channel (bot) name", "demo_bot", True),
    Column(8, "client_id", Kind.TEXT, "client id: <channelType>-<botId>-<userId>",
           "telegram-118460129-demobot-118460129-XLA-160021967-294227430", True),
    Column(9, "client_name", Kind.TEXT, "client's name", "John", True),
    Column(10, "project_name", Kind.TEXT, "project", "Demobot", True),
    Column(11, "msg_rt", Kind.DATETIME, "when the server processed the phrase (UTC)", "13.02.2019 13:41:12", False),
    Column(12, "msg_question", Kind.TEXT, "the client's request", "Find the nearest ATM", False),
    Column(13, "msg_answer", Kind.TEXT, "the reply",
           "The nearest ATM is located at the Queens Plaza subway station", False),
    Column(14, "state_before", Kind.TEXT, "state before processing", "/Menu", False),
    Column(15, "state_after", Kind.TEXT, "state after processing", "/CatchAll/Switch/NoOperatorsOnline", False),
    Column(16, "msg_switched", Kind.BOOLEAN, "transferred to an agent after this phrase", "false", False),
    Column(17, "msg_operator", Kind.BOOLEAN, "an agent, not the bot, replied", "false", False),
    Column(18, "msg_comment", Kind.TEXT, "phrase comment", "ATM search", False),
    Column(19, "msg_tags", Kind.TEXT, "phrase labels", "ATMs", False),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
COLUMN_INDEX: dict[str, int] = {name: index for index, name in enumerate(COLUMN_NAMES)}
HEADER_LINE = SEPARATOR.join(COLUMN_NAMES)

# Zero-based positions, named for the code that builds and checks rows.
SESSION_ID, SESSION_START, SESSION_END, QUESTIONS_COUNT, SESSION_TAG, CHANNEL_TYPE, CHANNEL_NAME, \
    CLIENT_ID, CLIENT_NAME, PROJECT_NAME, MSG_RT, MSG_QUESTION, MSG_ANSWER, STATE_BEFORE, STATE_AFTER, \
    MSG_SWITCHED, MSG_OPERATOR, MSG_COMMENT, MSG_TAGS = range(len(COLUMNS))


def format_datetime(moment: datetime) -> str:
    """Format an aware or naive-UTC datetime the way the export does."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(DATETIME_FORMAT)


_DATETIME_SHAPE = re.compile(r"\d\d\.\d\d\.\d\d\d\d \d\d:\d\d:\d\d", re.ASCII)


def parse_datetime(text: str) -> datetime:
    """Parse ``dd.MM.yyyy HH:mm:ss`` strictly into an aware UTC datetime; ValueError otherwise.

    The shape is checked first: strptime alone would take ``' 1.02.2024'`` or several spaces for one.
    """
    if not _DATETIME_SHAPE.fullmatch(text):
        raise ValueError(f"expected dd.MM.yyyy HH:mm:ss, got {text!r}")
    return datetime.strptime(text, DATETIME_FORMAT).replace(tzinfo=UTC)


def format_bool(value: bool) -> str:
    return TRUE if value else FALSE


def parse_bool(text: str) -> bool:
    if text == TRUE:
        return True
    if text == FALSE:
        return False
    raise ValueError(f"expected 'true' or 'false', got {text!r}")


def parse_int(text: str) -> int:
    """A non-negative decimal integer, as the export writes counts."""
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"expected a non-negative integer, got {text!r}")
    return int(text)
