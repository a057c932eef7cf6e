"""What a day's view shows of one version's file: its first rows, messages by hour and by channel.

The file is read once, row by row (a big day is never held in memory), and only the three columns the charts
need are looked at past the first rows. A version's file never changes once written, so the summary of a path
is kept (a few of them, least recently used out) and a second look at the day costs nothing.
"""

from __future__ import annotations

import csv
import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generators.channels import channel_from_label
from generators.csvformat import open_text
from generators.schema import CHANNEL_TYPE, COLUMN_NAMES, MSG_RT, ExportDialect

HEAD_ROWS = 10
"""Rows the day's view shows as they are in the file."""
HOUR = slice(11, 13)
"""Where the hour sits in ``dd.MM.yyyy HH:mm:ss``."""


@dataclass(frozen=True, slots=True)
class DaySummary:
    rows: int
    hourly: tuple[int, ...]
    """Messages per UTC hour (the file's times are UTC), 24 of them."""
    channels: tuple[tuple[str, int], ...]
    """Messages per channel, by the channel's display name, most first."""
    head: tuple[tuple[str, ...], ...]
    """The first rows' fields as written."""


def channel_name(label: str) -> str:
    """A channel's display name, whichever way the file wrote it (an unknown label is shown as it is)."""
    channel = channel_from_label(label)
    return channel.display_name if channel is not None else label


@functools.lru_cache(maxsize=32)
def summarize(path: Path) -> DaySummary:
    """Read the export at ``path`` once; ValueError when it is not one (its header is not the 19 columns)."""
    stream, _ = open_text(path)
    hourly = [0] * 24
    labels: Counter[str] = Counter()
    head: list[tuple[str, ...]] = []
    rows = 0
    with stream:
        reader = csv.reader(stream, ExportDialect)
        if tuple(next(reader, ())) != COLUMN_NAMES:
            raise ValueError(f"{path.name}: the header is not the 19 export columns")
        for fields in reader:
            rows += 1
            if len(head) < HEAD_ROWS:
                head.append(tuple(fields))
            hourly[int(fields[MSG_RT][HOUR])] += 1
            labels[fields[CHANNEL_TYPE]] += 1
    names: Counter[str] = Counter()
    for label, count in labels.items():
        names[channel_name(label)] += count
    return DaySummary(rows, tuple(hourly), tuple(names.most_common()), tuple(head))
