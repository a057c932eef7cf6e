"""Report files: rows/s and peak memory, beside the file library alone writing the same rows in the same run.

    python benchmarks/bench_reports.py [--rows 1000000] [--sessions 3000] [--days 7]
                                       [--reports sessions,messages] [--formats XLSX,CSV]

Cases, each in a fresh process (so peak RSS is the case's own):
- a sessions report over ``--days`` days of ``--sessions`` sessions a day, as XLSX and as CSV;
- a messages report of ``--rows`` rows, as XLSX and as CSV.
Each case is the whole path a task takes (generator -> report rows -> file). Its baseline writes the same report
rows, taken from the report beforehand (a sample cycled to the same count), with XlsxWriter alone in constant
memory (the same typed calls) or csv.writer alone (pre-rendered texts): the limit the library sets.
Targets: the 1M-row messages XLSX in under 200 MB RSS and at >= 0.5x XlsxWriter alone. Use --rows 100000
for a quick run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_DAY = "2026-03-02"  # a Monday
ROWS_PER_SESSION = 5.5  # a little under the generator's average, so one day surely holds --rows rows
SAMPLE_ROWS = 20_000

_CHILD = r"""
import csv, itertools, json, resource, sys, time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo
import xlsxwriter
from generators import AccountSpec, ProjectSpec
from mock_server.reports.content import COLUMNS, Kind, ReportQuery, report_rows
from mock_server.reports.files import write_report
from mock_server.reports.javadate import compile_pattern, excel_format
from mock_server.reports.models import ReportSettings, ReportType

mode, report, file_type, days, sessions, rows_wanted, path = sys.argv[1:8]
days, sessions, rows_wanted = int(days), int(sessions), int(rows_wanted)
account = AccountSpec(1234567, projects=(ProjectSpec("Demobot", channels=("telegram", "chatwidget", "resterisk")),),
                      sessions_per_day=sessions)
start = datetime.fromisoformat(sys.argv[8]).replace(tzinfo=UTC)
query = ReportQuery(ReportType(report), account, start, start + timedelta(days=days), ZoneInfo("Europe/Moscow"))
columns = COLUMNS[query.report_type]
settings = ReportSettings(file_type=file_type)

def rows():
    source = report_rows(query)
    return itertools.islice(source, rows_wanted) if rows_wanted else source

def baseline(sample, count):
    if file_type == "XLSX":
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False})
        sheet = book.add_worksheet("Report")
        dates = book.add_format({"num_format": excel_format(settings.date_time_format)})
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.title)
        def write_date(row, column, value):
            sheet.write_datetime(row, column, value, dates)
        calls = [write_date if column.kind is Kind.DATETIME else
                 sheet.write_number if column.kind is Kind.INTEGER else sheet.write_string for column in columns]
        for number in range(count):
            for index, value in enumerate(sample[number % len(sample)]):
                calls[index](number + 1, index, value)
        book.close()
        return
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow([column.title for column in columns])
        for number in range(count):
            writer.writerow(sample[number % len(sample)])

if mode == "report":
    started = time.perf_counter()
    written = write_report(path, columns, rows(), settings)
else:
    render = compile_pattern(settings.date_time_format)
    def prepared(row):
        out = []
        for column, value in zip(columns, row):
            if column.kind is Kind.DATETIME:
                value = value.replace(tzinfo=None) if file_type == "XLSX" else render(value)
            elif column.kind is Kind.YES_NO:
                value = "Yes" if value else "No"
            elif file_type == "CSV":
                value = str(value)
            out.append(value)
        return out
    sample = [prepared(row) for row in itertools.islice(report_rows(query), int(sys.argv[9]))]
    written = int(sys.argv[10])
    started = time.perf_counter()
    baseline(sample, written)
elapsed = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": written, "seconds": elapsed, "peak_rss_mb": rss}))
"""


def _run(args: list[str]) -> dict:
    result = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True, cwd=ROOT,
                            check=False)
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout)


def _case(name: str, report: str, file_type: str, days: int, sessions: int, rows: int, folder: str) -> None:
    target = str(Path(folder) / f"{name}.{file_type.lower()}")
    common = [report, file_type, str(days), str(sessions), str(rows), target, f"{FIRST_DAY}T00:00:00"]
    ours = _run(["report", *common])
    library = "XlsxWriter" if file_type == "XLSX" else "csv.writer"
    base = _run(["baseline", *common, str(min(SAMPLE_ROWS, ours["rows"])), str(ours["rows"])])
    ours_rate, base_rate = ours["rows"] / ours["seconds"], base["rows"] / base["seconds"]
    print(f"{name:<10} {file_type:<4} {ours['rows']:>9,} rows  {ours_rate:>9,.0f} rows/s  "
          f"{library} alone {base_rate:>9,.0f} rows/s  ratio {ours_rate / base_rate:4.2f}x  "
          f"peak RSS {ours['peak_rss_mb']:5.0f} MB (alone {base['peak_rss_mb']:4.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the messages report (default 1M)")
    parser.add_argument("--sessions", type=int, default=3000, help="sessions a day for the sessions report")
    parser.add_argument("--days", type=int, default=7, help="days of the sessions report (default 7)")
    parser.add_argument("--reports", default="sessions,messages", help="which reports (default both)")
    parser.add_argument("--formats", default="XLSX,CSV", help="which file types (default both)")
    args = parser.parse_args()
    per_day = int(args.rows / ROWS_PER_SESSION) + 1
    cases = {"sessions": ("SESSIONS", args.days, args.sessions, 0), "messages": ("MESSAGES", 1, per_day, args.rows)}
    with tempfile.TemporaryDirectory(prefix="jaicp-bench-") as folder:
        for name in args.reports.split(","):
            for file_type in args.formats.upper().split(","):
                _case(name, *cases[name][:1], file_type, *cases[name][1:], folder)


if __name__ == "__main__":
    main()
