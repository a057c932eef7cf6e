"""The committed fixtures reproduce byte for byte, and each shows what fixtures/README.md says it shows."""

from __future__ import annotations

import re

import pytest

from generators import samples
from generators.csvformat import read_records
from generators.validate import validate_file


@pytest.mark.parametrize(("name", "data", "rows"), list(samples.outputs()), ids=lambda value: str(value)[:40])
def test_remaking_reproduces_the_committed_file(name: str, data: bytes, rows: int | None) -> None:
    committed = samples.DEFAULT_OUT / name
    assert committed.is_file(), f"{name} is missing: run python -m generators.samples"
    assert committed.read_bytes() == data, f"{name} is stale: run python -m generators.samples"


def test_check_mode_reports_a_stale_file(tmp_path, capsys) -> None:
    assert samples.main(["--out", str(tmp_path)]) == 0
    (tmp_path / "dialect_bom.csv").write_bytes(b"changed")
    assert samples.main(["--out", str(tmp_path), "--check"]) == 1
    assert "dialect_bom.csv" in capsys.readouterr().err


@pytest.mark.parametrize("sample", samples.SAMPLES, ids=lambda sample: sample.name)
def test_every_fixture_passes_the_validator(sample: samples.Sample) -> None:
    report = validate_file(samples.DEFAULT_OUT / sample.name, day=sample.day)
    assert report.ok, [str(problem) for problem in report.problems]


def _records(name: str):
    return read_records((samples.DEFAULT_OUT / name).read_bytes())


def test_quiet_day_is_the_header_only() -> None:
    assert (samples.DEFAULT_OUT / "quiet_day.csv").read_bytes().count(b"\r\n") == 1
    assert _records("quiet_day.csv") == []


def test_multi_day_sample_holds_only_sessions_begun_earlier() -> None:
    records = _records("multi_day_sessions.csv")
    assert records
    per_session: dict[str, int] = {}
    for record in records:
        assert record.session_start_time.date() < samples.DAY
        per_session[record.session_id] = per_session.get(record.session_id, 0) + 1
    assert any(record.session_questions_count > per_session[record.session_id] for record in records)


def test_transfer_sample_has_agents_and_no_operator_fallbacks() -> None:
    records = _records("transfers_and_no_operators.csv")
    assert any(record.msg_switched for record in records)
    assert any(record.msg_operator for record in records)
    assert any(record.msg_question == "livechatFinished" for record in records)
    assert any(record.state_after == "/CatchAll/Switch/NoOperatorsOnline" for record in records)


def test_adversarial_sample_carries_hostile_text_through_the_reader() -> None:
    texts = [field for record in _records("adversarial_text.csv")
             for field in (record.msg_question, record.msg_answer, record.client_name, record.msg_comment)]
    for snippet in (";", '"', "\r\n", "\t", "\u202e", "e\u0301"):
        assert any(snippet in text for text in texts), snippet


def test_dialect_samples_differ_only_in_their_option() -> None:
    plain = _records("normal_day_en_US.csv")
    for name in ("dialect_quote_all.csv", "dialect_bom.csv", "dialect_lf.csv", "dialect_channel_ids.csv"):
        assert _records(name) == plain, name
    assert (samples.DEFAULT_OUT / "dialect_bom.csv").read_bytes().startswith("\ufeff".encode())
    assert b"\r\n" not in (samples.DEFAULT_OUT / "dialect_lf.csv").read_bytes()
    assert b";Telegram;" not in (samples.DEFAULT_OUT / "dialect_channel_ids.csv").read_bytes()


def test_regenerated_version_holds_the_original_dialogs_plus_late_ones() -> None:
    first = _records("regenerated_v1.csv")
    second = _records("regenerated_v2.csv")
    assert set(first) < set(second)
    assert {record.session_id for record in second} - {record.session_id for record in first}


def test_day_and_month_differ_sample_reads_as_the_fifth_of_january() -> None:
    records = _records("day_and_month_differ_ru_RU.csv")
    assert records and all((record.msg_rt.day, record.msg_rt.month) == (5, 1) for record in records)
    months = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    answers = [record.msg_answer for record in records if "гаранти" not in record.msg_answer]  # months ahead
    quoted = re.findall(rf"\b\d{{1,2}} ({months})", " ".join(answers))
    assert quoted and set(quoted) <= {"декабря", "января", "февраля"}  # near 5 January, never near 1 May
