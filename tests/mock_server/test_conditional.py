"""Conditional and range requests on a day file as RFC 9110 says, compression as the platform's proxy would do
it, and the caching headers (one clock for Date and Last-Modified; Cache-Control that makes caches revalidate)."""

from __future__ import annotations

import dataclasses
import gzip
import zlib
from datetime import timedelta

import pytest
from werkzeug.http import http_date, parse_date

from mock_server import state_of
from mock_server.app import create_app
from mock_server.clock import Clock
from mock_server.conditional import MAX_RANGES, evaluate, parse_ranges
from tests.support import ACCOUNT, ANALYST, T0, YESTERDAY, assert_envelope, basic, url


def get(client, method="GET", **headers):
    return client.open(url(YESTERDAY), method=method, headers={**basic(ANALYST), **headers})


@pytest.fixture
def whole(client):
    response = get(client)
    assert response.status_code == 200
    return response


def test_a_failed_if_match_is_412_with_the_envelope(client, whole):
    assert_envelope(get(client, **{"If-Match": '"other"'}), 412, "rawlogs.precondition_failed")
    assert get(client, **{"If-Match": whole.headers["ETag"]}).status_code == 200
    assert get(client, **{"If-Match": "*"}).status_code == 200
    assert_envelope(get(client, **{"If-Match": "W/" + whole.headers["ETag"]}), 412)  # strong comparison


def test_if_unmodified_since_before_last_modified_is_412(client, whole):
    modified = parse_date(whole.headers["Last-Modified"])
    assert_envelope(get(client, **{"If-Unmodified-Since": http_date(modified - timedelta(seconds=1))}), 412)
    assert get(client, **{"If-Unmodified-Since": whole.headers["Last-Modified"]}).status_code == 200


def test_a_matching_if_none_match_is_304_even_with_a_range(client, whole):
    answer = get(client, **{"If-None-Match": whole.headers["ETag"], "Range": "bytes=0-9"})
    assert answer.status_code == 304 and answer.data == b"" and answer.headers["ETag"] == whole.headers["ETag"]
    assert get(client, **{"If-None-Match": "W/" + whole.headers["ETag"]}).status_code == 304  # weak comparison
    assert get(client, **{"If-Modified-Since": whole.headers["Last-Modified"]}).status_code == 304


@pytest.mark.parametrize(("header", "status", "first", "last"), [
    ("bytes=-99999999", 206, 0, None), ("bytes=0-9", 206, 0, 9), ("bytes=10-", 206, 10, None),
    ("items=0-5", 200, None, None), ("bytes=9-1", 200, None, None), ("bytes=x-1", 200, None, None),
    ("bytes=99999999-", 416, None, None), ("bytes=-0", 416, None, None),
])
def test_ranges_at_their_edges(client, whole, header, status, first, last):
    answer = get(client, Range=header)
    assert answer.status_code == status
    size = len(whole.data)
    if status == 206:
        end = size - 1 if last is None else last
        assert answer.data == whole.data[first:end + 1]
        assert answer.headers["Content-Range"] == f"bytes {first}-{end}/{size}"
    elif status == 200:
        assert answer.data == whole.data
    else:
        assert_envelope(answer, 416, "rawlogs.range_not_satisfiable")
        assert answer.headers["Content-Range"] == f"bytes */{size}"


def test_several_ranges_answer_multipart_byteranges(client, whole):
    answer = get(client, Range="bytes=0-9,20-29,-5")
    assert answer.status_code == 206
    boundary = answer.headers["Content-Type"].split("boundary=")[1]
    assert answer.headers["Content-Type"].startswith("multipart/byteranges")
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    parts = answer.data.split(f"--{boundary}".encode())[1:-1]
    size = len(whole.data)
    expected = [(0, 9), (20, 29), (size - 5, size - 1)]
    assert len(parts) == 3
    for part, (first, last) in zip(parts, expected, strict=True):
        head, _, body = part.partition(b"\r\n\r\n")
        assert f"Content-Range: bytes {first}-{last}/{size}".encode() in head
        assert body.removesuffix(b"\r\n") == whole.data[first:last + 1]
    many = ",".join(f"{index}-{index}" for index in range(MAX_RANGES + 1))
    assert get(client, Range=f"bytes={many}").status_code == 200


def test_if_range_compares_strongly(client, whole):
    tag = whole.headers["ETag"]
    assert get(client, Range="bytes=0-9", **{"If-Range": tag}).status_code == 206
    assert get(client, Range="bytes=0-9", **{"If-Range": "W/" + tag}).status_code == 200
    assert get(client, Range="bytes=0-9", **{"If-Range": whole.headers["Last-Modified"]}).status_code == 206
    later = http_date(parse_date(whole.headers["Last-Modified"]) + timedelta(seconds=1))
    assert get(client, Range="bytes=0-9", **{"If-Range": later}).status_code == 200


def test_head_never_answers_206(client, whole):
    answer = get(client, "HEAD", Range="bytes=0-9")
    assert answer.status_code == 200 and answer.headers["Content-Length"] == str(len(whole.data))


def test_date_and_last_modified_come_from_one_clock_and_caches_revalidate(client, whole, clock):
    assert whole.headers["Cache-Control"] == "private, no-cache"
    assert parse_date(whole.headers["Date"]) == clock.now().replace(microsecond=0)
    assert parse_date(whole.headers["Last-Modified"]) <= parse_date(whole.headers["Date"])


def test_evaluate_ignores_ranges_while_the_length_is_unknown():
    assert evaluate("GET", {"range": "bytes=0-9"}, '"t"', T0, None).status == 200
    assert parse_ranges("bytes=0-9, 5-", 8) == ((0, 7), (5, 7))


@pytest.fixture
def compressing(config, tmp_path):
    accounts = tuple(dataclasses.replace(account, compression=True) if account.id == ACCOUNT else account
                     for account in config.accounts)
    app = create_app(dataclasses.replace(config, accounts=accounts), data_dir=tmp_path / "gz",
                     clock=Clock(T0, frozen=True))
    yield app.test_client()
    state_of(app).close()


@pytest.mark.parametrize(("coding", "unpack"), [("gzip", gzip.decompress), ("deflate", zlib.decompress)])
def test_compression_when_the_account_has_it_and_the_client_asks(compressing, whole, coding, unpack):
    packed = get(compressing, **{"Accept-Encoding": coding})
    assert packed.headers["Content-Encoding"] == coding and packed.headers["Vary"] == "Accept-Encoding"
    assert unpack(packed.data) == whole.data
    assert packed.headers["ETag"] != whole.headers["ETag"]
    assert get(compressing, **{"Accept-Encoding": coding, "If-None-Match": packed.headers["ETag"]}).status_code == 304
    plain = get(compressing)
    assert "Content-Encoding" not in plain.headers and plain.data == whole.data and plain.headers["Vary"]
    ranged = get(compressing, Range="bytes=0-9", **{"Accept-Encoding": coding})
    assert ranged.status_code == 206 and ranged.data == whole.data[:10] and "Content-Encoding" not in ranged.headers


def test_no_compression_behind_the_users_back(client, whole):
    answer = get(client, **{"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in answer.headers and "Vary" not in answer.headers and answer.data == whole.data
    assert get(client, **{"Accept-Encoding": "gzip;q=0"}).data == whole.data
