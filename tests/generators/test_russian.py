"""Russian cases and number agreement: names, surnames, multiword and hyphenated cities, edge numbers."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from generators import russian
from generators.pools import load_pools


@pytest.mark.parametrize(("text", "case", "gender", "expected"), [
    ("Никита", "datv", "masc", "Никите"),
    ("Никита", "ablt", "masc", "Никитой"),
    ("Илья", "gent", "masc", "Ильи"),
    ("Илья", "ablt", "masc", "Ильёй"),
    ("Любовь", "gent", "femn", "Любови"),  # the name, not the noun «любви»
    ("Любовь", "ablt", "femn", "Любовью"),
    ("Игорь", "accs", "masc", "Игоря"),
    ("Сергей", "datv", None, "Сергею"),
    ("Пётр", "datv", "masc", "Петру"),
    ("Лев", "gent", "masc", "Льва"),
    ("Иванова", "ablt", "femn", "Ивановой"),
    ("Иванов", "ablt", "masc", "Ивановым"),
    ("Островская", "accs", "femn", "Островскую"),
    ("Шевченко", "datv", "masc", "Шевченко"),
    ("Сергей Иванов", "datv", "masc", "Сергею Иванову"),
    ("Ольга Смирнова", "ablt", "femn", "Ольгой Смирновой"),
    ("Елена", "nomn", "femn", "Елена"),
])
def test_names(text, case, gender, expected):
    assert russian.inflect(text, case, gender) == expected


def test_a_womans_surname_without_a_female_form_stays():
    assert russian.inflect_live("Шевчук", "datv", "femn") == "Шевчук"
    assert russian.inflect_live("Шевчук", "datv", "masc") == "Шевчуку"


@pytest.mark.parametrize(("city", "case", "expected"), [
    ("Нижний Новгород", "loct", "Нижнем Новгороде"),
    ("Нижний Новгород", "gent", "Нижнего Новгорода"),
    ("Нижний Новгород", "accs", "Нижний Новгород"),
    ("Ростов-на-Дону", "loct", "Ростове-на-Дону"),
    ("Комсомольск-на-Амуре", "gent", "Комсомольска-на-Амуре"),
    ("Набережные Челны", "loct", "Набережных Челнах"),
    ("Петропавловск-Камчатский", "loct", "Петропавловске-Камчатском"),
    ("Каменск-Уральский", "gent", "Каменска-Уральского"),
    ("Йошкар-Ола", "loct", "Йошкар-Оле"),
    ("Улан-Удэ", "loct", "Улан-Удэ"),
    ("Сочи", "loct", "Сочи"),
    ("Старый Оскол", "ablt", "Старым Осколом"),
    ("Орёл", "loct", "Орле"),
    ("Грозный", "accs", "Грозный"),
    ("Пермь", "loct", "Перми"),
    ("Москва", "accs", "Москву"),
    ("Владимир", "accs", "Владимир"),
])
def test_cities(city, case, expected):
    assert russian.inflect(city, case, place=True) == expected


def test_the_man_and_the_city_named_vladimir_differ_in_the_accusative():
    assert russian.inflect("Владимир", "accs", "masc") == "Владимира"
    assert russian.inflect("Владимир", "accs", place=True) == "Владимир"


def test_every_pooled_name_and_city_is_in_the_precomputed_table_and_matches_the_dictionary():
    pools = load_pools("ru_RU")
    forms = russian._table()["forms"]
    for name in [*pools.first_names_male, *pools.first_names_female, *pools.last_names_male,
                 *pools.last_names_female, *pools.cities]:
        assert name in forms, name
    for key, declined in list(forms.items())[::7]:
        text, _, qualifier = key.partition("|")
        gender = qualifier if qualifier in russian.GENDERS else None
        place = qualifier == "place" or (text in pools.cities and qualifier == "")
        if text in pools.cities and text in [*pools.first_names_male]:
            continue  # «Владимир» plain is the man; the city is «Владимир|place»
        assert declined == [russian.inflect_live(text, case, gender, place=place) for case in russian.CASES], key


def test_unknown_case_is_named():
    with pytest.raises(ValueError, match="dative"):
        russian.inflect("Москва", "dative")


@pytest.mark.parametrize(("number", "noun", "expected"), [
    (1, "заказ", "1 заказ"), (2, "заказ", "2 заказа"), (5, "заказ", "5 заказов"), (11, "заказ", "11 заказов"),
    (12, "заказ", "12 заказов"), (14, "заказ", "14 заказов"), (21, "заказ", "21 заказ"),
    (22, "заказ", "22 заказа"), (25, "заказ", "25 заказов"), (101, "заказ", "101 заказ"),
    (111, "заказ", "111 заказов"), (0, "заказ", "0 заказов"), (21, "день", "21 день"), (3, "день", "3 дня"),
    (2, "рабочий день", "2 рабочих дня"), (5, "рабочий день", "5 рабочих дней"),
    (3, "новая карта", "3 новые карты"), (1, "минута", "1 минута"), (4, "минута", "4 минуты"),
    (1500, "рубль", "1500 рублей"),
    # counting forms: the plural genitive after a number is «гигабайт», «человек», «лет», not the plain one
    (5, "гигабайт", "5 гигабайт"), (10, "гигабайт", "10 гигабайт"), (3, "гигабайт", "3 гигабайта"),
    (21, "гигабайт", "21 гигабайт"), (5, "человек", "5 человек"), (2, "человек", "2 человека"),
    (12, "грамм", "12 грамм"), (500, "килограмм", "500 килограмм"), (64, "байт", "64 байта"),
    (100, "мегабайт", "100 мегабайт"), (5, "раз", "5 раз"), (5, "год", "5 лет"), (11, "год", "11 лет"),
    (22, "год", "22 года"),
])
def test_agreement(number, noun, expected):
    assert russian.agree(number, noun) == expected


def _form_by_rule(number: int) -> int:
    """The textbook rule, written out as the test's oracle: 0 = «заказ», 1 = «заказа», 2 = «заказов»."""
    if number % 10 == 1 and number % 100 != 11:
        return 0
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return 1
    return 2


@given(st.integers(0, 10**7))
def test_agreement_follows_the_rule_for_any_number(number):
    expected = _form_by_rule(number)
    event(f"form {expected}")
    assert russian.agree(number, "заказ") == f"{number} {('заказ', 'заказа', 'заказов')[expected]}"
    assert russian.agreed_noun(number, "день") == ("день", "дня", "дней")[expected]


def test_a_noun_no_table_holds_is_agreed_live():
    assert "сервисный центр" not in russian._table()["agreement"]
    assert russian.agree(3, "сервисный центр") == "3 сервисных центра"


def test_only_indeclinable_names_and_cities_stay_the_same_in_every_case():
    """A name the dictionary misreads (once «Амина», taken for «Амин» in the genitive) would stay undeclined."""
    undeclined = {text for text, forms in russian._table()["forms"].items() if len(set(forms)) == 1}
    assert undeclined == {"Асель", "Марьям", "Нелли", "Бондаренко", "Коваленко", "Кравченко", "Ткаченко",
                          "Шевченко", "Сочи", "Тольятти", "Улан-Удэ"}


@pytest.mark.parametrize(("text", "errors"), [
    ("Передал курьеру Сергей", ["курьеру Сергей"]),
    ("Передал курьеру Сергею", []),
    ("Доставка в Москва завтра", ["в Москва"]),
    ("Доставим в Москву, мы в Москве, едем из Москвы", []),
    ("Доставим в Нижний Новгород или в Сочи", []),
    ("Отправили в г. г. Муром", ["г. г."]),
    ("Заберите карту в Владивостоке, доставим в Фрязино", ["в Вл", "в Фр"]),
    ("Заберите карту во Владивостоке, в Вашем отделении, в Волгограде", []),
    ("Отправили в г. Казань", ["г. Казань"]),
    ("Соединяю с оператором, к оператору Анна", ["оператору Анна"]),
    ("Купил книгу на роман", []),  # a common noun, not the name «Роман»
    ("У вас 5 заказа и 1 рублей", ["5 заказа", "1 рублей"]),
    ("позвонить на +7 (906) 435-48-84 перед приездом, код 12 34 56 перед входом", []),
    ("21 день, за 2 рабочих дня, в течение 1 минуты, с 5 марта 2026 года, к 15 числу, 3 ГБ, 22 минуты", []),
])
def test_grammar_errors(text, errors):
    assert russian.grammar_errors(text) == errors


_RU_DAYS_WITHOUT_DICTIONARIES = """
import sys
from datetime import date
from generators import AccountSpec, ProjectSpec
from generators.export import day_bytes
from generators.scenarios import DOMAINS
account = AccountSpec(7, projects=tuple(
    ProjectSpec(domain.title(), domain=domain, channels=("telegram", "vk", "resterisk"), locale="ru_RU")
    for domain in DOMAINS), sessions_per_day=2000)
size = sum(len(day_bytes(account, day)) for day in (date(2026, 3, 4), date(2026, 3, 7)))
print(size, "pymorphy3" in sys.modules)
"""


def test_generating_russian_days_never_loads_the_dictionaries():
    """Every case of the scenario values and every agreed noun is in the precomputed table: the dictionaries
    (about 25 MB and live parses) stay unloaded however the templates decline them."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", _RU_DAYS_WITHOUT_DICTIONARIES], capture_output=True, text=True,
                            cwd=root, check=True)
    size, loaded = result.stdout.split()
    assert int(size) > 1_000_000  # the days were made
    assert loaded == "False"


@pytest.mark.parametrize(("preposition", "words", "expected"), [
    ("в", "Владивостоке", "во Владивостоке"), ("В", "Францию", "Во Францию"), ("в", "Вьетнам", "во Вьетнам"),
    ("в", "Волгограде", "в Волгограде"), ("в", "Москве", "в Москве"), ("в", "Фрязино", "во Фрязино"),
    ("в", "Великом Новгороде", "в Великом Новгороде"),
])
def test_v_becomes_vo_before_v_or_f_and_a_consonant(preposition, words, expected):
    assert russian.with_preposition(preposition, words) == expected


def test_a_scenario_writes_vo_where_the_city_needs_it():
    """«в {city:loct}» in a scenario file: the value takes the preposition, so Vladivostok gets «во»."""
    from random import Random

    from generators.scenarios import load_scenario
    from generators.text import Facts

    scenario = load_scenario("banking", "ru_RU")
    template = next(text for goal in scenario.goals for step in goal.steps for text in step.reply
                    if "city#loct#в" in text.fields)
    facts = Facts(scenario, Random(1), 1, female=False, agent_female=False, utc_offset=3)
    facts["first_name"], facts["city"] = "Иван", "Владивосток"
    assert "во Владивостоке" in facts.fill(template, False)
    facts = Facts(scenario, Random(1), 1, female=False, agent_female=False, utc_offset=3)
    facts["first_name"], facts["city"] = "Иван", "Казань"
    assert "в Казани" in facts.fill(template, False)
