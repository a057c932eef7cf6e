"""The long tail of client text: composed phrases, typos, speech-recognition noise, off-topic, complaints."""

from __future__ import annotations

import re
from random import Random

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from generators import talk

LOCALES = ("en_US", "ru_RU")
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
CORES = {
    "en_US": ["Where is my order?", "I want to block my card.", "How much is the Unlimited Plus plan?",
              "My order 48213377 never arrived, email me at mary.jones84@gmail.com"],
    "ru_RU": ["Где мой заказ?", "Хочу заблокировать карту.", "Сколько стоит тариф за 500 рублей?",
              "Заказ 48213377 так и не пришёл, напишите на anna.petrova@mail.ru"],
}


def _voice_texts(data: talk.Talk) -> list[str]:
    return [*data.voice_openers, *data.voice_closers, *data.voice_off_topic, *data.asr_fillers,
            *(heard for options in data.asr_confusions.values() for heard in options),
            *(text for key, texts in data.complaint.items() if key.startswith("voice_") for text in texts)]


@pytest.mark.parametrize("locale", LOCALES)
def test_phone_material_has_no_chat_only_wording_or_emoji(locale):
    for text in _voice_texts(talk.load_talk(locale)):
        assert talk.chat_only(text, locale) is None, text
        assert not EMOJI.search(text), text


@pytest.mark.parametrize(("text", "locale", "found"), [
    ("Please tap the button below", "en_US", "tap"),
    ("Type your order number", "en_US", "Type"),
    ("see https://example.com", "en_US", "https://"),
    ("a typical question about my plan", "en_US", None),
    ("Напишите номер заказа", "ru_RU", "Напишите"),
    ("нажмите кнопку", "ru_RU", "нажмите"),
    ("перейдите по ссылке", "ru_RU", "ссылке"),
    ("Вас приветствует чат-бот", "ru_RU", "чат"),
    ("Скажите «да» или «нет»", "ru_RU", None),
])
def test_chat_only(text, locale, found):
    assert talk.chat_only(text, locale) == found


@settings(max_examples=300)
@given(st.integers(0, 2**32), st.sampled_from(LOCALES), st.integers(0, 3))
def test_compose_is_deterministic_and_keeps_values(seed, locale, which):
    core = CORES[locale][which]
    text = talk.compose(Random(seed), core, locale)
    assert text == talk.compose(Random(seed), core, locale)
    for value in re.findall(r"\S*[\d@]\S*", core):
        assert value.rstrip(".,?") in text
    event("changed" if text != core else "unchanged")
    assert text.strip() and "{" not in text


@settings(max_examples=300)
@given(st.integers(0, 2**32), st.sampled_from(LOCALES), st.integers(0, 2))
def test_compose_for_the_phone_reads_like_a_transcript(seed, locale, which):
    text = talk.compose(Random(seed), CORES[locale][which], locale, voice=True)
    assert text == text.lower()
    assert not re.search(r"[.!?;:\"«»]", text)
    assert not EMOJI.search(text)
    assert talk.chat_only(text, locale) is None
    event("recognition noise" if text.replace(",", "") not in CORES[locale][which].lower() else "clean")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_compose_reaches_each_of_its_moves():
    rng = Random(1)
    texts = [talk.compose(rng, "Where is my order?", "en_US", greet=True, ending=talk.REQUEST)
             for _ in range(2_000)]
    assert any(text.startswith(("hi", "hello", "hey", "quick question", "um so")) for text in texts)
    assert any(text.endswith(("pls", "??", "asap")) for text in texts)
    assert any(text.startswith("where") for text in texts)
    data = talk.load_talk("en_US")
    vocabulary = {word for text in ["Where is my order", *data.openers, *data.closers[talk.REQUEST],
                                    *data.casual.words.values()] for word in _words(text)}
    assert any(set(_words(text)) - vocabulary for text in texts)  # a typo
    assert len(set(texts)) > 40


@pytest.mark.parametrize("locale", LOCALES)
def test_typo_changes_one_word_by_one_slip(locale):
    rng = Random(3)
    core = CORES[locale][1].rstrip(".")
    for _ in range(300):
        slipped = talk.typo(rng, core, locale)
        before, after = core.split(" "), slipped.split(" ")
        assert len(before) == len(after)
        changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
        assert len(changed) == 1
        old, new = changed[0]
        assert abs(len(old) - len(new)) <= 1


def test_typo_leaves_values_and_short_words_alone():
    assert talk.typo(Random(0), "ok 48213377 anna@mail.ru", "en_US") == "ok 48213377 anna@mail.ru"
    assert talk.typo(Random(0), "Sarah", "en_US") == "Sarah"


def test_asr_noise_numbers_and_confusions():
    rng = Random(2)
    heard = [talk.asr_noise(rng, "мой код 45, подключите к 15 числу", "ru_RU") for _ in range(400)]
    assert any("сорок пять" in text for text in heard)
    assert not any("пятнадцат" in text for text in heard)  # «к пятнадцати» needs a case it cannot write
    assert any("кот" in text for text in heard)
    assert all(text == text.lower() and "." not in text for text in heard)
    rng = Random(2)
    us = [talk.asr_noise(rng, "I paid 45 dollars for 2 cards, code 4821", "en_US") for _ in range(400)]
    assert any("forty five" in text for text in us) and all("4821" in text for text in us)


def test_asr_noise_never_spells_digits_inside_a_token():
    rng = Random(5)
    heard = [talk.asr_noise(rng, "ул. Ленина, д. 76к3, кв. 12", "ru_RU") for _ in range(400)]
    assert all("76к3" in text for text in heard)  # a house number is read out as it is written
    assert any("двенадцать" in text for text in heard)  # while a number on its own is spoken


def test_spoken_numbers():
    assert talk.spoken_number(21, "en_US") == "twenty one"
    assert talk.spoken_number(21, "ru_RU") == "двадцать один"
    assert talk.spoken_number(1500, "en_US") == "one thousand five hundred"


@pytest.mark.parametrize("locale", LOCALES)
def test_off_topic_is_varied_and_filled(locale):
    rng = Random(9)
    lines = [talk.off_topic(rng, locale) for _ in range(1_000)]
    assert all("{" not in line and line for line in lines)
    assert len(set(lines)) / len(lines) >= 0.6
    voice = [talk.off_topic(rng, locale, voice=True) for _ in range(100)]
    assert all(talk.chat_only(line, locale) is None and not EMOJI.search(line) for line in voice)


def test_off_topic_cities_are_declined_in_russian():
    rng = Random(4)
    lines = [talk.off_topic(rng, "ru_RU") for _ in range(3_000)]
    assert any(re.search(r"в (Москве|Санкт-Петербурге|Новосибирске|Казани|Екатеринбурге)\b", line) for line in lines)
    assert not any(re.search(r"в (Москва|Самара|Уфа)\b|погоду в Казань", line) for line in lines)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("voice", [False, True])
def test_long_complaints_have_fifteen_words_or_more(locale, voice):
    rng = Random(5)
    core = CORES[locale][0]
    for _ in range(200):
        text = talk.long_complaint(rng, core, locale, voice=voice)
        assert len(text.split()) >= talk.COMPLAINT_MIN_WORDS
        assert core.lower().rstrip("?.").split()[-1] in text.lower()
        if voice:
            assert talk.chat_only(text, locale) is None and text == text.lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_gibberish_is_short_noise(locale):
    rng = Random(6)
    mashes = [talk.gibberish(rng, locale) for _ in range(500)]
    assert all((0 < len(mash) <= 12 and " " not in mash.strip()) or mash in talk.load_talk(locale).noise
               for mash in mashes)
    assert len(set(mashes)) > 150


def test_unknown_locale_is_named():
    with pytest.raises(ValueError, match="de_DE"):
        talk.load_talk("de_DE")


@pytest.mark.parametrize(("locale", "text", "amounts", "dates"), [
    ("en_US", "I paid $1,250.00 on March 7, order 12,345",
     {"1250", "$1250", "1250 dollars", "1250$", "1250 bucks", "$1250.00"},
     {"3/7", "March 7th", "Mar 7", "the 7th", "03/07", "March 7"}),
    ("ru_RU", "Оплатил 1 250 ₽ 7 марта, заказ 12 345",
     {"1250", "1250р", "1250 р", "1250 руб", "1250 рублей", "1250₽", "1250,00"},
     {"7.03", "07.03", "7-го", "7 марта", "7го"}),
])
def test_casual_values_rewrite_amounts_and_dates_only(locale, text, amounts, dates):
    rng = Random(1)
    seen_amounts, seen_dates = set(), set()
    for _ in range(400):
        casual = talk.casual_values(rng, text, locale)
        assert casual.endswith("12,345" if locale == "en_US" else "12 345")  # not an amount: left alone
        found_amount = next(form for form in sorted(amounts, key=len, reverse=True) if form in casual)
        found_date = next(form for form in sorted(dates, key=len, reverse=True) if form.lower() in casual.lower())
        seen_amounts.add(found_amount)
        seen_dates.add(found_date)
    assert seen_amounts == amounts and seen_dates == dates


def test_rubles_agree_with_the_amount():
    rng = Random(2)
    forms = {talk.casual_values(rng, "за 21 ₽ и 3 ₽", "ru_RU") for _ in range(300)}
    assert "за 21 рубль и 3 рубля" in forms


@pytest.mark.parametrize(("core", "locale", "ending", "worded"), [
    ("cancel my order pls", "en_US", talk.REQUEST, r"pls|please|asap"),
    ("ok thanks", "en_US", talk.CLOSING, r"thanks|thank you|thx|ty|bye"),
    ("отмените заказ, пожалуйста", "ru_RU", talk.REQUEST, r"пожалуйста|срочно|помогите|жду ответа"),
    ("спасибо, всё понятно", "ru_RU", talk.CLOSING, r"спасибо|спс|благодарю|до свидания"),
])
def test_a_phrase_that_already_says_please_or_thanks_gets_no_second(core, locale, ending, worded):
    rng = Random(4)
    pattern = re.compile(rf"(?<!\w)(?:{worded})(?!\w)", re.IGNORECASE)
    texts = [talk.compose(rng, core, locale, ending=ending) for _ in range(3000)]
    assert all(len(pattern.findall(text)) <= 1 for text in texts), [t for t in texts if len(pattern.findall(t)) > 1]
    fresh = [talk.compose(rng, "where is it", "en_US", ending=ending) for _ in range(1000)]
    assert sum(bool(re.search(r"[a-z]+$", text) and text.count(" ") > 2) for text in fresh) > 30  # closers added


@pytest.mark.parametrize("locale", LOCALES)
def test_a_phrase_ending_in_an_emoji_gets_no_full_stop_or_closer_after_it(locale):
    core = {"en_US": "password not working 😤", "ru_RU": "промокод не применяется 🙄"}[locale]
    rng = Random(8)
    texts = [talk.compose(rng, core, locale, ending=talk.REQUEST) for _ in range(1000)]
    texts += [talk.long_complaint(rng, core, locale) for _ in range(300)]
    after = re.compile(r"[😤🙄](?:[.,!?]| (?:pls|please|asap|\?\?|пожалуйста|срочно|помогите|жду))")
    assert not [text for text in texts if after.search(text)]
    assert sum(len(text.split()) >= talk.COMPLAINT_MIN_WORDS for text in texts) >= 300  # the complaints grew
