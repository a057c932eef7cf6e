"""``jaicp-mock stats``: the profile's measures and each text-quality count at its edges."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from generators import stats
from generators.csvformat import LogRecord, rows_to_bytes
from generators.schema import format_datetime
from mock_server.cli import main as cli_main

DAY = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
TRANSFERRED = "Transferred to an agent"
NO_AGENTS = "No agents online"
SATISFIED = "Customer was satisfied"
DONE = "The request has been fulfilled"


def record(session: str = "s1", question: str = "where is my order", answer: str = "It is on its way.", *,
           at: float = 0, channel: str = "telegram", client: str = "telegram-1-bot-1-u1", name: str = "Martha",
           tag: str = "", state: str = "/Order/Status", switched: bool = False, operator: bool = False,
           comment: str = "", tags: str = "", start: datetime = DAY) -> LogRecord:
    moment = start + timedelta(seconds=at)
    return LogRecord(session, start, start + timedelta(hours=1), 1, tag, channel, "bot", client, name, "Demo",
                     moment, question, answer, "/", state, switched, operator, comment, tags)


def quality(*records: LogRecord, utc_offset: int | None = None) -> stats.Quality:
    return stats.profile_records(records, utc_offset=utc_offset).quality


def test_distribution_edges():
    assert stats.Distribution.of([]) == stats.Distribution(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    single = stats.Distribution.of([5])
    assert (single.p10, single.p50, single.p95, single.max, single.count) == (5, 5, 5, 5, 1)
    hundred = stats.Distribution.of(list(range(1, 101)))
    assert (hundred.p10, hundred.p50, hundred.p90, hundred.p95, hundred.max) == (11, 51, 91, 96, 100)


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=300))
def test_distribution_is_ordered(values):
    dist = stats.Distribution.of(values)
    event("one value" if len(set(values)) == 1 else "several values")
    assert min(values) <= dist.p10 <= dist.p50 <= dist.p90 <= dist.p95 <= dist.max == max(values)
    assert min(values) <= dist.mean <= max(values)


def test_profile_counts_sessions_clients_days_and_phrases():
    tomorrow = DAY + timedelta(days=1)
    records = [
        record("a", "/start", "Hi!", at=0), record("a", "where is my order", at=30),
        record("a", "blorp", "Sorry?", at=50, state="/CatchAll"),
        record("b", "where is my order", at=100, channel="resterisk", client="resterisk-1-bot-1-12125550123",
               name=""),
        record("c", "blah", "Sorry?", at=10, start=tomorrow, state="/CatchAll"),  # client u1 returns
        record("d", " ".join(["word"] * 15), at=20, start=tomorrow, client="telegram-1-bot-1-u2"),
        record("d", "blah", "Sorry?", at=40, start=tomorrow, client="telegram-1-bot-1-u2", state="/CatchAll"),
    ]
    profile = stats.profile_records(records, ["x.csv"])
    assert (profile.rows, profile.sessions, profile.clients) == (7, 4, 3)
    assert profile.returning_clients == 1 and profile.returning_share == pytest.approx(1 / 3, abs=1e-4)
    assert profile.sessions_per_day == {"2026-03-03": 2, "2026-03-04": 2}
    assert profile.channels == {"telegram": 0.75, "resterisk": 0.25}
    assert profile.hourly_rows[12] == 7 and sum(profile.hourly_rows) == 7
    assert profile.client_rows == 6  # /start is an event
    assert profile.once_only_share == pytest.approx(2 / 6, abs=1e-4)  # "blorp" and the 15-word phrase
    assert profile.long_phrase_share == pytest.approx(1 / 6, abs=1e-4)
    assert (profile.catch_all_rows, profile.catch_all_distinct_share) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert profile.distinct_per_window is None
    assert profile.session_phrases.max == 2 and profile.chat_turn_gap.count == 3
    assert "x.csv" in stats.render(profile)


def test_distinct_phrases_per_window():
    records = [record(f"s{index}", f"phrase {index % 500}", at=index) for index in range(4_000)]
    assert stats.profile_records(records).distinct_per_window == 500


def test_transfers_queue_wait_and_no_operators():
    records = [
        record("a", "agent please", "Connecting you.", at=0, switched=True, state="/Operator/Switch"),
        record("a", "hello??", "Hi, Andrea here.", at=300, operator=True, state="/Operator/Switch"),
        record("b", "agent", "Nobody is online.", at=0, state="/CatchAll/Switch/NoOperatorsOnline"),
    ]
    profile = stats.profile_records(records)
    assert profile.transfer_share == 0.5 and profile.no_operators_share == 0.5
    assert profile.queue_wait.p50 == 300
    assert profile.catch_all_rows == 0  # NoOperatorsOnline is not the fallback


def test_chat_only_wording_counts_on_the_phone_line_only():
    phone = {"channel": "resterisk", "client": "resterisk-1-bot-1-12125550123", "name": ""}
    found = quality(record("a", "balance", "Please tap the button below.", **phone),
                    record("b", "balance", "Скажите «да» или «нет».", **phone),
                    record("c", "баланс", "Нажмите 1, чтобы продолжить", **phone),
                    record("d", "balance", "Here you go 👍", **phone),
                    record("e", "balance", "Please tap the button below."))
    assert (found.phone_rows, found.phone_chat_only) == (4, 3)


def test_placeholder_leaks():
    found = quality(record("a", answer="Your balance is {balance}."), record("b", answer="Я [хотел|хотела] бы"),
                    record("c", answer="Braces {} and [1] are text"), record("d", comment="{x}"))
    assert found.placeholder_leaks == 3


@pytest.mark.parametrize(("label", "rows", "contradicted"), [
    (NO_AGENTS, [{"state": "/CatchAll/Switch/NoOperatorsOnline"}], False),
    (NO_AGENTS, [{"state": "/CatchAll/Switch/NoOperatorsOnline"}, {"operator": True}], True),
    (NO_AGENTS, [{}], True),
    (TRANSFERRED, [{"switched": True}, {"operator": True}], False),
    (TRANSFERRED, [{"switched": True}], False),  # a call put through leaves the log
    (TRANSFERRED, [{}], True),
    (DONE, [{"switched": True}], True),
    (SATISFIED, [{"operator": True}, {"question": "livechatFinished"}], False),
    (SATISFIED, [{"operator": True}], True),
    (DONE, [{}], False),
    (DONE, [{"operator": True}], True),
])
def test_labels_follow_what_happened(label, rows, contradicted):
    found = quality(*(record("s", tag=label, at=index, **fields) for index, fields in enumerate(rows)))
    assert found.labelled_sessions == 1
    assert found.contradicting_labels == int(contradicted)


def test_a_session_whose_label_changes_between_rows_is_counted():
    found = quality(record("s", tag=DONE, at=0), record("s", tag=TRANSFERRED, at=5, operator=True),
                    record("t", tag=DONE, at=0), record("t", tag=DONE, at=5), record("u", at=0))
    assert found.label_changes == 1
    assert found.contradicting_labels == 1  # "done" with an agent in the session


def test_labels_no_scenario_declares_are_not_judged():
    found = quality(record("s", tag="Something else entirely"))
    assert (found.unknown_labels, found.contradicting_labels) == (1, 0)


def test_asr_comments_belong_on_the_phone_line():
    asr = sorted(stats.scenario_kinds()[1])[0]
    phone = {"channel": "resterisk", "client": "resterisk-1-bot-1-12125550123", "name": ""}
    assert quality(record("a", comment=asr), record("b", comment=asr, **phone)).asr_comments_off_phone == 1


@pytest.mark.parametrize(("name", "question", "answers", "foreign"), [
    ("Martha", "my email is mk@example.org", ["Sent to mk@example.org."], 0),
    ("Martha", "my email is mk@example.org", ["Sent to walker@hotmail.com."], 1),
    ("Martha", "hi", ["Sent to walkersergio@hotmail.com."], 1),
    ("Danielle", "hi", ["Sent to dmckinney@gmail.com."], 0),  # initial + a surname not shown
    ("Danielle McKinney", "hi", ["Sent to dwalker@gmail.com."], 1),
    ("Anthony K.", "hi", ["Sent to akeller@gmail.com."], 0),
    ("Lauren", "hi", ["Sent to gutierrezl61@gmail.com."], 0),
    ("Martha", "hi", ["Sent to martha.king84@gmail.com.", "Again to martha.king84@gmail.com."], 0),
    ("Martha", "hi", ["Sent to martha.king84@gmail.com.", "And to martha.k@yahoo.com."], 1),
    ("Тоха", "привет", ["Отправили на lebedev.anton@mail.ru."], 0),
    ("Ольга Смирнова", "привет", ["Отправили на smirnova.olga@yandex.ru."], 0),
    ("", "hi", ["Sent to anyone@gmail.com."], 0),
    ("Martha", "hi", ["Write to support@northwind.com."], 0),
])
def test_quoted_emails_are_the_clients_own(name, question, answers, foreign):
    rows = [record("s", question, "ok", at=0, name=name),
            *(record("s", "and?", answer, at=index + 1, name=name) for index, answer in enumerate(answers))]
    found = quality(*rows)
    assert found.foreign_emails == foreign
    assert found.quoted_emails == sum(1 for answer in answers if "support@" not in answer)


@pytest.mark.parametrize(("channel", "client", "answers", "foreign"), [
    ("whatsapp", "whatsapp-1-bot-1-16176996318", ["Texted +1 (617) 699-6318."], 0),
    ("whatsapp", "whatsapp-1-bot-1-16176996318", ["Texted +1 (917) 810-4655."], 1),
    ("resterisk", "resterisk-1-bot-1-79161234567", ["Отправили СМС на +7 (916) 123-45-67."], 0),
    ("telegram", "telegram-1-bot-1-u1", ["Texted +1 (917) 810-4655.", "Again +1 (917) 810-4655."], 0),
    ("telegram", "telegram-1-bot-1-u1", ["Texted +1 (917) 810-4655.", "Also +1 (312) 391-1183."], 1),
    ("whatsapp", "whatsapp-1-bot-1-16176996318", ["Call us at +1 (800) 123-4567."], 0),
    ("whatsapp", "whatsapp-1-bot-1-16176996318", ["Parcel 9400 1118 9922 3197 4284 90 is out."], 0),
])
def test_quoted_phones_are_the_clients_own(channel, client, answers, foreign):
    found = quality(*(record("s", "and?", answer, at=index, channel=channel, client=client)
                      for index, answer in enumerate(answers)))
    assert found.foreign_phones == foreign


@pytest.mark.parametrize(("answer", "offset", "future"), [
    ("Locked as of 7:00.", None, 0),  # 12:00 UTC is 07:00 in New York
    ("Locked as of 07:01.", None, 1),
    ("Locked as of 06:59.", None, 0),
    ("Locked as of 18:59.", None, 1),
    ("Locked as of 19:00.", None, 0),  # 12 hours ahead: a time of the day before, not the future
    ("Баланс по состоянию на 15:00: 100 ₽", None, 0),  # 12:00 UTC is 15:00 in Moscow
    ("Баланс по состоянию на 15:30: 100 ₽", None, 1),
    ("Locked as of 12:00.", 0, 0),
])
def test_as_of_times_are_never_later_than_the_phrase(answer, offset, future):
    found = quality(record(answer=answer), utc_offset=offset)
    assert (found.now_quotes, found.now_in_future) == (1, future)


@pytest.mark.parametrize(("question", "answer", "wrong"), [
    ("where is my order", "Your order was shipped on March 20.", 1),     # DAY is March 3: shipped in the future
    ("where is my order", "Your order was shipped on March 2.", 0),
    ("where is my order", "Your order was shipped on March 3.", 0),      # today is neither past nor future
    ("where is my order", "It should arrive by February 27.", 1),        # to come, but already gone
    ("where is my order", "It will be delivered on March 9.", 0),        # "be" outweighs the participle
    ("where is my card", "The payment due February 20 was missed.", 0),  # "was" after the date says past
    ("where is my card", "Good news: it's covered until September 23.", 0),  # this year's, not last year's
    ("i was charged on March 12", "Let me check.", 1),                   # the client's words are read too
    ("где посылка", "Посылка отправлена 20 марта.", 1),
    ("где посылка", "Доставим до 2 марта.", 1),
    ("где посылка", "Доставим до 5 марта.", 0),
    ("где посылка", "Работаем, кроме 31 декабря (до 18:00) и 1 января.", 0),  # no cue for these dates
])
def test_dates_said_in_the_wrong_tense(question, answer, wrong):
    found = quality(record(question=question, answer=answer))
    assert found.tensed_dates >= 1 or wrong == 0
    assert found.wrong_tense_dates == wrong


@pytest.mark.parametrize(("before", "reply", "unasked"), [
    ("Shall I lock it?", "yes", 0),
    ("Done. Your card is locked.", "yep", 1),
    ("Please say yes or no.", "yes", 0),
    ("Скажите «да» или «нет».", "да", 0),
    ("Готово.", "ага!", 1),
    ("Done.", "yes please lock the other one too", 0),  # not a bare yes
])
def test_a_bare_yes_follows_a_question(before, reply, unasked):
    found = quality(record("s", "lock my card", before, at=0), record("s", reply, "ok", at=5))
    assert found.unasked_yes == unasked


def test_russian_agreement_errors_in_replies():
    found = quality(record("a", answer="Передал заказ курьеру Сергей."), record("b", answer="У вас 5 заказа."),
                    record("c", answer="Передал заказ курьеру Сергею, у вас 5 заказов."),
                    record("d", "У меня 5 заказа", "Понял."))  # the client's own words are not judged
    assert found.russian_errors == 2


def _write(path, records):
    rows = [(r.session_id, format_datetime(r.session_start_time), format_datetime(r.session_end_time),
             str(r.session_questions_count), r.session_tag, r.channel_type, r.channel_name, r.client_id,
             r.client_name, r.project_name, format_datetime(r.msg_rt), r.msg_question, r.msg_answer, r.state_before,
             r.state_after, str(r.msg_switched).lower(), str(r.msg_operator).lower(), r.msg_comment, r.msg_tags)
            for r in records]
    path.write_bytes(rows_to_bytes(rows))
    return path


def test_cli_prints_a_profile_and_json(tmp_path, capsys):
    folder = tmp_path / "days"
    folder.mkdir()
    _write(folder / "03-03-2026.csv", [record("a"), record("b", answer="as of 9:30, shipped on March 20")])
    _write(folder / "04-03-2026.csv", [record("c", start=DAY + timedelta(days=1))])
    assert cli_main(["stats", str(folder)]) == 0
    text = capsys.readouterr().out
    assert "sessions 3" in text and "text quality" in text and "dates said in the wrong tense        1 of 1" in text
    assert cli_main(["stats", str(folder / "03-03-2026.csv"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sessions"] == 2 and data["quality"]["now_in_future"] == 1
    assert (data["quality"]["tensed_dates"], data["quality"]["wrong_tense_dates"]) == (1, 1)
    assert stats.main([str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["returning_clients"] == 1


@pytest.mark.parametrize("make", ["missing", "empty folder", "not an export"])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make):
    path = {"missing": tmp_path / "nope.csv", "empty folder": tmp_path, "not an export": tmp_path / "x.csv"}[make]
    if make == "not an export":
        path.write_text("hello;world\n", encoding="utf-8")
    assert cli_main(["stats", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and str(path) in captured.err and "Traceback" not in captured.err
