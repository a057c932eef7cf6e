"""Dates in the wrong tense (``generators.tense``): every date the scenario files write is read in the tense its
``[dates]`` span gives it, or not judged; a date said in a tense its day contradicts is found."""

from __future__ import annotations

import re
from datetime import date

import pytest

from generators import tense
from generators.scenarios import DOMAINS, LOCALES, Scenario, load_scenario

EXAMPLE_DATE = {"en_US": "March 15", "ru_RU": "15 марта"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?:#\w+)?\}")


def span_tense(scenario: Scenario) -> dict[str, str | None]:
    """Each date's tense by its span: past when it always lies before the phrase's day, future when after."""
    reach: dict[str, tuple[int, int]] = {}
    for name, span in scenario.dates.items():  # in dependency order
        low, high = reach[span.after] if span.after else (0, 0)
        reach[name] = (low + span.low, high + span.high)
    return {name: tense.PAST if high < 0 else tense.FUTURE if low > 0 else None
            for name, (low, high) in reach.items()}


def texts(scenario: Scenario):
    for goal in scenario.goals:
        for step in goal.steps:
            yield from (*step.reply, *step.reply_voice, *step.say, *step.voice)
    for turn in scenario.operator.turns:
        yield from (*turn.agent, *turn.client)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_date_the_scenarios_write_is_read_in_its_spans_tense_or_not_judged(locale):
    read = {"agrees": 0, "not judged": 0}
    for domain in DOMAINS:
        scenario = load_scenario(domain, locale)
        truth = span_tense(scenario)
        for template in texts(scenario):
            for form in {template.male, template.female}:
                for found in _PLACEHOLDER.finditer(form):
                    if truth.get(found.group(1)) is None:
                        continue
                    text = _PLACEHOLDER.sub("X", form[:found.start()]) + EXAMPLE_DATE[locale] + \
                        _PLACEHOLDER.sub("X", form[found.end():])
                    said = [date for date in tense.said_dates(text, locale) if date.text == EXAMPLE_DATE[locale]]
                    assert said, text
                    if said[0].tense is None:
                        read["not judged"] += 1
                        continue
                    assert said[0].tense == truth[found.group(1)], (domain, form)
                    read["agrees"] += 1
    assert read["agrees"] >= 3 * read["not judged"], read  # the cue words cover most of what the bot says


@pytest.mark.parametrize(("text", "locale", "day", "wrong"), [
    ("Shipped on March 20.", "en_US", date(2026, 3, 4), ["March 20 (past)"]),
    ("Shipped on March 4.", "en_US", date(2026, 3, 4), []),
    ("Arrives by March 3.", "en_US", date(2026, 3, 4), ["March 3 (future)"]),
    ("Arrives by January 2.", "en_US", date(2025, 12, 30), []),                 # across the new year
    ("Shipped on December 30.", "en_US", date(2026, 1, 2), []),
    ("Valid until February 29.", "en_US", date(2026, 3, 4), []),                # no such day this year
    ("Covered until January 19, 2027.", "en_US", date(2026, 3, 4), []),         # the year settles it
    ("Covered until January 19, 2026.", "en_US", date(2026, 3, 4), ["January 19, 2026 (future)"]),
    ("Гарантия действует до 19 января 2027 года.", "ru_RU", date(2026, 3, 4), []),
    ("Гарантия действует до 19 января 2026 года.", "ru_RU", date(2026, 3, 4), ["19 января 2026 года (future)"]),
    ("You'll switch to Unlimited on March 9.", "en_US", date(2026, 3, 10), ["March 9 (future)"]),
    ("Списали 12 марта, вернём до 20 марта.", "ru_RU", date(2026, 3, 15), []),
    ("Списали 16 марта.", "ru_RU", date(2026, 3, 15), ["16 марта (past)"]),
    ("Мастер приедет 14 марта.", "ru_RU", date(2026, 3, 15), ["14 марта (future)"]),
])
def test_wrong_tense_at_its_edges(text, locale, day, wrong):
    assert tense.wrong_tense(text, locale, day) == wrong


def test_a_locale_without_cues_is_named():
    with pytest.raises(ValueError, match="en_US, ru_RU"):
        tense.said_dates("March 3", "de_DE")
