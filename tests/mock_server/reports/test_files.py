"""Report files: XLSX that openpyxl, pandas and python-calamine read with the right types; CSV in the task's dialect."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from generators import AccountSpec
from mock_server.reports.content import COLUMNS, SESSIONS_COLUMNS, ReportQuery, report_rows
from mock_server.reports.files import write_report
from mock_server.reports.models import ReportSettings, ReportType

ZONE = ZoneInfo("America/New_York")
QUERY = ReportQuery(ReportType.SESSIONS, AccountSpec(77, sessions_per_day=40), datetime(2026, 3, 2, tzinfo=UTC),
                    datetime(2026, 3, 3, tzinfo=UTC), ZONE, seed=3)
TITLES = [column.title for column in SESSIONS_COLUMNS]


@pytest.fixture(scope="module")
def rows() -> list[tuple]:
    return list(report_rows(QUERY))


def write(folder: Path, rows: list[tuple], name: str = "r.xlsx", **settings: object) -> Path:
    path = folder / name
    file_type = "XLSX" if name.endswith(".xlsx") else "CSV"
    written = write_report(path, SESSIONS_COLUMNS, rows, ReportSettings.model_validate({"fileType": file_type,
                                                                                        **settings}))
    assert written == len(rows)
    return path


def test_xlsx_opens_in_openpyxl_with_typed_cells_and_a_frozen_header(tmp_path: Path, rows: list[tuple]) -> None:
    book = openpyxl.load_workbook(write(tmp_path, rows))
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == TITLES
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == len(rows) + 1
    first = [cell.value for cell in sheet[2]]
    assert first[6] == rows[0][6].replace(tzinfo=None)
    assert sheet.cell(2, 7).number_format == "yyyy-mm-dd hh:mm:ss.000"
    assert first[11] == rows[0][11] and isinstance(first[11], int)
    assert first[14] in ("Yes", "No")
    assert sheet.column_dimensions["F"].width >= 40


def test_xlsx_reads_in_pandas_and_calamine_with_dates_and_numbers(tmp_path: Path, rows: list[tuple]) -> None:
    path = write(tmp_path, rows)
    frame = pd.read_excel(path, engine="openpyxl")
    assert list(frame.columns) == TITLES and len(frame) == len(rows)
    assert pd.api.types.is_datetime64_any_dtype(frame["Session start"])
    assert pd.api.types.is_integer_dtype(frame["Phrase count"])
    assert frame["Session start"][0].to_pydatetime() == rows[0][6].replace(tzinfo=None)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Report").to_python()
    assert sheet[0] == TITLES
    assert sheet[1][6] == rows[0][6].replace(tzinfo=None) and sheet[1][11] == rows[0][11]
    assert sheet[1][5] == rows[0][5]


def test_text_that_looks_like_a_formula_or_link_stays_text(tmp_path: Path) -> None:
    row = ("=1+2", "http://example.com", "0042", "c", "n", "s", datetime(2026, 1, 1, tzinfo=UTC),
           datetime(2026, 1, 1, tzinfo=UTC), "=HYPERLINK(\"x\")", "", "00:00:00", 0, "", "", False, "", "")
    sheet = openpyxl.load_workbook(write(tmp_path, [row])).active
    assert [cell.value for cell in sheet[2]][:3] == ["=1+2", "http://example.com", "0042"]
    assert sheet.cell(2, 1).data_type == "s"


def test_xlsx_without_header_starts_with_data(tmp_path: Path, rows: list[tuple]) -> None:
    sheet = openpyxl.load_workbook(write(tmp_path, rows, withHeader=False)).active
    assert sheet.max_row == len(rows) and sheet.cell(1, 6).value == rows[0][5]


def test_csv_follows_delimiter_header_and_date_pattern(tmp_path: Path, rows: list[tuple]) -> None:
    path = write(tmp_path, rows, "r.csv", delimiter=";", dateTimeFormat="dd.MM.yyyy HH:mm XXX")
    text = path.read_bytes().decode("utf-8")
    assert text.count("\r\n") >= len(rows) + 1
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert parsed[0] == TITLES and len(parsed) == len(rows) + 1
    assert parsed[1][6] == rows[0][6].strftime("%d.%m.%Y %H:%M ") + rows[0][6].isoformat()[-6:]
    assert parsed[1][6].endswith(("-05:00", "-04:00"))
    assert parsed[1][11] == str(rows[0][11]) and parsed[1][14] in ("Yes", "No")


def test_csv_without_header_and_with_a_tab(tmp_path: Path, rows: list[tuple]) -> None:
    path = write(tmp_path, rows, "r.csv", delimiter="\t", withHeader=False)
    parsed = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), delimiter="\t"))
    assert len(parsed) == len(rows) and parsed[0][5] == rows[0][5]
    assert parsed[0][6] == rows[0][6].strftime("%Y-%m-%d %H:%M:%S.000")


def test_pandas_reads_the_csv_back(tmp_path: Path, rows: list[tuple]) -> None:
    frame = pd.read_csv(write(tmp_path, rows, "r.csv", delimiter="|"), sep="|", keep_default_na=False)
    assert list(frame["Session ID"]) == [row[5] for row in rows]
    assert list(frame["Phrase count"]) == [row[11] for row in rows]


@pytest.mark.parametrize("name", ["r.xlsx", "r.csv"])
def test_a_write_that_stops_leaves_nothing_and_keeps_the_old_file(tmp_path: Path, rows: list[tuple],
                                                                    name: str) -> None:
    target = tmp_path / name
    target.write_bytes(b"old")
    seen: list[int] = []

    def cancel(count: int) -> None:
        seen.append(count)
        raise RuntimeError("cancelled")

    settings = ReportSettings.model_validate({"fileType": "XLSX" if name.endswith("xlsx") else "CSV"})
    with pytest.raises(RuntimeError):
        write_report(target, SESSIONS_COLUMNS, rows, settings, on_progress=cancel, progress_every=5)
    assert seen == [5]
    assert target.read_bytes() == b"old"
    assert sorted(path.name for path in tmp_path.iterdir()) == [name]


def test_progress_reports_running_counts_and_the_total(tmp_path: Path, rows: list[tuple]) -> None:
    counts: list[int] = []
    write_report(tmp_path / "r.csv", SESSIONS_COLUMNS, rows, ReportSettings(file_type="CSV"),
                 on_progress=counts.append, progress_every=10)
    assert counts == [*range(10, len(rows) + 1, 10), *([len(rows)] if len(rows) % 10 else [])]


def test_every_report_type_writes_an_xlsx_that_reads_back(tmp_path: Path) -> None:
    for report_type in (ReportType.MESSAGES, ReportType.CLIENTS):
        query = ReportQuery(report_type, QUERY.account, QUERY.start, QUERY.start + timedelta(hours=12), ZONE, seed=3)
        rows = list(report_rows(query))
        path = tmp_path / f"{report_type.value}.xlsx"
        write_report(path, COLUMNS[report_type], rows, ReportSettings(file_type="XLSX"))
        frame = pd.read_excel(path, engine="calamine")
        assert list(frame.columns) == [column.title for column in COLUMNS[report_type]] and len(frame) == len(rows)
