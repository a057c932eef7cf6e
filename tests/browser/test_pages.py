"""The platform's pages in a real browser: Analytics → Dialogs, the Session log export, the task list."""

from __future__ import annotations

import re
from datetime import timedelta

import openpyxl
from playwright.sync_api import expect

from tests.browser.conftest import log_in

REPORT_ROWS_PER_SECOND = 10_000
"""The demo's export speed (``[reports] rows_per_second``); the queue delay is 5 s."""
QUEUE_SECONDS = 5


def session_rows(page):
    return page.locator("#sessions tbody tr")


def test_filter_dialogs_and_read_a_session(page, live_mock):
    log_in(page, live_mock, "admin")
    expect(page.get_by_role("heading", name="Analytics → Dialogs")).to_be_visible()
    total = int(re.search(r"of (\d+)", page.locator(".pager .muted").inner_text())[1])
    expect(session_rows(page)).to_have_count(50)

    page.get_by_label("Telegram", exact=True).check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".pager .muted")).not_to_have_text(re.compile(rf"of {total}\b"))
    assert set(page.locator("#sessions tbody tr td:nth-child(2)").evaluate_all(
        "cells => cells.map(cell => cell.firstChild.textContent.trim())")) == {"telegram"}

    first = session_rows(page).first
    session_id = first.get_attribute("data-session-id")
    first.locator("a").click()
    expect(page.locator("#phrases h2")).to_have_text(f"Session {session_id}")
    expect(page.locator("#phrases .phrases li").first).to_be_visible()
    expect(page.get_by_label("Telegram", exact=True)).to_be_checked()  # the filters survive the click


def test_a_session_log_export_progresses_completes_and_downloads(page, live_mock, tmp_path):
    log_in(page, live_mock, "analyst")
    page.get_by_label("Message text contains").fill("card")
    page.get_by_role("button", name="Apply").click()
    total = int(re.search(r"of (\d+)", page.locator(".pager .muted").inner_text())[1])
    page.get_by_role("button", name="Session log").click()

    row = page.locator("#tasks tbody tr").first
    expect(row.locator(".status")).to_have_text("CREATED")
    expect(row.locator(".count")).to_have_text(f"0 / {total}")
    assert total > 10, "the filter should leave enough sessions to watch the progress"
    step = total / 2 / REPORT_ROWS_PER_SECOND  # half the rows
    live_mock.clock.advance(QUEUE_SECONDS + step)
    expect(row.locator(".status")).to_have_text("STARTED")
    written = int(step * 1_000_000) * REPORT_ROWS_PER_SECOND // 1_000_000
    expect(row.locator(".count")).to_have_text(f"{written} / {total}")
    expect(row.locator("a.download")).to_be_hidden()

    live_mock.clock.advance(timedelta(seconds=1))
    expect(row.locator(".status")).to_have_text("COMPLETED")
    toast = page.locator("#notifications .toast")
    expect(toast).to_contain_text("Session log is ready.")
    expect(row.locator("form.cancel")).to_be_hidden()
    with page.expect_download() as download_info:
        toast.get_by_role("link", name="Download").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("Project", "Channel type", "Channel ID", "Client ID", "Client name", "Session ID")
    assert len(rows) == total + 1
    task_id = row.get_attribute("data-task-id")
    assert [list(map(str, line[5:6])) for line in rows[1:]] == \
        [[str(line[5])] for line in live_mock.expected_report(task_id)["rows"]]


def test_cancel_one_export_while_another_runs(page, live_mock):
    log_in(page, live_mock, "analyst")
    page.get_by_role("button", name="Session log").click()
    page.get_by_role("link", name="Dialogs").click()
    page.get_by_role("button", name="Session log").click()
    rows = page.locator("#tasks tbody tr")
    expect(rows).to_have_count(2)
    newest, oldest = rows.nth(0), rows.nth(1)
    newest.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status").filter(has_text="export cancelled")).to_be_visible()
    expect(rows.nth(0).locator(".status")).to_have_text("STOPPED")
    expect(rows.nth(0).locator("form.cancel")).to_be_hidden()
    live_mock.clock.advance(timedelta(seconds=60))
    expect(oldest.locator(".status")).to_have_text("COMPLETED")
    expect(rows.nth(0).locator(".status")).to_have_text("STOPPED")
    expect(page.locator("#notifications .toast")).to_have_count(1)  # the completed one only


def test_the_clients_page_lists_and_exports_clients(page, live_mock):
    log_in(page, live_mock, "analyst")
    page.get_by_role("link", name="Clients").click()
    expect(page.locator("#clients tbody tr")).to_have_count(50)
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2 of")
    page.get_by_role("button", name="Download report").click()
    expect(page.locator("#tasks tbody tr").first).to_contain_text("Clients report")


def test_a_user_without_the_analytics_permission_is_refused(page, live_mock, console):
    console.allow("status of 403")
    page.goto(f"{live_mock.url}/ui/login")
    page.get_by_label("Login").fill("viewer")
    page.get_by_label("Password").fill("viewer")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("lacks the analytics permission")
    page.goto(f"{live_mock.url}/ui/analytics/dialogs")
    expect(page).to_have_url(re.compile(r"/ui/login\?next="))
