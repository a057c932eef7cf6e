"""``jaicp-mock report`` as a function: files that agree with the report rows, and one clear line per bad flag."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from mock_server.config import demo_config
from mock_server.reports.cli import parse_filter, report_main
from mock_server.reports.content import ReportQuery, count_rows
from mock_server.reports.models import FilterKey, ReportType

SESSIONS = ["--type", "sessions", "--from", "2026-03-02", "-o", "x.csv"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = report_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sessions_xlsx_has_the_rows_of_the_same_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sessions.xlsx"
    code, out, err = run(capsys, "--type", "sessions", "--from", "2026-03-02", "--to", "2026-03-03",
                         "--filter", "TRANSFER_TO_OPERATOR=yes", "--tz", "+03:00", "-o", str(target))
    assert (code, err) == (0, "")
    config = demo_config()
    query = ReportQuery(ReportType.SESSIONS, config.accounts[0].spec(), datetime(2026, 3, 2, tzinfo=UTC),
                        datetime(2026, 3, 4, tzinfo=UTC), filters=(parse_filter("TRANSFER_TO_OPERATOR=YES"),),
                        seed=config.seed)
    expected = count_rows(query)
    sheet = openpyxl.load_workbook(target).active
    assert sheet.max_row == expected + 1 and expected > 0
    assert {row[14] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"Yes"}
    assert f"wrote {expected:,} rows" in out


def test_daily_csv_with_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "day.csv"
    code, _, err = run(capsys, "--type", "daily", "--from", "2026-03-02", "--account", "7654321", "--delimiter", ";",
                       "--no-header", "--date-format", "dd.MM.yyyy HH:mm:ss", "-o", str(target))
    assert (code, err) == (0, "")
    rows = list(csv.reader(target.open(encoding="utf-8", newline=""), delimiter=";"))
    assert rows and rows[0][0] != "Project" and rows[0][6].startswith(("02.03.2026", "03.03.2026"))


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--from", "2026-03-02", "-o", "x.csv"], "the following arguments are required: --type"),
    (["--type", "weekly", "--from", "2026-03-02", "-o", "x.csv"],
     "argument --type: invalid choice: 'weekly' (choose from 'sessions', 'messages', 'clients', 'daily')"),
    (["--type", "sessions", "--from", "2026-13-02", "-o", "x.csv"], "argument --from: expected a day YYYY-MM-DD"),
    (["--type", "sessions", "--from", "2026-03-02", "-o", "x.xls"], "must end in .xlsx or .csv"),
    ([*SESSIONS, "--tz", "Mars/Base"],
     "argument --tz: 'Mars/Base' is not a time zone"),
    ([*SESSIONS, "--filter", "COLOUR=red"],
     "--filter: expected KEY=VALUE with KEY one of SESSION_START_TIME"),
    ([*SESSIONS, "--filter", "MESSAGE_COUNT=5..2"],
     "--filter MESSAGE_COUNT: the range of MESSAGE_COUNT is empty or reversed"),
    ([*SESSIONS, "--filter", "MESSAGE_COUNT=5"],
     "--filter MESSAGE_COUNT: expected FROM..TO"),
    ([*SESSIONS, "--filter", "CHANNEL_TYPE=fax"],
     "'fax' is not an option of CHANNEL_TYPE; accepted: telegram"),
    ([*SESSIONS, "--delimiter", ";;"],
     "--delimiter: the delimiter must be exactly one character"),
    ([*SESSIONS, "--date-format", "yyyy-MM-ddTHH"],
     "--date-format: 'yyyy-MM-ddTHH' is not a usable Java date-time pattern: unsupported pattern "
     "letter 'T'"),
    (["--type", "sessions", "--from", "2026-03-03", "--to", "2026-03-01", "-o", "x.csv"],
     "--from/--to: a report period must be longer than zero"),
    (["--type", "daily", "--from", "2026-03-02", "--to", "2026-03-03", "-o", "x.csv"],
     "--type daily: give one day with --from"),
    ([*SESSIONS, "--account", "99"],
     "--account: no account 99 in the configuration; accounts: 1234567, 7654321"),
    ([*SESSIONS, "--config", "/nonexistent/jaicp.toml"],
     "--config: "),
])
def test_bad_flags_name_the_flag_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                            fragment: str) -> None:
    argv = [str(tmp_path / arg) if arg.startswith("x.") else arg for arg in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("jaicp-mock report: error: ") and fragment in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("text", "shape"), [
    ("SESSION_START_TIME=2026-03-02T10:00..", {"from_": datetime(2026, 3, 2, 10, 0), "to": None}),
    ("MESSAGE_COUNT=..4", {"from_": None, "to": 4}),
    ("bot_id=a, b", {"options": ("a", "b")}),
    ("WITHOUT_EMPTY_SESSIONS=yes", {"option": "YES"}),
    ("CLIENT_ID_OR_NAME=John Smith", {"value": "John Smith"}),
])
def test_filter_flags_take_each_shape(text: str, shape: dict) -> None:
    parsed = parse_filter(text)
    assert parsed.key is FilterKey(text.split("=")[0].upper())
    assert {name: getattr(parsed, name) for name in shape} == shape


def test_an_unwritable_output_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "--type", "clients", "--from", "2026-03-02", "-o", str(blocker / "r.csv"))
    assert code == 1 and err.startswith("jaicp-mock report: error: ") and "Traceback" not in err
