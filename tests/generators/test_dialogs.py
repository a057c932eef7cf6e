"""Dialogs that make sense (issue 7): a week of generated days per locale, read as an analyst reads a log.

Each test is one outcome of the issue, with the thresholds of real bot logs; the profile comes from
``generators.stats`` (the same measures ``jaicp-mock stats`` prints).
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from random import Random

import pytest
from hypothesis import HealthCheck, event, example, given, settings, target
from hypothesis import strategies as st

from generators.channels import CHANNELS_BY_ID
from generators.csvformat import LogRecord, record_from_fields
from generators.model import AccountSpec, ProjectSpec
from generators.phrasing import client_text
from generators.pools import load_pools
from generators.scenarios import DOMAINS, LOCALES, Scenario, Template, is_bare_answer, load_file, load_scenario
from generators.script import AGENT, FAREWELL, FIRST_ASK, GARBLED, GOODBYE, MISS, STATEMENT, STEP, TAP, Builder
from generators.sessions import DayPlan
from generators.stats import profile_records
from generators.text import Facts

MONDAY = date(2026, 3, 2)
WEEK = [MONDAY + timedelta(days=offset) for offset in range(7)]
CHANNELS = ("telegram", "chatwidget", "resterisk", "whatsapp", "vk")
EVENTS = {"/start", "hangup", "livechatFinished"}
GREETING = re.compile(r"^(hi|hello|hey|good (morning|afternoon|evening)|здравствуйте|добрый (день|вечер)|доброе утро"
                      r"|привет)\b", re.IGNORECASE)


def account(locale: str, sessions: int = 600) -> AccountSpec:
    return AccountSpec(4242, projects=tuple(ProjectSpec(domain.capitalize(), domain=domain, channels=CHANNELS)
                                            for domain in DOMAINS), locale=locale, sessions_per_day=sessions)


def records_of(plan: DayPlan) -> list[LogRecord]:
    return [record_from_fields(list(row)) for row in plan.rows()]


@pytest.fixture(scope="module", params=LOCALES)
def week(request) -> tuple[str, dict[date, list[LogRecord]]]:
    locale = request.param
    return locale, {day: records_of(DayPlan(account(locale), day, seed=77)) for day in WEEK}


def sessions_of(records: list[LogRecord]) -> dict[str, list[LogRecord]]:
    found: dict[str, list[LogRecord]] = defaultdict(list)
    for record in records:
        found[record.session_id].append(record)
    return found


def is_voice(record: LogRecord) -> bool:
    return CHANNELS_BY_ID[record.channel_type].voice


def scenario_of(locale: str, project: str) -> Scenario:
    return load_scenario(project.lower(), locale)


def pattern(template: Template) -> re.Pattern:
    """A reply template as a regular expression: its words as written, any value where a placeholder stands
    (with or without the client's name)."""
    forms = [template.male, template.female]
    if template.nameless is not None:
        forms += [template.nameless.male, template.nameless.female]
    return re.compile("|".join("^" + ".+?".join(map(re.escape, re.split(r"\{[^{}]+\}", form))) + "$"
                               for form in forms), re.DOTALL)


def replies_by_state(scenario: Scenario, voice: bool) -> dict[str, list[re.Pattern]]:
    """state_after -> the replies the bot may give with it, in the channel's form."""
    found: dict[str, list[re.Pattern]] = defaultdict(list)

    def add(state: str, chat: tuple[Template, ...], phone: tuple[Template, ...]) -> None:
        found[state].extend(pattern(template) for template in (phone if voice else chat))

    add(scenario.start.state, scenario.start.reply, scenario.start.reply_voice)
    for goal in scenario.goals:
        for step in goal.steps:
            add(step.state, step.reply, step.reply_voice)
    fallback, operator, goodbye = scenario.fallback, scenario.operator, scenario.goodbye
    add(fallback.state, fallback.reply + fallback.clarify, fallback.reply_voice + fallback.clarify_voice)
    add(operator.switch_state, operator.switch_reply, operator.switch_reply_voice)
    add(operator.no_operators_state, operator.no_operators_reply, operator.no_operators_reply_voice)
    add(operator.finished_state, operator.finished_reply, ())
    add(goodbye.state, goodbye.reply, goodbye.reply_voice)
    return found


def goal_of_state(scenario: Scenario) -> dict[str, str]:
    return {step.state: goal.name for goal in scenario.goals for step in goal.steps}


# -- 1. replies answer the phrase ---------------------------------------------------------------------------


def test_every_bot_reply_is_one_of_its_states_replies_in_the_channels_form(week):
    locale, days = week
    tables: dict[tuple[str, bool], dict[str, list[re.Pattern]]] = {}
    checked = 0
    for record in days[WEEK[2]]:
        if record.msg_operator or not record.msg_answer:
            continue
        key = (record.project_name, is_voice(record))
        if key not in tables:
            tables[key] = replies_by_state(scenario_of(locale, record.project_name), key[1])
        candidates = tables[key][record.state_after]
        assert any(reply.match(record.msg_answer) for reply in candidates), (record.state_after, record.msg_answer)
        checked += 1
    assert checked > 1000


@pytest.mark.parametrize("locale", LOCALES)
def test_a_turn_pairs_a_phrase_and_a_reply_of_the_same_step(locale):
    """In the script every client phrase and the bot's reply come from one step (or the bot mishears it)."""
    scenario = load_scenario("banking", locale)
    channel = CHANNELS_BY_ID["telegram"]
    hits = Counter()
    for seed in range(300):
        rng = Random(seed)
        builder = Builder(rng, scenario, channel, 36000, 86400, scenario.goals[seed % len(scenario.goals)],
                          lambda r: scenario.goals[int(r.random() * len(scenario.goals))])
        builder.session(True)
        for turn in builder.script().turns:
            if turn.kind == STEP:
                step = next(step for step in turn.goal.steps if turn.say in step.say + step.buttons
                            and turn.reply in step.reply)
                hits["tap" if turn.mode & TAP else "step"] += 1
                assert step.state == turn.state
            elif turn.kind == MISS:
                assert any(turn.say in step.say for step in turn.goal.steps)
                hits["misheard"] += 1
    assert hits["step"] > 400 and hits["tap"] > 5 and hits["misheard"] > 20, hits


@pytest.mark.parametrize("locale", LOCALES)
def test_a_misheard_phrase_is_never_answered_with_values_the_client_never_gave(locale):
    """Misheard, the bot falls back, asks again, or answers another goal of the topic with a reply that quotes
    nothing (not "Your transfer of $250 from March 3..." to a client who named no transfer)."""
    answers = Counter()
    for domain, channel in itertools.product(DOMAINS, ("telegram", "resterisk")):
        scenario = load_scenario(domain, locale)
        tags = {step.state: goal.tag for goal in scenario.goals for step in goal.steps}
        for _, script in built_scripts(scenario, channel, range(300)):
            for turn in script.turns:
                if turn.kind != MISS:
                    continue
                if turn.state == scenario.fallback.state:
                    answers["fallback"] += 1
                    continue
                answers["another goal"] += 1
                assert not turn.reply.fields, (turn.state, turn.reply.male)
                assert tags[turn.state] == turn.goal.tag, (turn.goal.name, turn.state)
    assert answers["another goal"] > 15 and answers["fallback"] > 100, answers


def test_yes_and_numbers_only_after_a_question(week):
    locale, days = week
    quality = profile_records(days[WEEK[2]]).quality
    assert quality.bare_yes > 20  # the case is reached
    assert quality.unasked_yes == 0, quality.examples.get("unasked_yes")
    goodbye = {load_scenario(domain, locale).goodbye.state for domain in DOMAINS}
    for rows in sessions_of(days[WEEK[3]]).values():
        for before, row in itertools.pairwise(rows):
            if row.msg_operator or row.msg_question in EVENTS or row.state_after in goodbye or not row.msg_answer:
                continue  # "ok thanks" closing a session, and lines queued for an agent, answer no question
            if is_bare_answer(row.msg_question, locale) and not re.search(r"\d", row.msg_question):
                assert "?" in before.msg_answer, (before.msg_answer, row.msg_question)


# -- 2. one goal ------------------------------------------------------------------------------------------------


def test_a_session_pursues_one_goal_and_a_second_in_a_minority(week):
    locale, days = week
    goals_per_session = []
    for rows in sessions_of(days[WEEK[1]]).values():
        states = goal_of_state(scenario_of(locale, rows[0].project_name))
        goals_per_session.append(len({states[row.state_after] for row in rows if row.state_after in states}))
    with_goal = [count for count in goals_per_session if count]
    assert sum(count >= 3 for count in with_goal) <= 0.06 * len(with_goal)
    assert 0.02 * len(with_goal) <= sum(count == 2 for count in with_goal) <= 0.3 * len(with_goal)


def test_no_greeting_after_the_opening_unless_after_a_long_gap(week):
    _, days = week
    greeted_later = greeted_first = 0
    for rows in sessions_of(days[WEEK[4]]).values():
        phrases = [row for row in rows if row.msg_question not in EVENTS and row.msg_answer and not row.msg_operator]
        for number, row in enumerate(phrases):
            if not GREETING.match(row.msg_question):
                continue
            if number == 0 or (row.msg_rt - phrases[number - 1].msg_rt).total_seconds() >= 600:
                greeted_first += 1
            else:
                greeted_later += 1
    assert greeted_first > 20
    assert greeted_later == 0


def test_a_session_quotes_one_card_and_one_order(week):
    """What stands before "ending in 1234" (a Visa, a checking account) has one set of digits in a session."""
    _, days = week
    quoted = re.compile(r"(\w+) (?:ending in|ends in|заканчивается на|••) ?(\d{4})\b")
    checked = 0
    for rows in sessions_of(days[WEEK[0]]).values():
        digits: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if not row.msg_operator:
                for what, number in quoted.findall(row.msg_answer):
                    digits[what.lower()].add(number)
        assert all(len(numbers) == 1 for numbers in digits.values()), digits
        checked += bool(digits)
    assert checked > 30


def test_an_extended_date_is_later_than_the_date_it_extends():
    scenario = load_file(Path(__file__).resolve().parent / "data" / "scenarios" / "en_US" / "banking.toml")
    for seed in range(50):
        facts = Facts(scenario, Random(seed), seed, female=False, agent_female=False, utc_offset=-5)
        facts.new_burst(Random(seed), date(2026, 3, 4))
        due, moved, last = (facts._date(scenario.dates[name]) for name in ("due_date", "new_due_date",
                                                                           "last_payment"))
        assert date(2026, 3, 6) <= due <= date(2026, 3, 24)
        assert due + timedelta(days=7) <= moved <= due + timedelta(days=14)
        assert date(2026, 2, 7) <= last <= date(2026, 3, 1)


# -- 3. a long tail of client text -------------------------------------------------------------------------------


def test_client_text_has_a_long_tail(week):
    _, days = week
    profile = profile_records(days[WEEK[2]])
    assert profile.once_only_share >= 0.35
    assert profile.catch_all_distinct_share >= 0.70
    assert 0.02 <= profile.long_phrase_share <= 0.10
    assert profile.distinct_per_window is not None and profile.distinct_per_window >= 900


# -- 4. phone calls -----------------------------------------------------------------------------------------------


def test_a_long_complaint_does_not_greet_in_its_middle():
    """A phrase that opens with "hi" grows into a complaint around its request, not around the greeting."""
    long = [text for seed in range(2000)
            for text, _ in [client_text(Random(seed), "hi, my robot vacuum stopped charging", "en_US", False,
                                        STATEMENT | FIRST_ASK)] if len(text.split()) >= 15]
    assert len(long) > 50 and not any("hi," in text.lower() for text in long)


def built_scripts(scenario: Scenario, channel_id: str, seeds: range):
    """The scripts of one opening burst per seed, each on a goal of its own."""
    goals = scenario.goals
    for seed in seeds:
        builder = Builder(Random(seed), scenario, CHANNELS_BY_ID[channel_id], 36000, 86400,
                          goals[seed % len(goals)], lambda r: goals[int(r.random() * len(goals))])
        builder.session(True)
        yield seed, builder.script()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_long_complaint_only_states_a_goal_for_the_first_time(locale):
    """15+ words only where the client first says what they want, never on a follow-up ("Sorry for the long
    message but stop that transfer")."""
    long = Counter()
    for domain, channel in itertools.product(DOMAINS, ("telegram", "resterisk")):
        for seed, script in built_scripts(load_scenario(domain, locale), channel, range(150)):
            rng, stated = Random(seed), set()
            for turn in script.turns:
                if turn.say is None or turn.goal is None:
                    continue
                text, _ = client_text(rng, turn.say.male, locale, channel == "resterisk", turn.mode)
                first = turn.goal.name not in stated
                stated.add(turn.goal.name)
                words = len(text.split())
                if words >= 15 and words > len(turn.say.male.split()) + 3:  # grown by sentences, not a closer
                    long["first" if first else "follow-up"] += 1
    assert long["first"] > 50 and long["follow-up"] == 0, long


@pytest.mark.parametrize(("question", "problem", "locale"), [
    ("how much is a data pass", "my mobile data isnt working", "en_US"),
    ("сколько стоит пакет интернета", "интернет пропал со вчера", "ru_RU"),
    ("want to open a savings account", "my card was charged twice", "en_US"),
    ("хочу взять кредит наличными", "деньги списали два раза", "ru_RU"),
])
def test_a_question_for_information_does_not_grow_into_a_complaint(question, problem, locale):
    """"I was told it would be fixed by now. How much is a data pass?" gives itself away, as does a wish
    («хочу взять кредит») after "this is the third time I'm contacting you"; a problem may grow."""
    def long(core: str) -> int:
        return sum(len(client_text(Random(seed), core, locale, False, STATEMENT | FIRST_ASK)[0].split()) >= 15
                   for seed in range(1000))

    assert long(question) == 0 and long(problem) > 50


OPENING_LETTERS = {"en_US": ("my card got blocked yesterday", "my"), "ru_RU": ("мне нужна выписка по счёту", "мне")}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_phrase_after_the_opening_never_carries_an_opener_not_even_a_misspelt_one(locale):
    """The talk layer is asked for no opener, rather than one being stripped after a typo hid it («подсажите»)."""
    core, start = OPENING_LETTERS[locale]
    rng = Random(5)
    for mode in (0, STATEMENT, STATEMENT | GARBLED, FAREWELL):
        for _ in range(3000):
            text, _ = client_text(rng, core, locale, False, mode)
            assert text.lower().startswith(start), (mode, text)
    openers = {text.split(" ")[0].strip(",") for text, _ in
               (client_text(rng, core, locale, False, STATEMENT | 2) for _ in range(500))}
    assert len(openers) > 5  # the same phrase opening a burst does get openers


CLOSING_END = re.compile(r"(?<!\w)(thanks|thank you|thx|ty|bye|спасибо|спасибо большое|спс|благодарю|до свидания)\W*$",
                         re.IGNORECASE)


@pytest.mark.parametrize("locale", LOCALES)
def test_thanks_and_bye_end_only_the_clients_last_words(locale):
    """A closer is chosen for the turn: "thanks" where the client ends the conversation, never after a request."""
    core = CORES_OF_REQUESTS[locale]
    rng = Random(11)
    for mode in (0, STATEMENT, STATEMENT | GARBLED):
        for _ in range(3000):
            text, _ = client_text(rng, core, locale, False, mode)
            assert not CLOSING_END.search(text), (mode, text)
    closings = sum(bool(CLOSING_END.search(client_text(rng, "ok", locale, False, FAREWELL)[0])) for _ in range(500))
    assert closings > 20
    modes = {turn.mode & FAREWELL for domain in DOMAINS
             for _, script in built_scripts(load_scenario(domain, locale), "telegram", range(100))
             for turn in script.turns if turn.kind == GOODBYE}
    assert modes == {FAREWELL}


CORES_OF_REQUESTS = {"en_US": "where is my parcel now", "ru_RU": "где сейчас моя посылка"}


def test_phone_rows_are_heard_not_read(week):
    _, days = week
    profile = profile_records(days[WEEK[2]])
    assert profile.quality.phone_rows > 500
    assert profile.quality.phone_chat_only == 0, profile.quality.examples.get("phone_chat_only")
    assert profile.quality.asr_comments_off_phone == 0


def test_phone_turn_gaps_follow_what_was_said(week):
    _, days = week
    spoken, gaps = [], []
    for rows in sessions_of(days[WEEK[2]]).values():
        if not is_voice(rows[0]):
            continue
        for before, row in itertools.pairwise(rows):
            if row.msg_question in EVENTS:
                continue
            spoken.append(len(before.msg_answer) + len(row.msg_question))
            gaps.append((row.msg_rt - before.msg_rt).total_seconds())
    assert len(gaps) > 300
    assert statistics.correlation(spoken, gaps) > 0.6


def test_calls_end_as_calls_do(week):
    _, days = week
    endings = Counter()
    for rows in sessions_of(days[WEEK[2]]).values():
        if is_voice(rows[0]) and len(rows) > 1:
            last = rows[-1]
            endings["hangup" if last.msg_question == "hangup" else "transfer" if last.msg_switched else "other"] += 1
            assert not any(row.msg_operator for row in rows)
    assert endings["hangup"] > endings["transfer"] > 0 and endings["other"] > 0


# -- 5. values in context --------------------------------------------------------------------------------------


def test_quoted_values_are_the_clients_own_and_times_never_run_ahead(week):
    _, days = week
    quality = profile_records(days[WEEK[2]]).quality
    assert quality.quoted_emails + quality.quoted_phones > 50
    assert quality.foreign_emails == 0 and quality.foreign_phones == 0
    assert quality.now_in_future == 0 and quality.placeholder_leaks == 0
    assert quality.tensed_dates > 400 and quality.wrong_tense_dates == 0, quality.examples.get("wrong_tense_dates")


def test_russian_replies_have_no_error_a_program_can_find(week):
    """«в Владивостоке», «курьеру Сергей», «5 заказа», «г. г.»: none in a week of replies."""
    locale, days = week
    quality = profile_records(itertools.chain.from_iterable(days.values())).quality
    assert quality.russian_errors == 0, quality.examples.get("russian_errors")
    if locale == "ru_RU":  # the check saw places after «в»/«во» (a «во» city itself is rare: see test_russian)
        place = re.compile(r"(?<!\w)[Вв]о? [А-ЯЁ][а-яё]")
        assert sum(bool(place.search(row.msg_answer)) for rows in days.values() for row in rows) > 100


# -- 7. labels follow what happened --------------------------------------------------------------------------------


def test_labels_follow_what_happened(week):
    locale, days = week
    records = [record for day in WEEK for record in days[day]]
    quality = profile_records(records).quality
    assert quality.labelled_sessions > 500
    assert quality.contradicting_labels == 0, quality.examples.get("contradicting_labels")
    assert quality.label_changes == 0 and quality.unknown_labels == 0
    kinds = Counter()
    for rows in sessions_of(records).values():
        label = rows[0].session_tag
        labels = scenario_of(locale, rows[0].project_name).labels
        for kind in ("done", "failed", "gave_up", "transferred", "no_operators", "satisfied"):
            if label in getattr(labels, kind):
                kinds[kind] += 1
    assert all(kinds[kind] for kind in ("done", "failed", "gave_up", "transferred", "no_operators", "satisfied"))


# -- 8. agent chats ---------------------------------------------------------------------------------------------


def called_by_name(locale: str) -> re.Pattern:
    """A reply that calls the client by a first name: "Hi Susan, ...", "All set, Susan.", «Анна, карта...»."""
    pools = load_pools(locale)
    names = "|".join(sorted({*pools.first_names_male, *pools.first_names_female}, key=len, reverse=True))
    return re.compile(rf"(?:^|, |\b(?:Hi|Hello) )({names})(?=[,.!:])")


def test_nobody_is_called_by_a_name_the_session_does_not_know(week):
    """A caller or a web visitor who gave no name is not greeted by one ("Hi Susan"): the name comes from the
    channel's profile or from the client."""
    locale, days = week
    calling = called_by_name(locale)
    named = Counter()
    for rows in sessions_of(days[WEEK[2]]).values():
        given = set()
        for row in rows:
            given.update(word.strip(",.!").lower() for word in row.msg_question.split())  # "дмитрий, номер ..."
            found = calling.search(row.msg_answer)
            if found is None:
                continue
            known = bool(row.client_name) or found.group(1).lower() in given
            named["known" if known else "unknown"] += 1
            assert known, (row.channel_type, row.msg_answer)
    assert named["known"] > 40, named


def test_agent_chats_are_conversations(week):
    locale, days = week
    waits, chats = [], 0  # a week of chats, each day's own rows: the p95 needs the sample
    for rows in itertools.chain.from_iterable(sessions_of(days[day]).values() for day in WEEK):
        switch = next((number for number, row in enumerate(rows) if row.msg_switched), None)
        if switch is None or is_voice(rows[0]):
            continue
        after = rows[switch + 1:]
        finished = next((number for number, row in enumerate(after) if row.msg_question == "livechatFinished"),
                        len(after))
        live = after[:finished]
        assert all(not row.msg_answer or row.msg_operator for row in live), "a bot answered during the chat"
        agent = [row.msg_answer for row in live if row.msg_operator]
        assert len(agent) == len(set(agent)), agent
        if agent:
            chats += 1
            first = next(row for row in live if row.msg_operator)
            waits.append((first.msg_rt - rows[switch].msg_rt).total_seconds())
            greet = {template.male for turn in scenario_of(locale, rows[0].project_name).operator.turns
                     if turn.phase == "greet" for template in turn.agent}
            assert any(pattern(Template(text, text, ())).pattern for text in greet)
    assert chats > 30
    waits.sort()
    assert 60 <= statistics.median(waits) <= 150
    assert waits[int(0.95 * len(waits))] > 600


CONTRADICTING_STATES = {
    "late and due": (re.compile(r"/Payment/(Late|Overdue)(/|$)"),
                     re.compile(r"/(Due|MoveDate|ChangeDueDate)(/|$)|^/Loans/Payment$")),
    "wrong and faulty": (re.compile(r"^/Returns/WrongItem"), re.compile(r"^/Returns/Damaged")),
}
"""Answers one session gives only if the client contradicts themselves: "move my due date", then "I missed my
payment"; "this isn't what I ordered", then "it's brand new and doesn't turn on"."""


def _pursued(states: list[str], first: re.Pattern, second: re.Pattern) -> list[str]:
    """The states a session pursued: a bot's wrong guess of the other answer of the pair, which the client
    corrects at once (a misheard "this isn't what I ordered" taken for "it arrived broken"), is not pursued."""
    def side(state: str) -> int | None:
        return 0 if first.search(state) else 1 if second.search(state) else None

    return [state for state, following in zip(states, [*states[1:], ""], strict=True)
            if side(state) is None or side(following) in (None, side(state))]


@pytest.mark.parametrize("pair", CONTRADICTING_STATES)
def test_a_session_does_not_pursue_goals_that_contradict_each_other(week, pair):
    _, days = week
    first, second = CONTRADICTING_STATES[pair]
    both = either = 0
    for records in days.values():
        for rows in sessions_of(records).values():
            states = _pursued([row.state_after for row in rows], first, second)
            has = [any(pattern.search(state) for state in states) for pattern in (first, second)]
            either += has[0]
            both += all(has)
    assert either > 20 and both == 0, (either, both)


def test_a_second_goal_is_another_topic():
    """A second goal never shares the first one's topic (tag), where goals can contradict each other."""
    seconds = 0
    for domain, seed in itertools.product(DOMAINS, range(1500)):
        scenario = load_scenario(domain, "en_US")
        builder = Builder(Random(seed), scenario, CHANNELS_BY_ID["telegram"], 36000, 86400,
                          scenario.goals[seed % len(scenario.goals)],
                          lambda r, goals=scenario.goals: goals[int(r.random() * len(goals))])
        builder.session(True)
        goals = list(dict.fromkeys(turn.goal.name for turn in builder.script().turns if turn.kind == STEP))
        if len(goals) > 1:
            seconds += 1
            tags = [next(goal.tag for goal in scenario.goals if goal.name == name) for name in goals[:2]]
            assert tags[0] != tags[1], (domain, goals)
    assert seconds > 50


def test_an_agent_who_asks_in_the_greeting_goes_on_to_identify():
    """A greeting that asks ("your card's last digits?") is followed by the identify phase, never skipped."""
    asked = 0
    for domain, seed in itertools.product(DOMAINS, range(2000)):
        scenario = load_scenario(domain, "en_US")
        identify = {id(line) for turn in scenario.operator.turns if turn.phase == "identify" for line in turn.agent}
        rng = Random(seed)
        builder = Builder(rng, scenario, CHANNELS_BY_ID["telegram"], 36000, 86400,
                          scenario.goals[seed % len(scenario.goals)],
                          lambda r, goals=scenario.goals: goals[int(r.random() * len(goals))])
        builder.session(True)
        agent = [turn.reply for turn in builder.script().turns if turn.kind == AGENT]
        if len(agent) > 1 and "?" in agent[0].male:
            asked += 1
            assert id(agent[1]) in identify, (agent[0].male, agent[1].male)
    assert asked > 10


# -- 9. traffic and identities ---------------------------------------------------------------------------------


def test_the_days_count_varies_and_returning_clients_come_back(week):
    _, days = week
    plan = DayPlan(account("en_US"), MONDAY, seed=77)
    weekdays = [plan.sessions_on(day) for day in WEEK[:5]]
    assert len(set(weekdays)) >= 4 and all(510 <= count <= 690 for count in weekdays)
    profile = profile_records([record for day in WEEK for record in days[day]])
    assert profile.returning_share >= 0.10


def test_phone_lines_see_the_most_repeat_callers(week):
    _, days = week
    sessions_per_client: dict[str, set[str]] = defaultdict(set)
    for day in WEEK:
        for record in days[day]:
            if record.session_start_time.date() in WEEK:
                sessions_per_client[record.client_id].add(record.session_id)
    share = {}
    for voice in (False, True):
        clients = [client for client in sessions_per_client
                   if CHANNELS_BY_ID[client.split("-", 1)[0]].voice == voice]
        share[voice] = sum(len(sessions_per_client[client]) > 1 for client in clients) / len(clients)
    assert share[True] > share[False] > 0.05


def test_some_widget_sessions_are_start_only_and_length_follows_the_domain(week):
    locale, days = week
    widget = [rows for rows in sessions_of(days[WEEK[2]]).values()
              if rows[0].channel_type == "chatwidget" and rows[0].session_start_time.date() == WEEK[2]]
    start_only = sum(len(rows) == 1 and rows[0].msg_question == "/start" for rows in widget)
    assert 0.04 * len(widget) <= start_only <= 0.25 * len(widget)
    turns: dict[str, list[int]] = defaultdict(list)
    for rows in sessions_of([record for day in WEEK for record in days[day]]).values():
        if is_voice(rows[0]) or rows[0].session_start_time.date() not in WEEK or len(rows) == 1:
            continue
        turns[rows[0].project_name].append(sum(row.msg_question not in EVENTS for row in rows))
    for project, counts in turns.items():
        mean_turns = scenario_of(locale, project).mean_turns
        assert 0.65 * mean_turns <= statistics.fmean(counts) <= 1.35 * mean_turns, (project, statistics.fmean(counts))


def test_a_session_that_goes_on_over_days_keeps_its_values(week):
    _, days = week
    order = re.compile(r"(?:[Oo]rder|[Зз]аказ[а-я]*)(?: number| №| номер)? (\d{8})\b")
    numbers: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, set[date]] = defaultdict(set)
    for day in WEEK:
        for record in days[day]:
            if record.session_start_time.date() < day and not record.msg_operator:
                spans[record.session_id].add(day)
            for found in order.findall(record.msg_answer):
                numbers[record.session_id].add(found)
    going_on = [session for session in spans if numbers[session]]
    assert len(going_on) > 10
    assert all(len(numbers[session]) == 1 for session in going_on), [numbers[s] for s in going_on]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A warranty 338 days ahead on January 1 was said without its year, so it read as last December's.
@example(locale="en_US", domain="retail", channels=["telegram"], day=date(2019, 1, 1), seed=176)
# Chattanooga on the phone line was counted as chat-only wording ("chat..." read as a word's start).
@example(locale="en_US", domain="delivery", channels=["resterisk"], day=date(2027, 10, 28), seed=15671)
@given(locale=st.sampled_from(LOCALES), domain=st.sampled_from(DOMAINS),
       channels=st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=3, unique=True),
       day=st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)), seed=st.integers(0, 2**63))
def test_no_day_gives_itself_away(locale, domain, channels, day, seed):
    """Any account, day and seed: nothing a program can catch (chat-only phone wording, leaks, contradicted
    labels, foreign emails or phones, future times, an unasked yes, dates in the wrong tense, Russian errors)."""
    spec = AccountSpec(99, projects=(ProjectSpec("P", domain=domain, channels=tuple(channels)),), locale=locale,
                       sessions_per_day=40)
    quality = profile_records(records_of(DayPlan(spec, day, seed=seed))).quality
    for kind in ("phone_chat_only", "placeholder_leaks", "contradicting_labels", "label_changes",
                 "asr_comments_off_phone", "foreign_emails", "foreign_phones", "now_in_future", "unasked_yes",
                 "wrong_tense_dates", "russian_errors"):
        assert getattr(quality, kind) == 0, (kind, quality.examples.get(kind))
    event(f"bare yes answered: {quality.bare_yes > 0}")
    event(f"labelled sessions: {quality.labelled_sessions > 0}")
    event(f"dates judged: {quality.tensed_dates > 0}")
    target(float(quality.bare_yes + quality.labelled_sessions + quality.tensed_dates), label="cases checked")
