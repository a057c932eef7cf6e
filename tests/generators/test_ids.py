"""Identifier formats (docs/platform.md), the Faker provider, and the account model's checks."""

from __future__ import annotations

import re
import uuid
from datetime import date
from random import Random

import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.channels import CHANNEL_IDS, CHANNELS, CHANNELS_BY_ID
from generators.csvformat import read_records
from generators.export import day_bytes
from generators.model import AccountSpec, Dialect, ProjectSpec, stable_int
from generators.provider import (
    JaicpProvider,
    bot_id,
    client_id,
    name_based_uuid,
    project_code,
    project_short_name,
    session_id,
    user_id,
)
from generators.scenarios import DOMAINS, LOCALES, load_scenario
from generators.schema import COLUMN_NAMES
from generators.sessions import DayPlan

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
UUID5_SHAPED = r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-7][0-9a-f]{3}-[0-9a-f]{12}"
STATE = re.compile(r"(/[A-Za-z0-9_]+)+")
CLIENT_ID = re.compile(
    r"(?P<channel>[a-z0-9_]+?)-(?P<bot>(?P<account>[0-9]+)-(?P<short>.+-(?P=account)-[A-Z0-9]{3})-[0-9]+)"
    r"-(?P<user>.+)")
PHONE = {"en_US": re.compile(r"1[0-9]{10}"), "ru_RU": re.compile(r"7[0-9]{10}")}
WEDNESDAY = date(2026, 3, 4)

account_ids = st.integers(min_value=1, max_value=10**12)
project_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(str.strip)


def decompose(client: str) -> dict[str, str]:
    match = CLIENT_ID.fullmatch(client)
    assert match, f"{client!r} is not <channelType>-<botId>-<userId>"
    return match.groupdict()


# -- model ---------------------------------------------------------------------------------------------------


def test_stable_int_is_a_stable_64_bit_hash():
    assert stable_int("a", 1) == stable_int("a", 1)
    assert stable_int("a", 1) != stable_int("a", 2)
    assert stable_int("a", 1) != stable_int("a1")  # parts are separated
    assert 0 <= stable_int("x") < 2**64
    # A fixed value: the same in every process and Python version (blake2b, not hash()).
    assert stable_int("project-code", 1234567, "Demobot") == stable_int("project-code", "1234567", "Demobot")


@pytest.mark.parametrize(("make", "words"), [
    (lambda: AccountSpec(0), "positive"),
    (lambda: AccountSpec(1, locale="fr_FR"), "en_US"),
    (lambda: AccountSpec(1, sessions_per_day=-1), ">= 0"),
    (lambda: AccountSpec(1, session_id_style="uuid7"), "client"),
    (lambda: AccountSpec(1, projects=()), "project"),
    (lambda: AccountSpec(1, projects=(ProjectSpec("A"), ProjectSpec("A"))), "repeat"),
    (lambda: ProjectSpec(" "), "name"),
    (lambda: ProjectSpec("A", domain="casino"), "banking"),
    (lambda: ProjectSpec("A", channels=("telegram", "icq")), "telegram"),
    (lambda: ProjectSpec("A", channels=()), "channel"),
    (lambda: ProjectSpec("A", code="ab1"), "3 capital"),
    (lambda: ProjectSpec("A", code="ABCD"), "3 capital"),
    (lambda: ProjectSpec("A", locale="de_DE"), "ru_RU"),
    (lambda: ProjectSpec("A", weight=0), "positive"),
    (lambda: Dialect(line_end="\r"), "line_end"),
    (lambda: Dialect(channel_labels="names"), "display"),
])
def test_model_rejects_bad_values_with_a_clear_message(make, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        make()


# -- projects and bots ---------------------------------------------------------------------------------------


def test_project_short_name_examples():
    assert project_short_name(1234567, "test", "ABC") == "test-1234567-ABC"
    assert project_short_name(118460129, "Demobot", "XLA") == "demobot-118460129-XLA"


@settings(max_examples=200, deadline=None)
@given(account_ids, project_names)
def test_project_short_name_shape(account_id, name):
    short = project_short_name(account_id, name)
    assert re.fullmatch(rf"\S+-{account_id}-[A-Z0-9]{{3}}", short)
    assert ";" not in short
    assert short == project_short_name(account_id, name)  # stable
    assert short.endswith(f"-{project_code(account_id, name)}")


def test_project_codes_vary_between_projects():
    codes = {project_code(1234567, f"project{number}") for number in range(200)}
    assert len(codes) > 150
    assert all(re.fullmatch(r"[A-Z0-9]{3}", code) for code in codes)


@settings(max_examples=200, deadline=None)
@given(account_ids, project_names, st.sampled_from(CHANNEL_IDS))
def test_bot_id_shape(account_id, name, channel):
    short = project_short_name(account_id, name)
    bot = bot_id(account_id, short, channel)
    assert re.fullmatch(rf"{account_id}-{re.escape(short)}-[0-9]+", bot)
    assert bot == bot_id(account_id, short, channel)


def test_bot_ids_differ_between_channels_of_a_project():
    short = project_short_name(1234567, "Demobot")
    bots = {bot_id(1234567, short, channel) for channel in CHANNEL_IDS}
    assert len(bots) == len(CHANNEL_IDS)


def test_documented_client_id_decomposes():
    parts = decompose("telegram-118460129-demobot-118460129-XLA-160021967-294227430")
    assert parts == {"channel": "telegram", "bot": "118460129-demobot-118460129-XLA-160021967",
                     "account": "118460129", "short": "demobot-118460129-XLA", "user": "294227430"}


# -- user and client ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNEL_IDS)
def test_user_ids_of_every_channel(channel):
    rng = Random(stable_int("user-id-test", channel))
    drawn = [user_id(rng, channel) for _ in range(200)]
    assert len(set(drawn)) > 190
    for value in drawn:
        assert value and value == value.strip()
        assert not set(value) & set(';"\r\n\t ')
    shape = CHANNELS_BY_ID[channel].user_id_shape
    if shape.startswith("digits"):
        low, _, high = shape.partition(":")[2].partition("-")
        assert all(re.fullmatch(rf"[1-9][0-9]{{{int(low) - 1},{int(high or low) - 1}}}", v) for v in drawn)
    elif shape == "uuid":
        assert all(uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value for value in drawn)


@pytest.mark.parametrize("locale", LOCALES)
def test_telephony_user_ids_are_phone_numbers_of_the_locale(locale):
    rng = Random(7)
    for channel in ("resterisk", "whatsapp"):
        for _ in range(100):
            assert PHONE[locale].fullmatch(user_id(rng, channel, locale))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CHANNEL_IDS), account_ids, st.sampled_from(("Demobot", "My support bot", "faq-2")),
       st.integers(0, 2**32))
def test_client_id_decomposes(channel, account_id, name, seed):
    short = project_short_name(account_id, name)
    bot = bot_id(account_id, short, channel)
    user = user_id(Random(seed), channel)
    client = client_id(channel, bot, user)
    assert client == f"{channel}-{bot}-{user}"
    parts = decompose(client)
    assert (parts["channel"], parts["bot"], parts["account"], parts["short"], parts["user"]) == (
        channel, bot, str(account_id), short, user)


@pytest.mark.parametrize("user", ["000123", "0", "007"])
def test_numeric_ids_keep_their_string_form(user, validate_bytes):
    """A user id with leading zeros survives the writer and the reader as the same text."""
    client = client_id("telegram", bot_id(1234567, project_short_name(1234567, "Demobot"), "telegram"), user)
    sid = session_id(Random(1), client)
    row = (sid, "04.03.2026 10:00:00", "04.03.2026 10:00:05", "1", "", "Telegram", "demobot_telegram",
           client, "", "Demobot", "04.03.2026 10:00:00", "/start", "Hi", "/", "/Start", "false", "false", "",
           "")
    data = ("\r\n".join([";".join(COLUMN_NAMES), ";".join(row)]) + "\r\n").encode()
    record = read_records(data)[0]
    assert record.client_id == client
    assert record.client_id.endswith(f"-{user}")
    assert validate_bytes(data).ok


# -- session ids ---------------------------------------------------------------------------------------------


def test_name_based_uuid_shape():
    head = name_based_uuid("telegram-1-x")
    assert re.fullmatch(UUID5_SHAPED, head)
    assert head == name_based_uuid("telegram-1-x")
    assert head != name_based_uuid("telegram-1-y")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=80), st.integers(0, 2**64))
def test_session_id_styles(client, seed):
    old = session_id(Random(seed), client, "uuid5")
    head, _, tail = old.partition(".")
    assert re.fullmatch(UUID5_SHAPED, head)
    assert head == name_based_uuid(client)
    assert re.fullmatch(UUID4, tail)
    assert uuid.UUID(tail).version == 4

    new = session_id(Random(seed), client, "client")
    head, _, tail = new.rpartition(".")
    assert head == client
    assert re.fullmatch(UUID4, tail)
    assert old.endswith(tail)  # same RNG draw, only the head differs


def test_session_ids_of_one_client_differ():
    rng = Random(3)
    ids = {session_id(rng, "telegram-1-2-3") for _ in range(100)}
    assert len(ids) == 100
    assert len({sid.split(".")[0] for sid in ids}) == 1  # the head names the client


def test_documented_session_id_matches_our_uuid5_shape():
    documented = "20a8444a-e1dd-5865-5ee7-b03fcb65e19b.732196de-2de6-455f-b751-e2c9a4700c62"
    head, _, tail = documented.partition(".")
    assert re.fullmatch(UUID5_SHAPED, head)
    assert re.fullmatch(UUID4, tail)


@pytest.mark.parametrize("style", ["uuid5", "client"])
@pytest.mark.parametrize("locale", LOCALES)
def test_generated_ids_decompose(style, locale):
    account = AccountSpec(7654321, projects=(
        ProjectSpec("Demobot", domain="banking", channels=tuple(CHANNEL_IDS[:15])),
        ProjectSpec("Shop Helper", domain="retail", channels=tuple(CHANNEL_IDS[15:]), code="Q7Z"),
    ), locale=locale, sessions_per_day=150, session_id_style=style)
    records = read_records(day_bytes(account, WEDNESDAY, dialect=Dialect(channel_labels="id")))
    assert records
    seen_channels = set()
    for record in records:
        parts = decompose(record.client_id)
        assert parts["channel"] == record.channel_type
        assert parts["account"] == "7654321"
        expected_short = project_short_name(7654321, record.project_name,
                                            "Q7Z" if record.project_name == "Shop Helper" else None)
        assert parts["short"] == expected_short
        assert parts["bot"] == bot_id(7654321, expected_short, record.channel_type)
        if CHANNELS_BY_ID[record.channel_type].user_id_shape == "phone":
            assert PHONE[locale].fullmatch(parts["user"])
        head, _, tail = record.session_id.rpartition(".")
        assert re.fullmatch(UUID4, tail)
        if style == "client":
            assert head == record.client_id
        else:
            assert head == name_based_uuid(record.client_id)
        seen_channels.add(record.channel_type)
    assert len(seen_channels) >= 10


def test_session_ids_are_unique_within_a_day():
    plan = DayPlan(AccountSpec(1234567, sessions_per_day=300), WEDNESDAY, seed=1)
    ids = [plan.session_rows(index)[0][1][0] for index in range(plan.session_count)
           if plan.session_rows(index)]
    assert len(ids) > 250
    assert len(set(ids)) == len(ids)


# -- the Faker provider --------------------------------------------------------------------------------------



def faker(locale: str = "en_US", seed: int | None = 1234) -> Faker:
    fake = Faker(locale)
    fake.add_provider(JaicpProvider)
    if seed is not None:
        fake.seed_instance(seed)
    return fake


def test_provider_methods_without_locale():
    fake = faker()
    assert 100000 <= fake.jaicp_account_id() <= 9999999
    assert fake.jaicp_channel_type() in CHANNEL_IDS
    assert fake.jaicp_channel_display_name("resterisk") == "Telephony"
    assert fake.jaicp_channel_display_name() in {channel.display_name for channel in CHANNELS}
    assert re.fullmatch(r"demobot-42-[A-Z0-9]{3}", fake.jaicp_project_short_name("demobot", 42))
    assert re.fullmatch(r"[a-z]+-[0-9]+-[A-Z0-9]{3}", fake.jaicp_project_short_name())
    assert re.fullmatch(r"42-[a-z]+-42-[A-Z0-9]{3}-[0-9]{6}", fake.jaicp_bot_id("vk", 42))


def test_provider_is_seeded_by_faker():
    first = faker(seed=99)
    second = faker(seed=99)
    assert [first.jaicp_bot_id() for _ in range(5)] == [second.jaicp_bot_id() for _ in range(5)]
    assert faker(seed=1).jaicp_account_id() != faker(seed=2).jaicp_account_id()


@pytest.mark.parametrize("channel", ["telegram", "resterisk", "chatwidget", "edna_platform"])
def test_provider_client_id(channel):
    fake = faker()
    client = fake.jaicp_client_id(channel)
    parts = decompose(client)
    assert parts["channel"] == channel
    assert parts["bot"].startswith(f"{parts['account']}-")
    if channel in ("resterisk", "edna_platform"):
        assert PHONE["en_US"].fullmatch(parts["user"])
    assert decompose(fake.jaicp_client_id())["channel"] in CHANNEL_IDS


@pytest.mark.parametrize("locale", LOCALES)
def test_provider_follows_the_faker_locale(locale):
    fake = faker(locale)
    assert PHONE[locale].fullmatch(fake.jaicp_user_id("resterisk"))
    questions = [fake.jaicp_question("banking") for _ in range(20)]
    has_cyrillic = [bool(re.search("[а-яА-ЯёЁ]", question)) for question in questions]
    assert all(has_cyrillic) if locale == "ru_RU" else not any(has_cyrillic)


def test_provider_session_state_and_question():
    fake = faker()
    assert re.fullmatch(rf"{UUID5_SHAPED}\.{UUID4}", fake.jaicp_session_id())
    client = fake.jaicp_client_id("telegram")
    assert fake.jaicp_session_id(client, style="client").startswith(f"{client}.")
    known = {intent.state for domain in DOMAINS for intent in load_scenario(domain, "en_US").intents}
    for _ in range(20):
        state = fake.jaicp_state()
        assert STATE.fullmatch(state) and state in known
        question = fake.jaicp_question()
        assert question.strip()
        assert not re.search(r"[{}\[\]|]", question)  # placeholders and gendered forms resolved
    banking = {intent.state for intent in load_scenario("banking", "en_US").intents}
    assert all(fake.jaicp_state("banking") in banking for _ in range(20))


def test_provider_seeded_output_repeats():
    assert faker(seed=5).jaicp_client_id() == faker(seed=5).jaicp_client_id()
    assert faker(seed=5).jaicp_question() == faker(seed=5).jaicp_question()
