"""``jaicp-mock generate`` and ``jaicp-mock validate``: outputs, every dialect flag, and one-line flag errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from generators import cli
from generators.csvformat import BOM, read_records
from generators.export import day_bytes
from generators.extras import SCALE_INSTALL, MissingExtra
from generators.model import DEFAULT_SEED, AccountSpec, Dialect, ProjectSpec
from generators.schema import HEADER_LINE
from generators.validate import validate_file
from mock_server.cli import main

WEDNESDAY = date(2026, 3, 4)
GENERATE = ["generate", "--date", "2026-03-04", "--sessions", "30"]
PROBLEM_LINE = re.compile(r".+:\d+:\d+( \([a-z_]+\))?: [a-z-]+: .+")
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def expected(sessions: int = 30, day: date = WEDNESDAY, *, locale: str = "en_US", account_id: int = 1234567,
             domain: str = "banking", channels=("telegram", "chatwidget", "resterisk"), project: str = "Demobot",
             session_ids: str = "uuid5", **options) -> bytes:
    """What the CLI should write, made through the library (one generator, many outlets)."""
    account = AccountSpec(account_id, projects=(ProjectSpec(project, domain=domain, channels=channels),),
                          locale=locale, sessions_per_day=sessions, session_id_style=session_ids)
    options.setdefault("seed", DEFAULT_SEED)
    return day_bytes(account, day, **options)


def run(capsysbinary, *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


# -- generate ------------------------------------------------------------------------------------------------


def test_generate_to_stdout(capsysbinary):
    code, out, err = run(capsysbinary, *GENERATE)
    assert code == 0
    assert err == ""
    assert out == expected()
    assert out.startswith(HEADER_LINE.encode() + b"\r\n")


def test_generate_defaults(capsysbinary):
    code, out, _ = run(capsysbinary, "generate", "--date", "2026-03-04")
    assert code == 0
    assert out == expected(300)


def test_generate_to_a_file(capsysbinary, tmp_path):
    target = tmp_path / "day.csv"
    code, out, err = run(capsysbinary, *GENERATE, "-o", str(target))
    assert code == 0
    assert out == b""
    assert target.read_bytes() == expected()
    records = read_records(target.read_bytes())
    sessions = {record.session_id for record in records}
    earlier = {record.session_id for record in records if record.session_start_time.date() < date(2026, 3, 4)}
    assert err.strip() == (f"{target}: {len(records)} rows, {len(sessions)} sessions "
                           f"({len(earlier)} begun on earlier days)")
    assert os.listdir(tmp_path) == ["day.csv"]


def test_generate_into_an_existing_folder_names_the_file_by_day(capsysbinary, tmp_path):
    code, _, _ = run(capsysbinary, *GENERATE, "-o", str(tmp_path))
    assert code == 0
    assert os.listdir(tmp_path) == ["04-03-2026.csv"]
    assert (tmp_path / "04-03-2026.csv").read_bytes() == expected()


def test_generate_several_days_into_a_folder(capsysbinary, tmp_path):
    folder = tmp_path / "exports"
    code, _, err = run(capsysbinary, *GENERATE, "--days", "3", "-o", str(folder))
    assert code == 0
    assert sorted(os.listdir(folder)) == ["04-03-2026.csv", "05-03-2026.csv", "06-03-2026.csv"]
    assert len(err.strip().splitlines()) == 3
    for name, day in [("04-03-2026.csv", date(2026, 3, 4)), ("05-03-2026.csv", date(2026, 3, 5)),
                      ("06-03-2026.csv", date(2026, 3, 6))]:
        report = validate_file(folder / name)
        assert report.ok and report.day == day
        assert (folder / name).read_bytes() == expected(day=day)


@pytest.mark.parametrize(("flags", "dialect"), [
    (["--quote-all"], Dialect(quote_all=True)),
    (["--bom"], Dialect(bom=True)),
    (["--line-end", "lf"], Dialect(line_end="\n")),
    (["--line-end", "crlf"], Dialect()),
    (["--channel-labels", "id"], Dialect(channel_labels="id")),
    (["--channel-labels", "display"], Dialect()),
    (["--quote-all", "--bom", "--line-end", "lf", "--channel-labels", "id"],
     Dialect(quote_all=True, bom=True, line_end="\n", channel_labels="id")),
], ids=lambda value: " ".join(value) if isinstance(value, list) else None)
def test_dialect_flags(capsysbinary, flags, dialect):
    code, out, _ = run(capsysbinary, *GENERATE, *flags)
    assert code == 0
    assert out == expected(dialect=dialect)
    assert out.startswith(BOM.encode()) == dialect.bom
    assert (b"\r\n" in out) == (dialect.line_end == "\r\n")
    assert out.removeprefix(BOM.encode()).startswith(b'"session_id";' if dialect.quote_all else b"session_id;")
    labels = {record.channel_type for record in read_records(out)}
    assert labels == {"telegram", "chatwidget", "resterisk"}
    raw_label = b";Telegram;" if dialect.channel_labels == "display" else b"telegram;"
    assert raw_label in out.replace(b'"', b"")


def test_content_flags(capsysbinary):
    code, out, _ = run(capsysbinary, *GENERATE, "--locale", "ru_RU", "--account-id", "42", "--domain", "retail",
                       "--channels", "vk, whatsapp", "--project", "Магазин", "--session-ids", "client",
                       "--seed", "7", "--version", "2")
    assert code == 0
    assert out == expected(locale="ru_RU", account_id=42, domain="retail", channels=("vk", "whatsapp"),
                           project="Магазин", session_ids="client", seed=7, version=2)
    records = read_records(out)
    assert {record.channel_type for record in records} == {"vk", "whatsapp"}
    assert all(record.client_id.startswith(f"{record.channel_type}-42-") for record in records)
    assert all(record.session_id.startswith(record.client_id + ".") for record in records)
    assert sum(bool(CYRILLIC.search(record.msg_answer)) for record in records) > 0.9 * len(records)


def test_workers_flag_gives_the_same_bytes(capsysbinary):
    code, out, _ = run(capsysbinary, *GENERATE, "--workers", "2")
    assert code == 0
    assert out == expected()


def test_weekend_has_fewer_sessions(capsysbinary, tmp_path):
    for day in ("2026-03-04", "2026-03-07"):
        assert main(["generate", "--date", day, "--sessions", "100", "-o", str(tmp_path / f"{day}.csv")]) == 0
    def begun_that_day(day: date) -> int:
        records = read_records((tmp_path / f"{day}.csv").read_bytes())
        return len({record.session_id for record in records if record.session_start_time.date() == day})

    weekday, weekend = begun_that_day(date(2026, 3, 4)), begun_that_day(date(2026, 3, 7))
    assert 85 <= weekday <= 115 and 51 <= weekend <= 69  # 60% on weekends, each day moved by up to 15%
    assert weekend < weekday


def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(cli, "PROGRESS_MIN_SESSIONS", 10)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main([*GENERATE, "-o", str(tmp_path / "a.csv")]) == 0
    piped = capsys.readouterr().err
    assert piped.strip().count("\n") == 0  # only the summary line
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main([*GENERATE, "-o", str(tmp_path / "b.csv")]) == 0
    terminal = capsys.readouterr().err
    assert "rows" in terminal and len(terminal) > len(piped)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# -- bad flags -----------------------------------------------------------------------------------------------

BAD_FLAGS = [
    (["generate", "--date", "2026-13-01"], ["--date", "YYYY-MM-DD", "2026-13-01"]),
    (["generate", "--date", "03-03-2026"], ["--date", "YYYY-MM-DD"]),
    (["generate", "--date", "2026-02-30"], ["--date", "YYYY-MM-DD"]),
    (["generate"], ["--date"]),
    (["generate", "--date", "2026-03-04", "--locale", "fr_FR"], ["--locale", "en_US", "ru_RU", "fr_FR"]),
    (["generate", "--date", "2026-03-04", "--workers", "0"], ["--workers", ">= 1"]),
    (["generate", "--date", "2026-03-04", "--workers", "two"], ["--workers", ">= 1", "two"]),
    (["generate", "--date", "2026-03-04", "--sessions", "-1"], ["--sessions", ">= 0", "-1"]),
    (["generate", "--date", "2026-03-04", "--channels", "foo"], ["--channels", "telegram", "resterisk", "foo"]),
    (["generate", "--date", "2026-03-04", "--channels", "telegram,icq"], ["--channels", "whatsapp", "icq"]),
    (["generate", "--date", "2026-03-04", "--channels", ","], ["--channels", "telegram"]),
    (["generate", "--date", "2026-03-04", "--days", "3", "-o", "-"], ["--output", "folder"]),
    (["generate", "--date", "2026-03-04", "--days", "0"], ["--days", ">= 1"]),
    (["generate", "--date", "2026-03-04", "--seed", "-5"], ["--seed", ">= 0"]),
    (["generate", "--date", "2026-03-04", "--account-id", "0"], ["--account-id", ">= 1"]),
    (["generate", "--date", "2026-03-04", "--version", "0"], ["--version", ">= 1"]),
    (["generate", "--date", "2026-03-04", "--domain", "casino"], ["--domain", "banking", "retail"]),
    (["generate", "--date", "2026-03-04", "--line-end", "cr"], ["--line-end", "crlf", "lf"]),
    (["generate", "--date", "2026-03-04", "--channel-labels", "names"], ["--channel-labels", "display", "id"]),
    (["generate", "--date", "2026-03-04", "--session-ids", "uuid7"], ["--session-ids", "uuid5", "client"]),
    (["generate", "--date", "2026-03-04", "--project", " "], ["--project"]),
    (["generate", "--date", "2026-03-04", "--bogus"], ["--bogus"]),
    (["generate", "--date", "2026-03-04", "--engine", "spark"], ["--engine", "local", "dask", "spark"]),
    (["generate", "--date", "2026-03-04", "--format", "orc"], ["--format", "csv", "parquet"]),
    (["generate", "--date", "2026-03-04", "--layout", "hour"], ["--layout", "day", "chunk"]),
    (["generate", "--date", "2026-03-04", "--compression", "zip"], ["--compression", "none", "gzip"]),
    (["generate", "--date", "2026-03-04", "--chunks", "0"], ["--chunks", ">= 1"]),
    (["generate", "--date", "2026-03-04", "--storage-option", "anon"], ["--storage-option", "KEY=VALUE", "anon"]),
    (["generate", "--date", "2026-03-04", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler", "--engine dask"]),
    (["generate", "--date", "2026-03-04", "--format", "parquet"], ["--format parquet", "folder or URL"]),
    (["generate", "--date", "2026-03-04", "--engine", "dask"], ["--engine dask", "stdout takes --engine local"]),
    (["generate", "--date", "2026-03-04", "-o", "nosuchproto://bucket/x/"], ["--output", "nosuchproto"]),
    (["validate"], ["files"]),
    (["validate", "x.csv", "--max-errors", "0"], ["--max-errors", ">= 1"]),
    (["validate", "x.csv", "--date", "tomorrow"], ["--date", "YYYY-MM-DD"]),
    (["frobnicate"], ["generate", "validate"]),
    ([], ["generate", "validate"]),
]


@pytest.mark.parametrize(("argv", "words"), BAD_FLAGS, ids=lambda value: " ".join(value)[:60] or "nothing")
def test_bad_flags_give_one_clear_line(capsysbinary, argv, words):
    code, out, err = run(capsysbinary, *argv)
    assert code == 2
    assert out == b""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("jaicp-mock: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in err


@pytest.mark.parametrize(("text", "option"), [
    ("endpoint_url=http://127.0.0.1:9000", ("endpoint_url", "http://127.0.0.1:9000")),
    ("anon=false", ("anon", False)),
    ("anon=true", ("anon", True)),
    ("default_block_size=5242880", ("default_block_size", 5242880)),
    ("key=null", ("key", "null")),
    ("profile=[1]", ("profile", "[1]")),
    (" region = eu-west-1", ("region", " eu-west-1")),
])
def test_storage_options_keep_text_and_read_flags_and_numbers(text, option):
    assert cli._storage_option(text) == option


def test_a_missing_extra_names_the_extra(capsysbinary, monkeypatch, tmp_path):
    def missing(module, purpose):
        raise MissingExtra(f"{purpose} needs {module}, from the scale extra: {SCALE_INSTALL}")

    monkeypatch.setattr("generators.storage.require", missing)
    monkeypatch.setattr("generators.engines.require", missing)
    for argv, flag in ((["-o", "s3://bucket/x/"], "-o/--output s3://"), (["--engine", "dask", "-o", str(tmp_path)],
                                                                          "--engine dask needs")):
        code, _, err = run(capsysbinary, *GENERATE, *argv)
        assert code == 2 and err.count("\n") == 1, err
        assert flag in err and "pip install 'jaicp-mock[scale]'" in err
    assert list(tmp_path.iterdir()) == []


def test_several_days_into_an_existing_file_is_refused(capsysbinary, tmp_path):
    target = tmp_path / "day.csv"
    target.write_bytes(b"keep me")
    code, _, err = run(capsysbinary, *GENERATE, "--days", "2", "-o", str(target))
    assert code == 2
    assert "--output" in err and "folder" in err
    assert target.read_bytes() == b"keep me"


def test_unwritable_output_is_one_line_not_a_traceback(capsysbinary, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    code, _, err = run(capsysbinary, *GENERATE, "-o", str(blocker / "sub" / "day.csv"))
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and err.startswith("jaicp-mock: error: ")


@pytest.mark.slow
def test_bad_flags_in_a_real_process_print_no_traceback():
    result = subprocess.run([sys.executable, "-m", "mock_server.cli", "generate", "--date", "2026-13-01"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "--date" in line and "YYYY-MM-DD" in line


# -- validate ------------------------------------------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "04-03-2026.csv"
    path.write_bytes(expected())
    return path


@pytest.fixture
def bad_file(tmp_path) -> Path:
    path = tmp_path / "bad" / "04-03-2026.csv"
    path.parent.mkdir()
    path.write_bytes(expected().replace(b";false;false;", b";False;false;", 1))
    return path


def test_validate_good_file(capsysbinary, good_file):
    code, out, err = run(capsysbinary, "validate", str(good_file))
    assert code == 0
    assert err == ""
    (line,) = out.decode().splitlines()
    assert line.startswith(f"{good_file}: OK: ")
    assert "04.03.2026" in line


@pytest.mark.parametrize("locale", ["en_US", "ru_RU"])
def test_generate_then_validate(capsysbinary, tmp_path, locale):
    assert main([*GENERATE, "--locale", locale, "--bom", "--days", "2", "-o", str(tmp_path)]) == 0
    capsysbinary.readouterr()
    code, out, _ = run(capsysbinary, "validate", *(str(path) for path in sorted(tmp_path.iterdir())))
    assert code == 0
    assert out.decode().count(": OK: ") == 2


def test_validate_bad_file(capsysbinary, bad_file):
    code, out, err = run(capsysbinary, "validate", str(bad_file))
    assert code == 1
    assert "FAILED" in out.decode() and "boolean" in out.decode()
    (problem,) = err.strip().splitlines()
    assert PROBLEM_LINE.fullmatch(problem)
    assert problem.startswith(f"{bad_file}:2:16 (msg_switched): boolean: ")


def test_validate_several_files_fails_if_any_fails(capsysbinary, good_file, bad_file):
    code, out, _ = run(capsysbinary, "validate", str(good_file), str(bad_file))
    assert code == 1
    lines = out.decode().splitlines()
    assert len(lines) == 2 and ": OK: " in lines[0] and "FAILED" in lines[1]


def test_validate_with_an_explicit_date(capsysbinary, good_file, tmp_path):
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(good_file.read_bytes())
    code, _, _ = run(capsysbinary, "validate", str(renamed), "--date", "2026-03-04")
    assert code == 0
    code, _, err = run(capsysbinary, "validate", str(renamed), "--date", "2026-03-05", "--max-errors", "3")
    assert code == 1
    assert len(err.strip().splitlines()) == 3
    assert all(": day: " in line for line in err.strip().splitlines())


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_validate_names_a_missing_file_or_a_folder(capsysbinary, tmp_path, kind):
    target = tmp_path / "nothing.csv" if kind == "missing" else tmp_path
    code, out, err = run(capsysbinary, "validate", str(target))
    assert code == 2 and out == b""
    assert ("no such file" if kind == "missing" else "is a folder") in err and str(target) in err
    assert "encoding" not in err and "Traceback" not in err


def test_several_days_into_a_file_name_is_refused(capsysbinary, tmp_path):
    code, _, err = run(capsysbinary, "generate", "--date", "2026-03-03", "--days", "3", "-o",
                       str(tmp_path / "one.csv"))
    assert code == 2 and "--days 3" in err and "folder" in err
    assert not (tmp_path / "one.csv").exists()
