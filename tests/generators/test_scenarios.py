"""Scenario content (format 2): every file loads and meets FORMAT.md; the loader rejects broken files, naming the
file and the key; the checker command checks any files it is given."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from random import Random

import pytest

from generators.scenarios import (
    DOMAINS,
    LOCALES,
    Scenario,
    ScenarioError,
    Template,
    available_domains,
    load_file,
    load_scenario,
)
from generators.text import Facts

CYRILLIC = re.compile("[а-яА-ЯёЁ]")
STATE = re.compile(r"(/[A-Za-z0-9_]+)+")
FILES = [(locale, domain) for locale in LOCALES for domain in DOMAINS]
SAMPLE = Path(__file__).resolve().parent / "data" / "scenarios" / "en_US" / "banking.toml"


def texts(scenario: Scenario) -> dict[str, tuple[Template, ...]]:
    """Every text of a scenario by the key it comes from."""
    found: dict[str, tuple[Template, ...]] = {"start.reply": scenario.start.reply,
                                              "start.reply_voice": scenario.start.reply_voice}
    for name in ("fallback", "goodbye", "operator"):
        table = getattr(scenario, name)
        for field in table.__dataclass_fields__:
            value = getattr(table, field)
            if isinstance(value, tuple) and value and isinstance(value[0], Template):
                found[f"{name}.{field}"] = value
    for number, turn in enumerate(scenario.operator.turns):
        found[f"operator.turns[{number}].client"] = turn.client
        found[f"operator.turns[{number}].agent"] = turn.agent
    for goal in scenario.goals:
        for step in goal.steps:
            for field in ("say", "voice", "buttons", "reply", "reply_voice"):
                found[f"goals.{goal.name}.steps.{step.name}.{field}"] = getattr(step, field)
    return found


def phone_keys(key: str) -> bool:
    return key.endswith(("voice", ".voice")) or "_voice" in key


# -- the shipped files --------------------------------------------------------------------------------------


def test_every_locale_has_every_domain():
    for locale in LOCALES:
        assert available_domains(locale) == DOMAINS


def test_checker_command_passes_on_every_file():
    result = subprocess.run([sys.executable, "-m", "generators.scenarios"], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(FILES) and all(line.startswith("ok") for line in lines), result.stdout


def test_checker_command_checks_the_files_it_is_given(tmp_path):
    broken = tmp_path / "en_US" / "banking.toml"
    broken.parent.mkdir()
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace('say = ["nearest atm"', 'say = ["yes"'),
                      encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "generators.scenarios", str(SAMPLE), str(broken)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    first, second = result.stdout.splitlines()
    assert first.startswith("ok") and str(SAMPLE) in first
    assert second.startswith("ERROR") and str(broken) in second and "goals.atm.steps.ask.say" in second
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_file_meets_the_minimum_counts(locale, domain):
    scenario = load_scenario(domain, locale)
    assert (scenario.domain, scenario.locale) == (domain, locale)
    assert len(scenario.goals) >= 10 and len(scenario.companies) >= 2
    for goal in scenario.goals:
        assert goal.entries and goal.weight > 0 and goal.tag.strip() and goal.comment.strip()
        for step in goal.steps:
            assert STATE.fullmatch(step.state)
            assert len(step.say) >= (4 if step.entry else 2) and len(step.voice) >= 2
            assert len(step.reply) >= 2 and len(step.reply_voice) >= 2
            assert not (step.entry and step.answers), f"{goal.name}.{step.name} answers a question yet opens"
            if step.asks:
                assert step.next, f"{goal.name}.{step.name} asks but nothing answers"
    assert scenario.fallback.state == "/CatchAll"
    assert scenario.operator.no_operators_state == "/CatchAll/Switch/NoOperatorsOnline"
    for phase in ("greet", "identify", "act", "close"):
        assert scenario.operator.phase_turns(phase, ""), phase


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_every_text_fills_for_any_session(locale, domain):
    scenario = load_scenario(domain, locale)
    for seed in range(3):
        rng = Random(seed)
        facts = Facts(scenario, rng, seed, female=bool(seed % 2), agent_female=not seed % 2, utc_offset=3)
        facts.moment = 36000 + seed * 7000
        for key, templates in texts(scenario).items():
            for template in templates:
                text = facts.fill(template, bool(seed % 2))
                assert text.strip(), key
                assert not re.search(r"[{}]|\[[^\]]*\|", text), (key, text)
                if locale == "en_US":
                    assert not CYRILLIC.search(text), (key, text)


@pytest.mark.parametrize(("locale", "domain"), FILES)
def test_phone_texts_are_written_to_be_heard(locale, domain):
    for key, templates in texts(load_scenario(domain, locale)).items():
        if not phone_keys(key):
            continue
        for template in templates:
            assert not re.search(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]|https?://|\b(tap|click|button)\b|кнопк|ссылк",
                                 template.male, re.IGNORECASE), (key, template.male)


@pytest.mark.parametrize("domain", DOMAINS)
def test_russian_files_are_russian(domain):
    scenario = load_scenario(domain, "ru_RU")
    for goal in scenario.goals:
        for step in goal.steps:
            assert all(CYRILLIC.search(template.male) for template in step.reply), goal.name
            assert all(CYRILLIC.search(template.male) for template in step.reply_voice), goal.name
    assert all(CYRILLIC.search(label) for label in scenario.labels.done)


# -- the loader rejects broken files, naming file and key ----------------------------------------------------

REJECTED = {
    "chat-only phone wording": ('voice = ["uh i need to block my card"', 'voice = ["uh i need to tap the button"',
                                "goals.block_card.steps.ask.voice", "chat-only"),
    "emoji in a phone reply": ('reply_voice = ["Okay, your card stays active."',
                               'reply_voice = ["Okay 👍 your card stays active."',
                               "goals.block_card.steps.no.reply_voice", "emoji"),
    "a case outside ru_RU": ("The nearest ATM in {city} is", "The nearest ATM in {city:loct} is",
                             "goals.atm.steps.ask.reply", "cases are written in ru_RU only"),
    "agreement outside ru_RU": ("{items} transactions", "{items@item} transactions",
                                "goals.statements.steps.ask.reply", "agreement is written in ru_RU only"),
    "an unknown placeholder": ("Your daily ATM limit is {atm_limit}", "Your daily ATM limit is {limit}",
                               "goals.limits.steps.ask.reply", "unknown placeholder {limit}"),
    "a next that names no step": ('next = ["number"]', 'next = ["numbr"]',
                                  "goals.order_status.steps.ask.next", "no steps named numbr"),
    "a bare yes as an entry": ('say = ["whats my balance"', 'say = ["yes"',
                               "goals.balance.steps.ask.say", "answers a question"),
    "buttons nobody offered": ("  offers_buttons = true\n", "", "goals.block_card.steps.yes.buttons",
                               "offers_buttons"),
    "a question with no answer": ('The first free slot is {slot}."', 'Is {slot} OK?"',
                                  "goals.appointment.steps.ask.next", "asks a question"),
    "a yes without a no": ('next = ["yes", "no"]\n\n  [[goals.steps]]\n  name = "yes"\n  state = "/Payments',
                           'next = ["yes"]\n\n  [[goals.steps]]\n  name = "yes"\n  state = "/Payments',
                           "goals.bill_due.steps.no", "never reached"),
    "a yes after a reply that asks nothing": (
        'reply = ["Your next payment of {fee} is due on {due_date}. Your last payment was on {last_payment}. '
        'Do you want to move the due date?"',
        'reply = ["Your next payment of {fee} is due on {due_date}."', "goals.bill_due.steps.ask.reply",
        "asks nothing"),
    "too few phrases": ('say = ["nearest atm", "where can i withdraw cash", ', 'say = ["where can i withdraw cash", ',
                        "goals.atm.steps.ask.say", "at least 4"),
    "an unknown key": ('tag = "ATM"', 'tag = "ATM"\nlabels = "x"', "goals.atm", "unknown key(s) labels"),
    "a date both ahead and past": ("due_date = { min = 2, max = 20 }", "due_date = { min = -2, max = 20 }",
                                   "dates.due_date", "either ahead"),
    "a date after an unknown one": ('after = "due_date"', 'after = "paid_date"', "dates.new_due_date.after",
                                    "no other date"),
    "an amount with choices and bounds": ("plan_price = { choices = [25, 35, 45] }",
                                          "plan_price = { choices = [25, 35, 45], min = 3 }",
                                          "amounts.plan_price", "not both"),
    "an operator phase missing": ('phase = "close"', 'phase = "act"', "operator.turns", "phase 'close'"),
    "an agent chat that never settles": ('  after = ["new"]\n', '  after = ["new"]\n  leads = "working"\n',
                                         "operator.turns", "'new' on to done or escalated"),
    "a matter state that is not one": ('after = ["new"]', 'after = ["fixed"]', "operator.turns[4].after",
                                       "'fixed' is not one of"),
    "a close before the matter is settled": ('  phase = "close"\n', '  phase = "close"\n  after = ["working"]\n',
                                             "operator.turns[5].after", "closes only once"),
    "a greeting that leads somewhere": ('  phase = "greet"\n', '  phase = "greet"\n  leads = "done"\n',
                                        "operator.turns[0]", "a greeting follows"),
    "a price for each choice missing": ("fee = { min = 2, max = 39, cents = false }",
                                        'fee = { by = "card_product", ranges = [[2, 39], [3, 20]] }',
                                        "amounts.fee.ranges", "a list of 3 [min, max] pairs"),
    "an amount that stands for no other": ("fee = { min = 2, max = 39, cents = false }",
                                           'fee = { min = 2, max = 39, same_as = "late_fee" }',
                                           "amounts.fee.same_as", "'late_fee' is not another amount"),
    "a sum of an amount not declared above": ("fee = { min = 2, max = 39, cents = false }",
                                              'fee = { sum = ["balance", "atm_limit"] }',
                                              "amounts.fee.sum", "'atm_limit' is not a money amount declared"),
    "a domain that is not the file's": ('domain = "banking"', 'domain = "retail"', "domain/locale",
                                        "match the file's place"),
    "an ending that is not one": ('ends = "failed"', 'ends = "lost"', "goals.fees.steps.ask.ends", "not one of"),
}


@pytest.mark.parametrize("case", REJECTED, ids=list(REJECTED))
def test_loader_rejects_a_broken_file_naming_file_and_key(tmp_path, case):
    old, new, key, reason = REJECTED[case]
    source = SAMPLE.read_text(encoding="utf-8")
    assert old in source, "the sample no longer holds the text this case breaks"
    path = tmp_path / "en_US" / "banking.toml"
    path.parent.mkdir()
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_file(path)
    message = str(error.value)
    assert message.startswith(f"{path}: {key}"), message
    assert reason in message, message


def test_sample_file_loads_and_marks_answer_steps():
    scenario = load_file(SAMPLE)
    block = scenario.goal("block_card")
    names = {step.name: step for step in block.steps}
    assert names["ask"].asks and names["ask"].offers_buttons and not names["ask"].answers
    assert names["yes"].answers and names["no"].answers and names["yes"].buttons
    assert scenario.goal("fees").steps[0].ends == "failed" and scenario.goal("atm").steps[0].ends == "done"


def test_russian_cases_and_agreement_compile_to_filler_keys(tmp_path):
    source = SAMPLE.read_text(encoding="utf-8").replace('locale = "en_US"', 'locale = "ru_RU"')
    source = source.replace("There is an ATM at {street_address}, {city}.", "Банкомат есть в {city:loct}.")
    source = source.replace("Your statement with {items} transactions", "Выписка, {items@операция},")
    path = tmp_path / "ru_RU" / "banking.toml"
    path.parent.mkdir()
    path.write_text(source, encoding="utf-8")
    scenario = load_file(path)
    reply = scenario.goal("atm").steps[0].reply[1]
    assert reply.fields == ("city#loct#в",)  # the value takes «в»: «во Владивостоке»
    facts = Facts(scenario, Random(1), 5, female=False, agent_female=False, utc_offset=3)
    facts["city"] = "Нижний Новгород"
    assert facts.fill(reply, False) == "Банкомат есть в Нижнем Новгороде."
    statement = scenario.goal("statements").steps[0].reply[0]
    facts["items"] = "5"
    assert facts.fill(statement, False).startswith("Выписка, 5 операций,")
