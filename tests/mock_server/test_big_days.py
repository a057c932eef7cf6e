"""Big days without waiting: a cold day streams while it is generated, every reader gets the same bytes, and
stopping mid-generation leaves no part file (one left by a killed process goes at the next start)."""

from __future__ import annotations

import dataclasses
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.live import LiveServer
from mock_server.state import files as files_module
from mock_server.state.files import FileStore, Growing, file_mode, remove_stale_parts
from tests.support import ACCOUNT, ANALYST, T0, YESTERDAY, basic, url


@pytest.fixture
def streaming(monkeypatch):
    """Every first download streams its file as it grows (a small day would otherwise be whole in time)."""
    monkeypatch.setattr(files_module, "FIRST_WAIT", 0)


@pytest.fixture
def bigger(config, tmp_path):
    """The test account with a day big enough that its generation takes several batches of rows."""
    accounts = tuple(dataclasses.replace(account, sessions_per_day=3000) if account.id == ACCOUNT else account
                     for account in config.accounts)
    app = create_app(dataclasses.replace(config, accounts=accounts), data_dir=tmp_path / "big",
                     clock=Clock(T0, frozen=True))
    yield app
    state_of(app).close()


def test_a_cold_day_streams_while_it_is_generated_and_every_reader_gets_the_same_bytes(streaming, live, state):
    expected = state.expected_bytes(ACCOUNT, YESTERDAY)
    address = live.url + url(YESTERDAY)

    def fetch(_: int) -> tuple[bytes, str | None, str]:
        response = requests.get(address, headers=basic(ANALYST), timeout=5)
        return response.content, response.headers.get("Content-Length"), response.headers["ETag"]

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(fetch, range(6)))
    assert {body for body, _, _ in answers} == {expected}
    assert any(length is None for _, length, _ in answers)  # at least the first one streamed, chunked
    assert len({etag for _, _, etag in answers}) == 1
    warm = requests.get(address, headers=basic(ANALYST), timeout=5)
    assert warm.content == expected and warm.headers["Content-Length"] == str(len(expected))


def test_head_on_a_growing_file_answers_at_once_without_a_body(streaming, live, state):
    address = live.url + url(YESTERDAY)
    head = requests.head(address, headers=basic(ANALYST), timeout=5)
    assert head.status_code == 200 and head.content == b"" and "Accept-Ranges" not in head.headers
    assert "Content-Length" not in head.headers  # not known yet: HEAD may leave it out (RFC 9110)
    whole = requests.get(address, headers=basic(ANALYST), timeout=5)
    assert whole.content == state.expected_bytes(ACCOUNT, YESTERDAY)


def test_a_range_on_a_growing_file_gets_the_whole_file(streaming, live, state):
    expected = state.expected_bytes(ACCOUNT, YESTERDAY)
    ranged = requests.get(live.url + url(YESTERDAY), headers={**basic(ANALYST), "Range": "bytes=0-9"}, timeout=5)
    assert ranged.status_code == 200 and ranged.content == expected  # RFC 9110 lets a server ignore Range
    later = requests.get(live.url + url(YESTERDAY), headers={**basic(ANALYST), "Range": "bytes=0-9"}, timeout=5)
    assert later.status_code == 206 and later.content == expected[:10]


def test_closing_mid_generation_is_prompt_and_leaves_no_part_file(streaming, bigger):
    state = state_of(bigger)
    config = state.config_of(ACCOUNT)
    found = state.files.start(config, YESTERDAY, 1, wait=0)
    assert isinstance(found, Growing)
    first = next(found.chunks())
    assert first.startswith(b"\xef\xbb\xbf") or first[:1].isalpha()  # the header row arrives first
    state.files.close()
    assert found.done.is_set() and found.failed is not None
    assert not found.part.exists() and not found.path.exists()
    assert list(found.path.parent.glob(".*.part-*")) == []


def test_two_stores_on_one_folder_agree_byte_for_byte(tmp_path, state):
    config = state.config_of(ACCOUNT)
    stores = [FileStore(tmp_path / "files", state.config.seed) for _ in range(2)]
    results: list = []

    def make(store: FileStore) -> None:
        path, _ = store.open(config, YESTERDAY, 1)
        results.append(path.read_bytes())

    threads = [threading.Thread(target=make, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results[0] == results[1] == state.expected_bytes(ACCOUNT, YESTERDAY)


def test_start_up_removes_part_files_of_dead_processes_only(tmp_path):
    folder = tmp_path / "files" / "1-abc"
    folder.mkdir(parents=True)
    dead = folder / ".2026-03-03.v1.csv.part-999999999-0a1b2c3d"
    mine = folder / f".2026-03-03.v2.csv.part-{os.getpid()}-0a1b2c3d"
    dead.write_bytes(b"half")
    mine.write_bytes(b"half")
    FileStore(tmp_path / "files", 7)
    assert not dead.exists() and mine.exists()
    assert remove_stale_parts(tmp_path / "files") == 0


def test_generated_files_take_their_mode_from_the_umask(live, state):
    requests.get(live.url + url(YESTERDAY), headers=basic(ANALYST), timeout=5)
    path = state.file_path(ACCOUNT, YESTERDAY, 1)
    assert path.stat().st_mode & 0o777 == file_mode() != 0o600


def test_expected_bytes_stream_in_pieces(client, state):
    config = state.config_of(ACCOUNT)
    pieces = list(state.files.expected_chunks(config, YESTERDAY, 1))
    assert len(pieces) > 1 and b"".join(pieces) == state.expected_bytes(ACCOUNT, YESTERDAY)
    answer = client.get(f"/_mock/accounts/{ACCOUNT}/expected/03-03-2026.csv")
    assert answer.status_code == 200 and answer.data == b"".join(pieces)


def test_two_servers_on_one_data_dir_serve_the_same_cold_day(streaming, app, tmp_path, state):
    other = create_app(state.config, data_dir=state.data_dir, clock=Clock(T0, frozen=True))
    try:
        with LiveServer(app) as first, LiveServer(other) as second, ThreadPoolExecutor(4) as pool:
            bodies = list(pool.map(lambda base: requests.get(base + url(YESTERDAY), headers=basic(ANALYST),
                                                             timeout=10).content,
                                   [first.url, second.url, first.url, second.url]))
    finally:
        state_of(other).close()
    assert len(set(bodies)) == 1 and bodies[0] == state.expected_bytes(ACCOUNT, YESTERDAY)


def test_closing_while_a_plan_is_drawn_is_prompt_and_leaves_no_part_file(streaming, state, monkeypatch):
    """A generation that has not reached its first batch (a big day's plan) cannot stop itself in time."""
    release = threading.Event()

    def slow_plan(stream, *args, **kwargs):
        release.wait(30)  # the plan of a huge day, as far as close() can tell
        stream.write(b"late")

    monkeypatch.setattr(files_module, "write_day", slow_plan)
    found = state.files.start(state.config_of(ACCOUNT), YESTERDAY, 1, wait=0)
    assert isinstance(found, Growing) and found.part.exists()
    reader = found.chunks()
    assert next(reader).startswith(b"session_id;")  # the header row, sent before the plan is done
    state.files.close()
    assert not found.part.exists() and not found.path.exists()
    with pytest.raises(files_module.Stopped):  # the reader ends with the store, not with the thread
        next(reader)
    release.set()
    assert found.done.wait(5) and found.failed is not None and not found.path.exists()
