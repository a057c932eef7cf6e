"""The committed report samples in ``fixtures/reports/``: small XLSX and CSV files as report tasks make them.

    python -m mock_server.reports.samples [--out fixtures/reports] [--check]

They come from the same accounts and day as the raw-log samples (``generators.samples``), through the same
rows and writers as the server's tasks. XLSX files carry one timestamp (the workbook's creation time), fixed
here, so remaking them reproduces every byte; a test proves it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from generators.model import DEFAULT_SEED, AccountSpec
from generators.samples import DAY, DEFAULT_OUT, EN_ACCOUNT, RU_ACCOUNT, sync
from mock_server.reports.content import COLUMNS, ReportQuery, report_rows
from mock_server.reports.files import EXTENSIONS, write_report
from mock_server.reports.models import ReportSettings, ReportType
from mock_server.reports.zones import parse_zone

REPORTS_OUT = DEFAULT_OUT / "reports"
CREATED = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
"""The samples' creation time: the morning after their day."""


@dataclass(frozen=True)
class ReportSample:
    name: str
    shows: str
    report_type: ReportType
    account: AccountSpec
    settings: dict = field(default_factory=dict)
    zone: str = "UTC"

    def query(self) -> ReportQuery:
        start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
        return ReportQuery(self.report_type, self.account, start, start + timedelta(days=1), parse_zone(self.zone),
                           seed=DEFAULT_SEED)

    def report_settings(self) -> ReportSettings:
        file_type = next(kind for kind, extension in EXTENSIONS.items() if self.name.endswith(extension))
        return ReportSettings.model_validate({"fileType": file_type.value, **self.settings})


SAMPLES = (
    ReportSample("sessions_en_US.xlsx", "the Session log of a day in English (UTC): one row per session, typed "
                 "cells, a frozen header", ReportType.SESSIONS, EN_ACCOUNT),
    ReportSample("sessions_en_US.csv", "the same report as CSV with the default settings", ReportType.SESSIONS,
                 EN_ACCOUNT),
    ReportSample("messages_ru_RU.csv", "every message of a day in Russian, in Moscow time, `;`-separated, "
                 "dates as dd.MM.yyyy HH:mm:ss", ReportType.MESSAGES, RU_ACCOUNT,
                 {"delimiter": ";", "dateTimeFormat": "dd.MM.yyyy HH:mm:ss"}, "Europe/Moscow"),
    ReportSample("clients_en_US.xlsx", "the Clients report of a day: names split, usernames, join date, last "
                 "activity, blocked flag", ReportType.CLIENTS, EN_ACCOUNT),
)


def render(sample: ReportSample) -> tuple[bytes, int]:
    query = sample.query()
    with tempfile.TemporaryDirectory(prefix="jaicp-report-sample-") as folder:
        path = Path(folder) / sample.name
        rows = write_report(path, COLUMNS[sample.report_type], report_rows(query), sample.report_settings(),
                            created=CREATED)
        return path.read_bytes(), rows


def readme() -> str:
    lines = ["# Report samples", "",
             f"Report files as the mock's report tasks write them, for the raw-log samples' accounts and day "
             f"({DAY:%d.%m.%Y}). Remake them with `python -m mock_server.reports.samples`; the test suite proves "
             "that remaking reproduces every byte.", "", "| file | what it shows |", "|---|---|"]
    lines += [f"| `{sample.name}` | {sample.shows} |" for sample in SAMPLES]
    return "\n".join(lines) + "\n"


def outputs() -> Iterable[tuple[str, bytes, int | None]]:
    for sample in SAMPLES:
        data, rows = render(sample)
        yield sample.name, data, rows
    yield "README.md", readme().encode(), None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mock_server.reports.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORTS_OUT, help="the folder (default: fixtures/reports/)")
    parser.add_argument("--check", action="store_true", help="compare with the files there; write nothing")
    args = parser.parse_args(argv)
    return sync(outputs(), args.out, check=args.check, remake="python -m mock_server.reports.samples")


if __name__ == "__main__":
    sys.exit(main())
