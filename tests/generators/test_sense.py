"""Sessions that make sense when read whole: agent chats that follow the matter, agent lines that answer the
client's last line, no slot asked for twice, amounts sized to what they price.

Each test counts its faults over one day of a seed no other test uses; the thresholds sit below what the
generators made before these rules (the counts are in each test's docstring).
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections import Counter
from datetime import date
from random import Random

import pytest

from generators.channels import CHANNELS_BY_ID
from generators.csvformat import LogRecord
from generators.model import AccountSpec, ProjectSpec
from generators.scenarios import DOMAINS, LOCALES, SETTLED, OperatorTurn, Scenario, Template
from generators.script import NO_OPERATORS, SWITCH, Builder
from generators.sessions import DayPlan
from tests.generators.test_dialogs import CHANNELS, EVENTS, is_voice, pattern, records_of, scenario_of, sessions_of

DAY = date(2026, 3, 11)
SEED = 151


def day_of(locale: str, domains: tuple[str, ...], sessions: int) -> list[LogRecord]:
    account = AccountSpec(5151, projects=tuple(ProjectSpec(domain.capitalize(), domain=domain, channels=CHANNELS)
                                               for domain in domains), locale=locale, sessions_per_day=sessions)
    return records_of(DayPlan(account, DAY, seed=SEED))


@pytest.fixture(scope="module", params=LOCALES)
def day(request) -> tuple[str, list[LogRecord]]:
    return request.param, day_of(request.param, DOMAINS, 1600)


# -- agent chats --------------------------------------------------------------------------------------------------


@functools.cache
def agent_lines(locale: str, domain: str) -> tuple[tuple[re.Pattern, OperatorTurn], ...]:
    scenario = scenario_of(locale, domain)
    return tuple((pattern(line), turn) for turn in scenario.operator.turns for line in turn.agent)


@functools.cache
def goal_states(locale: str, domain: str) -> frozenset[str]:
    return frozenset(step.state for goal in scenario_of(locale, domain).goals for step in goal.steps)


def fits(turn: OperatorTurn, state: str) -> bool:
    """The turn's client lines fit where the matter stands (a client who has not told it yet tells it in their
    goal's own words: the goal's first answers, or those written for a telling)."""
    if state == "new":
        return "new" in turn.after or bool(turn.goal and "told" in turn.after)
    return state in turn.after


class Chat:
    """One agent chat read turn by turn: the agent rows with the turns their lines come from."""

    def __init__(self, rows: list[LogRecord], locale: str) -> None:
        domain = rows[0].project_name.lower()
        self.locale = locale
        self.domain = domain
        switch = next(number for number, row in enumerate(rows) if row.msg_switched)
        said = [row for row in rows[:switch] if row.msg_question not in EVENTS]
        told = any(row.state_after in goal_states(self.locale, domain) for row in said)
        self.state = "told" if told else "new" if not said else ""
        """Where the matter stands when the agent joins ("" when the bot understood nothing the client wrote: an
        ask it missed, or an off-topic line, the log cannot tell)."""
        self.before = rows[:switch]
        self.rows = [row for row in rows[switch + 1:] if row.msg_operator]
        self.label = rows[0].session_tag

    def turns_of(self, row: LogRecord) -> list[OperatorTurn]:
        return [turn for found, turn in agent_lines(self.locale, self.domain) if found.match(row.msg_answer)]


def agent_chats(records: list[LogRecord], locale: str) -> list[Chat]:
    chats = [Chat(rows, locale) for rows in sessions_of(records).values()
             if any(row.msg_operator for row in rows) and not is_voice(rows[0])]
    return [chat for chat in chats if chat.state]


def walk(chat: Chat) -> tuple[Counter, str]:
    """Agent lines out of place (a greeting that has "read your chat" before the client said anything, an act
    or close line whose client lines do not fit where the matter stands), and the state the chat ends in."""
    found: Counter = Counter()
    state = chat.state
    for row in chat.rows:
        greetings = [turn for turn in chat.turns_of(row) if turn.phase == "greet"]
        if greetings:
            found["in place" if any(state in turn.after for turn in greetings) else "greeting out of place"] += 1
            continue
        turns = [turn for turn in chat.turns_of(row) if turn.phase in ("act", "close")]
        if not turns:
            found["unknown" if not chat.turns_of(row) else "identify"] += 1
            continue
        fitting = [turn for turn in turns if fits(turn, state)]
        found["in place" if fitting else "out of place"] += 1
        state = (fitting or turns)[0].leads or state
    return found, state


def test_agent_chats_follow_the_matter_and_close_only_once_it_is_settled(day):
    """Before: 99 act and close lines out of place in en_US (a "this is ridiculous" after "All done", thanks
    while the agent was still working), 91 in ru_RU; 28 and 24 greetings that had "read the chat" of a client
    who had written nothing but "agent"; chats labelled satisfied that never settled: 6 and 7."""
    locale, records = day
    counts: Counter = Counter()
    unsettled_satisfied = chats = 0
    for chat in agent_chats(records, locale):
        found, state = walk(chat)
        counts.update(found)
        satisfied = scenario_of(locale, chat.domain).labels.satisfied
        chats += 1
        unsettled_satisfied += chat.label in satisfied and state not in SETTLED
    assert chats > 60 and counts["in place"] > 150, (chats, counts)
    assert counts["unknown"] == 0, counts
    assert counts["out of place"] == 0 and counts["greeting out of place"] == 0, counts
    assert unsettled_satisfied == 0


def test_no_agent_joins_after_the_bot_said_none_is_online():
    """A client told "no agents are online" (or "an agent will e-mail you") who asks again minutes later is told
    the same, not put through. Before: 1 burst in these 24,000 put through after all."""
    told = late = 0
    for locale, domain, seed in itertools.product(LOCALES, DOMAINS, range(3000)):
        scenario = scenario_of(locale, domain)
        builder = Builder(Random(seed), scenario, CHANNELS_BY_ID["telegram"], 36000, 86400,
                          scenario.goals[seed % len(scenario.goals)],
                          lambda rng, goals=scenario.goals: goals[int(rng.random() * len(goals))])
        builder.session(True)
        kinds = [turn.kind for turn in builder.script().turns]
        if NO_OPERATORS in kinds:
            told += 1
            late += SWITCH in kinds[kinds.index(NO_OPERATORS):]
    assert told > 400 and late == 0, (told, late)


_WORDS = re.compile(r"[^\W_]+")


_VALUE = re.compile(r"\{[^{}]*\}|\S*[\d@]\S*")
"""A placeholder in a line, a value in the client's text (a number, an email, a phone): one token "0" each."""


def _plain(text: str) -> str:
    words = " ".join(_WORDS.findall(_VALUE.sub(" 0 ", text).lower()))
    return re.sub(r"\b0(?: 0)+\b", "0", words)  # "9400 1364 2618" is one value


def likeness(said: str, lines: tuple[Template, ...]) -> float:
    """How close the client's composed text is to the best of ``lines`` (their words in order, typos and
    openers aside): 1.0 for the line as written."""
    said = _plain(said)
    return max((difflib.SequenceMatcher(None, said, _plain(form)).ratio()
                for line in lines for form in (line.male, line.female)), default=0.0)


def test_each_agent_line_answers_the_clients_last_line(day):
    """The client's line before each agent line is one its turn answers (a greeting answers "hello?", not "how
    long is this going to take"). Before: 37 of 323 (en_US) and 50 of 321 (ru_RU) agent lines followed a client
    line of no turn of theirs."""
    locale, records = day
    checked = wrong = 0
    for chat in agent_chats(records, locale):
        greetings = tuple(line for turn in scenario_of(locale, chat.domain).operator.turns if turn.phase == "greet"
                          for line in turn.client)
        state = chat.state
        for row in chat.rows:
            turns = chat.turns_of(row)
            told = [turn for turn in turns if turn.phase in ("act", "close") and fits(turn, state)]
            if told and state == "new":  # the client tells the matter in their goal's words
                state = told[0].leads or state
                continue
            lines = tuple(line for turn in turns for line in turn.client)
            if any(turn.phase == "greet" for turn in turns):
                lines += greetings
            checked += 1
            wrong += likeness(row.msg_question, lines) < 0.6
            state = (told or turns)[0].leads or state if turns else state
    assert checked > 300
    assert wrong <= checked * 0.01, (wrong, checked)


# -- slots ---------------------------------------------------------------------------------------------------------


ASKS_FOR_NUMBER = re.compile(r"(tracking number|order number|номер заказа|трек-номер)", re.IGNORECASE)
ASKING = re.compile(r"\?|подскажите|назовите|пришлите|what's your|can i have|could you give", re.IGNORECASE)
GIVEN_NUMBER = re.compile(r"(?<![\d-])(?:\d{8}|\d{10,}|[A-Z]{2}\d{9}[A-Z]{2}|1Z[0-9A-Z]{16}|\d{4} \d{4} \d{4})(?!\d)")


@pytest.mark.parametrize("locale", LOCALES)
def test_nobody_asks_again_for_a_number_the_client_gave(locale):
    """Once the client has written their order or tracking number, neither the bot nor an agent asks for it
    again. Before: 11 asks again in en_US and 20 in ru_RU on this day of delivery and retail chats."""
    records = day_of(locale, ("delivery", "retail"), 1600)
    asked_again = given = 0
    for rows in sessions_of(records).values():
        number = None
        for row in rows:
            answer = row.msg_answer
            if number is not None and ASKS_FOR_NUMBER.search(answer) and ASKING.search(answer) \
                    and number not in answer:
                asked_again += 1
            found = GIVEN_NUMBER.search(row.msg_question)
            if found and number is None:
                number = found.group(0)
                given += 1
    assert given > 150, given
    assert asked_again == 0, asked_again


# -- amounts -------------------------------------------------------------------------------------------------------


PRICE_BOUNDS = {
    "en_US": {"robot vacuum": (120, 1000), "espresso machine": (100, 1000), "stand mixer": (120, 800),
              "smart watch": (90, 700), "coffee maker": (15, 200), "electric toothbrush": (15, 200),
              "blender": (20, 250), "air fryer": (40, 250), "gaming headset": (25, 300)},
    "ru_RU": {"робот-пылесос": (9000, 60000), r"вертикальн\w+ пылесос": (6000, 45000), "саундбар": (4000, 40000),
              "электрочайник": (800, 7000), "тостер": (1000, 8000), "фитнес-браслет": (1000, 9000),
              "блендер": (1500, 12000), "аэрогрил": (3000, 20000)},
}
"""What a shop asks for these, roughly (Russian names by their stem: «робот-пылесоса»): a refund or a price
quoted beside one names an amount in its range."""
DUPLICATE_BOUND = {"en_US": 300.0, "ru_RU": 10000.0}
"""A charge made twice at a store, a café or a restaurant (the client says which) is a meal or a purchase."""
DUPLICATE = re.compile(r"two charges of|(два|два одинаковых) списания по")
AMOUNT = {"en_US": re.compile(r"\$(\d{1,3}(?:,\d{3})*(?:\.\d\d)?)"),
          "ru_RU": re.compile(r"(\d{1,3}(?:[\s\u00a0\u202f]\d{3})*(?:,\d\d)?)[\s\u00a0\u202f]?₽")}


def amounts_in(text: str, locale: str) -> list[float]:
    found = AMOUNT[locale].findall(text)
    return [float(re.sub(r"[\s\u00a0\u202f,]", "", value) if locale == "en_US"
                  else re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")) for value in found]


@pytest.mark.parametrize("locale", LOCALES)
def test_amounts_are_sized_to_what_they_price(locale):
    """A product's refund is in the product's price range; a charge made twice is a purchase's size. Before: 18
    of 63 product amounts out of range in en_US (ru_RU named no product beside its price), 4 of 21 and 4 of 15
    duplicate charges too large for a meal or a store purchase (36 963 ₽ at a café) on this day of banking and
    retail chats."""
    records = day_of(locale, ("banking", "retail"), 2400)
    priced = Counter()
    for rows in sessions_of(records).values():
        quoted: set[float] = set()
        for row in rows:
            answer = row.msg_answer
            amounts = amounts_in(answer, locale)
            if amounts:
                priced.update(_priced(answer, amounts, quoted, locale))
                quoted.update(amounts)
    assert priced["duplicate"] > 5 and priced["product"] > 20, priced
    assert priced["duplicate too large"] == 0 and priced["product out of range"] == 0, priced


def _priced(answer: str, amounts: list[float], quoted: set[float], locale: str) -> Counter:
    """A duplicate charge the answer introduces (one the session quoted before, a charge the client disputed,
    is that charge seen twice), and a product's amount."""
    found: Counter = Counter()
    if DUPLICATE.search(answer) and amounts[0] not in quoted:
        found["duplicate"] += 1
        found["duplicate too large"] += amounts[0] > DUPLICATE_BOUND[locale]
    if len(amounts) == 1:
        for product, (low, high) in PRICE_BOUNDS[locale].items():
            if re.search(product, answer):
                found["product"] += 1
                found["product out of range"] += not low <= amounts[0] <= high
    return found


def test_a_scenario_prices_each_product_in_its_range():
    """Every product a retail file sells gets a price in the file's range for it."""
    from random import Random

    from generators.text import Facts

    for locale in LOCALES:
        scenario: Scenario = scenario_of(locale, "retail")
        amount = scenario.amounts["item_price"]
        seen = set()
        for seed in range(300):
            facts = Facts(scenario, Random(seed), seed, female=False, agent_female=False, utc_offset=3,
                          session_seed=seed * 7919)
            product, price = facts["product"], amounts_in(facts["item_price"], locale)[0]
            low, high = amount.ranges[scenario.values["product"].index(product)]
            assert low <= price <= high, (locale, product, price)
            seen.add(product)
        assert len(seen) == len(scenario.values["product"])


BILL = re.compile(r"bill (?:this month )?(?:is|of)")


def test_a_bill_adds_up_to_its_plan_and_charges():
    """A bill the bot explains ("your bill is $153.02: your plan at $70 and a one-time charge of $5.49, plus taxes
    and fees") is its plan and charge plus 8-20% taxes and fees. Before: none of the 110 explained bills on this
    day of telecom chats was (the bill was drawn on its own)."""
    records = day_of("en_US", ("telecom",), 2400)
    explained = wrong = 0
    for row in records:
        amounts = amounts_in(row.msg_answer, "en_US")
        if BILL.search(row.msg_answer) and len(amounts) == 3:
            bill, plan, charge = amounts
            explained += 1
            wrong += not (plan + charge) * 1.08 - 0.01 <= bill <= (plan + charge) * 1.2 + 0.01
    assert explained > 60 and wrong == 0, (explained, wrong)
