"""The partition API: listing a request's partitions, and each one made alone (any order, any process) giving,
joined in chunk order, exactly the bytes ``generate`` writes for the day (compared by SHA-256)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import date

import pytest

from generators import AccountSpec, Dialect, ProjectSpec, day_bytes
from generators.partitions import Partition, Request, partition_bytes, partition_rows
from generators.schema import SESSION_ID

WEDNESDAY = date(2026, 3, 4)
ACCOUNT = AccountSpec(4242, projects=(
    ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
    ProjectSpec("Shop", domain="retail", channels=("vk",), locale="ru_RU"),
), sessions_per_day=250)
DIALECTS = [Dialect(), Dialect(quote_all=True, bom=True, line_end="\n", channel_labels="id")]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def joined(request: Request, day: date, version: int = 1) -> bytes:
    """A day's partitions made last chunk first (any order), then joined in chunk order."""
    parts = [part for part in request.partitions() if part.day == day and part.version == version]
    made = {part.chunk: partition_bytes(part) for part in reversed(parts)}
    return b"".join(made[chunk] for chunk in sorted(made))


@pytest.mark.parametrize("chunks", [1, 2, 3, 7])
@pytest.mark.parametrize("dialect", DIALECTS, ids=["platform", "every-option"])
def test_a_days_partitions_joined_are_its_file(chunks, dialect):
    request = Request(ACCOUNT, WEDNESDAY, chunks=chunks, dialect=dialect)
    assert sha256(joined(request, WEDNESDAY)) == sha256(day_bytes(ACCOUNT, WEDNESDAY, dialect=dialect))


def test_regenerated_versions_and_a_weekend_partition_the_same_way():
    request = Request(ACCOUNT, date(2026, 3, 7), days=2, versions=(1, 3), chunks=4)
    for day in request.day_list:
        for version in request.versions:
            assert sha256(joined(request, day, version)) == sha256(day_bytes(ACCOUNT, day, version=version))


def test_sessions_that_span_a_cut_are_written_by_both_chunks():
    """The case the cut must get right: a session whose rows fall on both sides of it."""
    parts = Request(ACCOUNT, WEDNESDAY, chunks=6).partitions()
    sessions = [{row[SESSION_ID] for row in partition_rows(part)} for part in parts]
    spanning = [left & right for left, right in itertools.pairwise(sessions)]
    assert sum(map(len, spanning)) >= 3, "no session spans a cut: the case is not reached"


def _render_in_fresh_process(partition: Partition) -> bytes:
    return partition_bytes(partition)


def test_a_partition_made_in_a_fresh_process_is_the_same():
    """Any machine: a spawned interpreter shares nothing with this one but the partition's values."""
    part = Request(ACCOUNT, WEDNESDAY, chunks=3).partitions()[1]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        elsewhere = pool.submit(_render_in_fresh_process, part).result()
    assert elsewhere == partition_bytes(part)


def test_only_the_first_chunk_has_the_header():
    parts = Request(ACCOUNT, WEDNESDAY, chunks=3, dialect=Dialect(bom=True)).partitions()
    first, second = partition_bytes(parts[0]), partition_bytes(parts[1])
    assert first.startswith("\ufeffsession_id;".encode())
    assert b"session_id;" not in second and not second.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(second.decode(), newline=""), delimiter=";"))
    assert rows and all(len(row) == 19 for row in rows)


def test_a_request_lists_its_partitions_day_by_day_version_by_version():
    request = Request(ACCOUNT, WEDNESDAY, days=3, versions=(1, 2), chunks=2)
    parts = request.partitions()
    assert len(parts) == 3 * 2 * 2
    assert [(part.day.day, part.version, part.chunk) for part in parts[:5]] == [
        (4, 1, 0), (4, 1, 1), (4, 2, 0), (4, 2, 1), (5, 1, 0)]
    assert {part.chunks for part in parts} == {2}


@pytest.mark.parametrize(("options", "words"), [
    ({"chunk": 2, "chunks": 2}, "chunk 2 of 2"),
    ({"chunk": -1, "chunks": 2}, "chunk -1 of 2"),
    ({"chunks": 0}, "chunks >= 1"),
    ({"version": 0}, "versions start at 1"),
])
def test_a_partition_out_of_range_is_refused(options, words):
    with pytest.raises(ValueError, match=words):
        Partition(ACCOUNT, WEDNESDAY, **options)


def test_a_request_without_days_is_refused():
    with pytest.raises(ValueError, match="days >= 1"):
        Request(ACCOUNT, WEDNESDAY, days=0)
