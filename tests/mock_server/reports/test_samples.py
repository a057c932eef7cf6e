"""The committed report samples reproduce byte for byte (XLSX included: its one timestamp is fixed), and each is
the report it says it is."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from mock_server.reports import samples
from mock_server.reports.content import COLUMNS, report_rows


@pytest.mark.parametrize(("name", "data", "rows"), list(samples.outputs()), ids=lambda value: str(value)[:40])
def test_remaking_reproduces_the_committed_file(name, data, rows):
    committed = samples.REPORTS_OUT / name
    assert committed.is_file(), f"{name} is missing: run python -m mock_server.reports.samples"
    assert committed.read_bytes() == data, f"{name} is stale: run python -m mock_server.reports.samples"


def test_check_mode_reports_a_stale_file(tmp_path, capsys):
    assert samples.main(["--out", str(tmp_path)]) == 0
    (tmp_path / "sessions_en_US.xlsx").write_bytes(b"changed")
    assert samples.main(["--out", str(tmp_path), "--check"]) == 1
    assert "sessions_en_US.xlsx" in capsys.readouterr().err


@pytest.mark.parametrize("sample", [item for item in samples.SAMPLES if item.name.endswith(".xlsx")],
                         ids=lambda sample: sample.name)
def test_xlsx_samples_hold_the_reports_rows(sample):
    sheet = openpyxl.load_workbook(samples.REPORTS_OUT / sample.name, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [column.title for column in COLUMNS[sample.report_type]]
    assert len(rows) - 1 == sum(1 for _ in report_rows(sample.query())) > 0


def test_the_messages_sample_is_semicolon_separated_in_moscow_time():
    text = (samples.REPORTS_OUT / "messages_ru_RU.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    moment = rows[0].index("Message time")
    first = next(report_rows(samples.SAMPLES[2].query()))
    assert rows[1][moment] == first[moment].strftime("%d.%m.%Y %H:%M:%S")
    assert first[moment].utcoffset().total_seconds() == 3 * 3600
