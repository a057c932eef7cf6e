"""Writing and reading the export's CSV: the platform's dialect by default, every account option on demand.

The writer streams (constant memory). The reader accepts every dialect the writer can produce (and a real
export): BOM or not, CRLF or LF, minimal or full quoting, display names or ids for the channel type.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple, TextIO

from generators.channels import channel_from_label
from generators.model import Dialect
from generators.schema import (
    CHANNEL_TYPE,
    COLUMN_NAMES,
    MSG_OPERATOR,
    MSG_RT,
    MSG_SWITCHED,
    MSG_TAGS,
    QUESTIONS_COUNT,
    SEPARATOR,
    SESSION_END,
    SESSION_START,
    ExportDialect,
    parse_bool,
    parse_datetime,
    parse_int,
)

BOM = "\ufeff"
BUFFER_SIZE = 1 << 20
PLAIN_BATCH = 256
"""Plain rows joined into one write."""
PROGRESS_STEP = 10_000
"""Rows between two progress reports of one write."""


class LogRecord(NamedTuple):
    """One row, typed. ``channel_type`` is always the channel id (``telegram``), whichever way it was written."""

    session_id: str
    session_start_time: datetime
    session_end_time: datetime
    session_questions_count: int
    session_tag: str
    channel_type: str
    channel_name: str
    client_id: str
    client_name: str
    project_name: str
    msg_rt: datetime
    msg_question: str
    msg_answer: str
    state_before: str
    state_after: str
    msg_switched: bool
    msg_operator: bool
    msg_comment: str
    msg_tags: str


assert LogRecord._fields == COLUMN_NAMES, "LogRecord must follow generators.schema.COLUMNS"


class RowWriter:
    """Writes rows of 19 strings to a text stream in one dialect. Call :meth:`header` first, once."""

    def __init__(self, stream: TextIO, dialect: Dialect = Dialect()) -> None:
        quoting: Literal[0, 1] = csv.QUOTE_ALL if dialect.quote_all else csv.QUOTE_MINIMAL
        self._stream = stream
        self._writer = csv.writer(stream, ExportDialect, quoting=quoting, lineterminator=dialect.line_end)
        # csv quotes a field with a character of the line terminator; with "\n" alone that misses a lone "\r".
        self._crlf_buffer = io.StringIO()
        self._crlf_writer = csv.writer(self._crlf_buffer, ExportDialect, quoting=quoting)
        self._guard_cr = dialect.line_end == "\n"
        self._quote_all = dialect.quote_all
        self._line_end = dialect.line_end
        self._bom = dialect.bom

    def header(self) -> None:
        if self._bom:
            self._stream.write(BOM)
        self._writer.writerow(COLUMN_NAMES)

    def write(self, row: tuple[str, ...] | list[str]) -> None:
        if self._guard_cr and "\r" in "".join(row):
            self._crlf_buffer.seek(0)
            self._crlf_buffer.truncate()
            self._crlf_writer.writerow(row)
            self._stream.write(self._crlf_buffer.getvalue()[:-2] + "\n")
        else:
            self._writer.writerow(row)

    def write_all(self, rows: Iterable[tuple[str, ...]]) -> int:
        """Write every row; returns how many."""
        if self._quote_all:
            return self._write_each(rows)
        return self._write_plain_first(rows)

    def _write_each(self, rows: Iterable[tuple[str, ...]]) -> int:
        count = 0
        write = self.write if self._guard_cr else self._writer.writerow
        for row in rows:
            write(row)
            count += 1
        return count

    def _write_plain_first(self, rows: Iterable[tuple[str, ...]]) -> int:
        """Minimal quoting leaves a row with no separator, quote or line break in any field as its fields
        joined: most rows are, and joining them is several times cheaper than the csv writer (which writes
        every other row, so the bytes are the csv module's). Joined lines reach the stream a batch at a time:
        one write (and one encoding) per batch rather than per row."""
        count = 0
        columns = len(COLUMN_NAMES)
        separators = columns - 1
        batch: list[str] = []
        add = batch.append
        write_row = self.write

        def flush() -> None:
            if batch:
                add("")  # the last line's end
                self._stream.write(self._line_end.join(batch))
                batch.clear()

        for row in rows:
            count += 1
            try:
                line = SEPARATOR.join(row)
            except TypeError:  # not all text: the csv writer converts
                line = ""
            if (line.count(SEPARATOR) == separators and len(row) == columns and '"' not in line
                    and "\n" not in line and "\r" not in line):
                add(line)
                if len(batch) >= PLAIN_BATCH:
                    flush()
            else:
                flush()  # the rows keep their order
                write_row(row)
        flush()
        return count


def rows_to_bytes(rows: Iterable[tuple[str, ...]], dialect: Dialect = Dialect()) -> bytes:
    """A whole file (header and rows) in memory: for small files, samples and strategies."""
    buffer = io.BytesIO()
    write_csv_rows(rows, buffer, dialect, header=True)
    return buffer.getvalue()


def write_csv_rows(rows: Iterable[tuple[str, ...]], target: BinaryIO, dialect: Dialect, *, header: bool,
                   on_progress: Callable[[int], object] | None = None) -> int:
    """Rows as CSV to a binary stream (the header first when asked); returns how many rows. ``on_progress``
    gets the count of each PROGRESS_STEP rows written."""
    stream = text_stream(target)
    writer = RowWriter(stream, dialect)
    if header:
        writer.header()
    count = 0
    for batch in batches(rows, PROGRESS_STEP):
        count += writer.write_all(batch)
        if on_progress is not None:
            on_progress(len(batch))
    stream.flush()
    stream.detach()  # else the wrapper closes the target once it is freed, which may be before the caller reads it
    return count


def batches(rows: Iterable[tuple[str, ...]], size: int) -> Iterator[list[tuple[str, ...]]]:
    """Rows in lists of ``size`` (the last one shorter)."""
    rows = iter(rows)
    while True:
        batch = [row for _, row in zip(range(size), rows, strict=False)]
        if not batch:
            return
        yield batch


def text_stream(binary: BinaryIO) -> io.TextIOWrapper:
    """A UTF-8 text layer over a binary stream, with no newline translation (the dialect decides)."""
    return io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)


def record_from_fields(fields: list[str]) -> LogRecord:
    """Type the 19 texts of one row; raises ValueError naming the column that does not parse."""
    if len(fields) != len(COLUMN_NAMES):
        raise ValueError(f"expected {len(COLUMN_NAMES)} fields, got {len(fields)}")
    try:
        typed = {SESSION_START: parse_datetime(fields[SESSION_START]), SESSION_END: parse_datetime(fields[SESSION_END]),
                 QUESTIONS_COUNT: parse_int(fields[QUESTIONS_COUNT]), MSG_RT: parse_datetime(fields[MSG_RT]),
                 MSG_SWITCHED: parse_bool(fields[MSG_SWITCHED]), MSG_OPERATOR: parse_bool(fields[MSG_OPERATOR])}
    except ValueError as error:
        raise ValueError(f"row does not parse: {error}") from None
    channel = channel_from_label(fields[CHANNEL_TYPE])
    if channel is not None:
        typed[CHANNEL_TYPE] = channel.id
    values = [typed.get(index, text) for index, text in enumerate(fields[:MSG_TAGS + 1])]
    return LogRecord._make(values)


@dataclass
class SniffedFile:
    """What the reader found out about a file's dialect."""

    bom: bool
    line_end: str


def open_text(path: str | os.PathLike) -> tuple[TextIO, SniffedFile]:
    """Open an export for csv reading, detecting the BOM and the line ends from the first line."""
    with open(path, "rb") as probe:
        head = probe.read(64 * 1024)
    bom = head.startswith(BOM.encode())
    first_line_end = head.find(b"\n")
    line_end = "\r\n" if first_line_end > 0 and head[first_line_end - 1:first_line_end] == b"\r" else "\n"
    stream = open(path, encoding="utf-8-sig" if bom else "utf-8", newline="")  # noqa: SIM115
    return stream, SniffedFile(bom=bom, line_end=line_end)


def iter_records(path: str | os.PathLike) -> Iterator[LogRecord]:
    """Typed rows of an export file, any dialect; ValueError on a header or row that does not parse."""
    stream, _ = open_text(path)
    with stream:
        reader = csv.reader(stream, ExportDialect)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMN_NAMES:
            raise ValueError(f"{path}: the header is not the 19 export columns separated by ';'")
        for fields in reader:
            yield record_from_fields(fields)


def read_records(data: bytes | str) -> list[LogRecord]:
    """Typed rows from an export's content held in memory (any dialect)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    text = text.removeprefix(BOM)
    reader = csv.reader(io.StringIO(text, newline=""), ExportDialect)
    header = next(reader, None)
    if header is None or tuple(header) != COLUMN_NAMES:
        raise ValueError("the header is not the 19 export columns separated by ';'")
    return [record_from_fields(fields) for fields in reader]


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only when the block ends without an error.

    Readers of ``path`` see the old content or the new, never a part: the new bytes go to a temporary file
    in the same folder, which ``os.replace`` moves into place.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb", buffering=BUFFER_SIZE) as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
