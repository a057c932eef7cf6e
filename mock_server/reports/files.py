"""Report files: XLSX in constant memory (XlsxWriter) and CSV in the task's dialect, written atomically.

Rows come typed (``content.COLUMNS``): XLSX stores datetimes as Excel dates with a number format made from the
task's Java pattern, counts as numbers and yes/no values as the UI's ``Yes``/``No`` text; CSV formats datetimes
with the Java pattern itself. A file appears under its name whole or not at all (temporary file, then
``os.replace``); XlsxWriter's own scratch files live in a folder that is removed whatever happens.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter  # type: ignore[import-untyped]

from generators.csvformat import atomic_output, text_stream
from mock_server.reports.content import Kind, ReportColumn, Row
from mock_server.reports.javadate import compile_pattern, excel_format
from mock_server.reports.models import FileType, ReportSettings

ProgressCallback = Callable[[int], object]
PROGRESS_EVERY = 1000
SCRATCH_PREFIX = ".xlsx-scratch-"
EXTENSIONS = {FileType.XLSX: ".xlsx", FileType.CSV: ".csv"}
MEDIA_TYPES = {FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               FileType.CSV: "text/csv; charset=utf-8"}
YES_TEXT, NO_TEXT = "Yes", "No"
CSV_LINE_END = "\r\n"


def _yes_no(value: Any) -> str:
    return YES_TEXT if value else NO_TEXT


class _Progress:
    """Calls back every ``every`` rows and once at the end; a callback that raises stops the write."""

    def __init__(self, callback: ProgressCallback | None, every: int) -> None:
        self.callback, self.every, self.rows = callback, every, 0

    def step(self) -> None:
        self.rows += 1
        if self.callback is not None and self.rows % self.every == 0:
            self.callback(self.rows)

    def finish(self) -> int:
        if self.callback is not None and self.rows % self.every:
            self.callback(self.rows)
        return self.rows


def write_xlsx(target: BinaryIO, columns: tuple[ReportColumn, ...], rows: Iterable[Row], settings: ReportSettings,
               progress: _Progress, scratch: str, created: datetime | None = None) -> None:
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "tmpdir": scratch, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    if created is not None:  # the one timestamp inside the file: fixed, the same rows give the same bytes
        workbook.set_properties({"created": created.replace(tzinfo=None)})
    sheet = workbook.add_worksheet("Report")
    date_format = workbook.add_format({"num_format": excel_format(settings.date_time_format)})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, date_format if column.kind is Kind.DATETIME else None)
    first = 0
    if settings.with_header:
        header_format = workbook.add_format({"bold": True, "bottom": 1})
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.title, header_format)
        sheet.freeze_panes(1, 0)
        first = 1
    cell_writers = [_xlsx_cell(sheet, column.kind, date_format) for column in columns]
    for number, row in enumerate(rows, start=first):
        for index, value in enumerate(row):
            cell_writers[index](number, index, value)
        progress.step()
    workbook.close()


def _xlsx_cell(sheet: Any, kind: Kind, date_format: Any) -> Callable[[int, int, Any], Any]:
    """The one XlsxWriter call for a column's cells: no per-cell type sniffing, no text read as a formula."""
    def write_datetime(row: int, column: int, value: datetime) -> None:
        sheet.write_datetime(row, column, value.replace(tzinfo=None), date_format)

    writers: dict[Kind, Callable[[int, int, Any], Any]] = {
        Kind.TEXT: sheet.write_string,
        Kind.INTEGER: sheet.write_number,
        Kind.DATETIME: write_datetime,
        Kind.YES_NO: lambda row, column, value: sheet.write_string(row, column, _yes_no(value)),
    }
    return writers[kind]


def write_csv(target: BinaryIO, columns: tuple[ReportColumn, ...], rows: Iterable[Row], settings: ReportSettings,
              progress: _Progress, scratch: str, created: datetime | None = None) -> None:
    stream = text_stream(target)
    writer = csv.writer(stream, delimiter=settings.delimiter, quotechar='"', doublequote=True,
                        quoting=csv.QUOTE_MINIMAL, lineterminator=CSV_LINE_END)
    if settings.with_header:
        writer.writerow([column.title for column in columns])
    render_moment = compile_pattern(settings.date_time_format)
    renderers: dict[Kind, Callable[[Any], str]] = {Kind.TEXT: str, Kind.INTEGER: str, Kind.DATETIME: render_moment,
                                                   Kind.YES_NO: _yes_no}
    cells = [renderers[column.kind] for column in columns]
    for row in rows:
        writer.writerow([render(value) for render, value in zip(cells, row, strict=True)])
        progress.step()
    stream.flush()
    stream.detach()


WRITERS = {FileType.XLSX: write_xlsx, FileType.CSV: write_csv}


def write_report(path: str | Path, columns: tuple[ReportColumn, ...], rows: Iterable[Row], settings: ReportSettings,
                 *, on_progress: ProgressCallback | None = None, progress_every: int = PROGRESS_EVERY,
                 created: datetime | None = None) -> int:
    """Write a report file at ``path`` atomically in ``settings.file_type``; returns the rows written.

    ``on_progress`` gets the running row count every ``progress_every`` rows and at the end; if it raises (a
    cancelled task), the write stops and nothing is left behind. ``created``: the XLSX's creation time (default:
    now); give it to make the bytes reproducible.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    progress = _Progress(on_progress, progress_every)
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX, dir=target.parent) as scratch, \
            atomic_output(target) as stream:
        WRITERS[settings.file_type](stream, columns, rows, settings, progress, scratch, created)
    return progress.finish()
