"""Dates in the wrong tense: a text that says a day is past when it lies after the text's own day, or says it is
still to come when it lies before ("shipped on March 20" written on March 4).

A date is read as the generators write it («7 марта», "March 7"); its tense comes from the nearest cue word
before it in the same clause ("shipped", "was", «отправлена» say past; "by", "until", "will", «до», «ожидается»
say future). A date with no cue is not judged.

Contract:

- ``said_dates(text, locale) -> list[SaidDate]``: the dates in ``text`` with the tense they are said in.
- ``wrong_tense(text, locale, local_day) -> list[str]``: the dates said in a tense their day contradicts,
  relative to ``local_day`` (the audience's day when the text was written); today is neither past nor future.
  A date with no year is the one of the nearest year that the tense allows, up to ``CLEARLY_WRONG_DAYS`` on the
  wrong side.
"""

from __future__ import annotations

import functools
import re
import tomllib
from datetime import date
from pathlib import Path
from typing import NamedTuple

PAST, FUTURE = "past", "future"
CUE_WORDS = 4
"""How far before a date a cue word may stand ("shipped to you on March 3": four words)."""

_TOML = Path(__file__).resolve().with_suffix(".toml")


@functools.cache
def _cue_words(locale: str) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The locale's auxiliaries and cue words, by tense (``generators/tense.toml``)."""
    data = tomllib.loads(_TOML.read_text(encoding="utf-8"))
    if locale not in data:
        raise ValueError(f"no tense cues for locale {locale!r}; known: {', '.join(sorted(data))}")
    table = data[locale]
    auxiliaries = {tense: frozenset(table["auxiliaries"][tense]) for tense in (PAST, FUTURE)}
    cues = {tense: frozenset(table["cues"][tense]) for tense in (PAST, FUTURE)}
    return auxiliaries, cues


_CLAUSE_END = re.compile(r"[.!?;]\s|[.!?;]$|,\s|[()]")


class SaidDate(NamedTuple):
    text: str
    month: int
    day: int
    year: int | None
    """Written only for a date of another year than the phrase's."""
    tense: str | None
    """PAST, FUTURE, or None: no cue word says."""


@functools.cache
def _date_pattern(locale: str) -> tuple[re.Pattern[str], dict[str, int]]:
    from generators.pools import load_pools

    pools = load_pools(locale)
    months = {name.lower(): number for number, name in enumerate(pools.months, 1)}
    alternatives = "|".join(map(re.escape, pools.months))
    written = pools.date_pattern.format(month=f"(?P<month>{alternatives})", day=r"(?P<day>\d{1,2})")
    year = re.escape(pools.date_year_pattern.removeprefix(pools.date_pattern)).replace(r"\{year\}", r"(?P<year>\d{4})")
    return re.compile(rf"(?<![\w.,]){written}(?:{year})?(?!\w|:\d)", re.IGNORECASE), months


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _tense(before: str, after: str, locale: str) -> str | None:
    """The tense a date's clause gives it: a past auxiliary right after it ("the payment due March 1 was
    missed"), else the nearest auxiliary before it, else the nearest cue word before it."""
    auxiliaries, cues = _cue_words(locale)
    following = _WORD.match(after.lstrip().lower())
    if following is not None and following.group(0) in auxiliaries[PAST]:
        return PAST
    words = _WORD.findall(_CLAUSE_END.split(before)[-1].lower())[-CUE_WORDS:]
    for table in (auxiliaries, cues):
        for word in reversed(words):
            for tense, said_so in table.items():
                if word in said_so:
                    return tense
    return None


def said_dates(text: str, locale: str) -> list[SaidDate]:
    pattern, months = _date_pattern(locale)
    return [SaidDate(found.group(0), months[found.group("month").lower()], int(found.group("day")),
                     int(found.group("year")) if found.group("year") else None,
                     _tense(text[:found.start()], text[found.end():], locale))
            for found in pattern.finditer(text)]


CLEARLY_WRONG_DAYS = 60
"""A date said as past is read as the one within a year before the text, or this many days after it (then wrong);
as to come, the one within a year after, or this many days before (then wrong): a bot does not mean last
year's March 20 by "shipped on March 20", but "covered until September 23" is this year's."""


def meant_day(month: int, day: int, around: date, tense: str) -> date | None:
    """The day a date said in ``tense`` around ``around`` stands for; None if that month has no such day."""
    low = -365 + CLEARLY_WRONG_DAYS if tense == PAST else -CLEARLY_WRONG_DAYS
    for year in (around.year - 1, around.year, around.year + 1):
        candidate = _valid_day(year, month, day)
        if candidate is not None and low <= (candidate - around).days < low + 365:
            return candidate
    return None


def _valid_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # February 30, or February 29 off a leap year
        return None


def wrong_tense(text: str, locale: str, local_day: date) -> list[str]:
    wrong = []
    for said in said_dates(text, locale):
        if said.tense is None:
            continue
        day = meant_day(said.month, said.day, local_day, said.tense) if said.year is None else \
            _valid_day(said.year, said.month, said.day)
        if day is not None and (day > local_day if said.tense == PAST else day < local_day):
            wrong.append(f"{said.text} ({said.tense})")
    return wrong
