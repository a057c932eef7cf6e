"""Java date-time patterns (``DateTimeFormatter`` / ``SimpleDateFormat``) compiled into Python formatters.

A report task's ``dateTimeFormat`` is a Java pattern such as ``yyyy-MM-dd HH:mm:ss.SSS``. The subset here is
what report users write: years, months (number or name), days, 24- and 12-hour clocks, minutes, seconds,
fractions, AM/PM, weekday names, zone offsets and quoted literals. Any other letter is refused with a message
naming it, so a pattern that would print something unexpected never reaches a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

Piece = Callable[[datetime], str]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RESERVED = "[]{}#"
"""Characters DateTimeFormatter reserves for optional sections and future use."""


class PatternError(ValueError):
    """The pattern cannot be used; the message says which letter or quote is wrong."""


def _padded(attribute: str, width: int) -> Piece:
    return lambda moment: str(getattr(moment, attribute)).zfill(width)


def _year(count: int) -> Piece:
    if count == 2:
        return lambda moment: f"{moment.year % 100:02d}"
    return _padded("year", count)


def _month(count: int) -> Piece:
    if count <= 2:
        return _padded("month", count)
    if count == 3:
        return lambda moment: _MONTHS[moment.month - 1][:3]
    return lambda moment: _MONTHS[moment.month - 1]


def _hour12(count: int) -> Piece:
    return lambda moment: str((moment.hour % 12) or 12).zfill(count)


def _fraction(count: int) -> Piece:
    return lambda moment: f"{moment.microsecond:06d}"[:count].ljust(count, "0")


def _weekday(count: int) -> Piece:
    if count <= 3:
        return lambda moment: _WEEKDAYS[moment.weekday()][:3]
    return lambda moment: _WEEKDAYS[moment.weekday()]


def _offset_text(offset: timedelta | None, count: int, zulu: bool) -> str:
    seconds = int((offset or timedelta()).total_seconds())
    if seconds == 0 and zulu:
        return "Z"
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    if count == 1:
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    return f"{sign}{hours:02d}{':' if count == 3 else ''}{minutes:02d}"


def _offset(zulu: bool, fixed: int | None = None) -> Callable[[int], Piece]:
    def build(count: int) -> Piece:
        width = fixed or count
        return lambda moment: _offset_text(moment.utcoffset(), width, zulu)
    return build


def _simple(attribute: str) -> Callable[[int], Piece]:
    return lambda count: _padded(attribute, count)


@dataclass(frozen=True, slots=True)
class Letter:
    meaning: str
    counts: tuple[int, ...]
    build: Callable[[int], Piece]
    excel: dict[int, str]
    """The Excel number-format text for each count; a count missing here has no Excel equivalent."""


LETTERS: dict[str, Letter] = {
    "y": Letter("year", (1, 2, 3, 4), _year, {2: "yy", 4: "yyyy"}),
    "M": Letter("month", (1, 2, 3, 4), _month, {1: "m", 2: "mm", 3: "mmm", 4: "mmmm"}),
    "d": Letter("day of month", (1, 2), _simple("day"), {1: "d", 2: "dd"}),
    "H": Letter("hour 0-23", (1, 2), _simple("hour"), {1: "h", 2: "hh"}),
    "h": Letter("hour 1-12", (1, 2), _hour12, {1: "h", 2: "hh"}),
    "m": Letter("minute", (1, 2), _simple("minute"), {1: "m", 2: "mm"}),
    "s": Letter("second", (1, 2), _simple("second"), {1: "s", 2: "ss"}),
    "S": Letter("fraction of a second", (1, 2, 3, 4, 5, 6), _fraction, {1: "0", 2: "00", 3: "000"}),
    "a": Letter("AM/PM", (1,), lambda _count: lambda moment: "AM" if moment.hour < 12 else "PM", {1: "AM/PM"}),
    "E": Letter("day of week", (1, 2, 3, 4), _weekday, {1: "ddd", 2: "ddd", 3: "ddd", 4: "dddd"}),
    "X": Letter("zone offset, Z for zero", (1, 2, 3), _offset(zulu=True), {}),
    "x": Letter("zone offset", (1, 2, 3), _offset(zulu=False), {}),
    "Z": Letter("zone offset +HHmm", (1, 2, 3), _offset(zulu=False, fixed=2), {}),
}
SUPPORTED_LETTERS = "".join(LETTERS)


@dataclass(frozen=True, slots=True)
class Token:
    letter: str
    """The pattern letter, or '' for literal text."""
    count: int
    text: str


def tokenize(pattern: str) -> list[Token]:
    """Split a pattern into letter runs and literals; PatternError on anything that is not supported."""
    tokens: list[Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            literal, index = _quoted(pattern, index)
            tokens.append(Token("", 0, literal))
            continue
        if char.isascii() and char.isalpha():
            end = index
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append(_letter_token(char, end - index))
            index = end
            continue
        if char in RESERVED:
            raise PatternError(f"'{char}' is reserved in Java date patterns; quote it as '{char}' to print it")
        tokens.append(Token("", 0, char))
        index += 1
    return tokens


def _quoted(pattern: str, index: int) -> tuple[str, int]:
    """A quoted literal from ``index`` (at a quote); '' is one quote, inside or outside a literal."""
    if pattern.startswith("''", index):
        return "'", index + 2
    text = []
    position = index + 1
    while position < len(pattern):
        if pattern[position] == "'":
            if pattern.startswith("''", position):
                text.append("'")
                position += 2
                continue
            return "".join(text), position + 1
        text.append(pattern[position])
        position += 1
    raise PatternError(f"the quote at position {index + 1} is never closed; write '' for a quote character")


def _letter_token(char: str, count: int) -> Token:
    letter = LETTERS.get(char)
    if letter is None:
        raise PatternError(f"unsupported pattern letter '{char}'; supported letters: {', '.join(SUPPORTED_LETTERS)} "
                           "(quote other text, e.g. 'T')")
    if count not in letter.counts:
        runs = ", ".join(char * allowed for allowed in letter.counts)
        raise PatternError(f"'{char * count}' is not a valid {letter.meaning} field; use one of {runs}")
    return Token(char, count, char * count)


_PLAIN_FIELDS = {"y": "year", "M": "month", "d": "day", "H": "hour", "m": "minute", "s": "second"}
"""Letters whose value is a zero-padded attribute: rendered by one ``str.format`` call instead of a function."""


def compile_pattern(pattern: str) -> Callable[[datetime], str]:
    """A function formatting a datetime (in its own zone) as the Java pattern would; PatternError if invalid.

    Numeric fields go into one ``str.format`` template (``{0.year:04d}``); only names, the 12-hour clock,
    fractions and offsets are computed by functions, passed as extra arguments.
    """
    if not pattern:
        raise PatternError("the date-time pattern is empty")
    template: list[str] = []
    computed: list[Piece] = []
    for token in tokenize(pattern):
        attribute = _PLAIN_FIELDS.get(token.letter)
        if not token.letter:
            template.append(token.text.replace("{", "{{").replace("}", "}}"))
        elif attribute and not (token.letter == "y" and token.count == 2) and not (token.letter == "M" and
                                                                                      token.count > 2):
            template.append(f"{{0.{attribute}:0{token.count}d}}")
        else:
            computed.append(LETTERS[token.letter].build(token.count))
            template.append(f"{{{len(computed)}}}")
    text = "".join(template)

    def format_moment(moment: datetime) -> str:
        return text.format(moment, *[piece(moment) for piece in computed])
    return format_moment


_EXCEL_PLAIN = frozenset(" -/:.,()")
"""Literal characters Excel prints as they are; any other literal text is quoted."""


def excel_format(pattern: str, fallback: str = "yyyy-mm-dd hh:mm:ss") -> str:
    """The pattern as an Excel number format, or ``fallback`` when Excel cannot show it the same way.

    Excel reads ``m``/``mm`` after an hour as minutes and elsewhere as months, as the Java pattern means, and
    its ``h`` is a 12-hour clock exactly when AM/PM is present; zones, 4+ fraction digits, a fraction not after
    ``ss.`` and a 12-hour field without AM/PM (or the reverse) have no Excel form.
    """
    tokens = tokenize(pattern)
    letters = {token.letter for token in tokens}
    if ("h" in letters) != ("a" in letters):
        return fallback
    parts: list[str] = []
    for token in tokens:
        if not token.letter:
            plain = all(char in _EXCEL_PLAIN for char in token.text)
            parts.append(token.text if plain else '"' + token.text.replace('"', "") + '"')
            continue
        excel = LETTERS[token.letter].excel.get(token.count)
        if excel is None or (token.letter == "S" and not "".join(parts).endswith("ss.")):
            return fallback
        parts.append(excel)
    return "".join(parts)
