"""The mock's dashboard in a real browser: the calendar's statuses, a forced regeneration landing at readyAt as the
clock moves, the clock's buttons, the live journal, faults and report tasks; the ``page`` fixture fails any test
whose page logged a console error."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

ACCOUNT = 1234567
"""The demo's business account: raw logs on since 2026-01-01, its files kept 14 days (a project's retention)."""
CALENDAR = f"/_mock/dashboard/accounts/{ACCOUNT}?from=2026-02&to=2026-03"
ANALYST = ("analyst", "analyst")


def cell(page, day: str):
    return page.locator(f'td[data-day="{day}"]')


def test_the_calendar_shows_each_status(page, live_mock):
    page.goto(live_mock.url + CALENDAR)
    # now is 2026-03-04 12:00: cleanup keeps 14 days, so 02-18 is the first day still there
    expect(cell(page, "2026-02-17")).to_have_attribute("data-status", "cleaned")
    expect(cell(page, "2026-02-18")).to_have_attribute("data-status", "available")
    expect(cell(page, "2026-03-03")).to_contain_text("v1")
    expect(cell(page, "2026-03-04")).to_have_attribute("data-status", "not_generated_yet")
    expect(cell(page, "2026-03-04")).to_contain_text("due 05.03 00:01")
    page.goto(live_mock.url + "/_mock/dashboard/accounts/7654321")
    expect(cell(page, "2026-03-03")).to_have_attribute("data-status", "disabled")


def test_a_forced_regeneration_counts_down_and_lands_at_ready_at(page, live_mock):
    page.goto(live_mock.url + CALENDAR)
    page.get_by_role("button", name="Force a regeneration of 02-03-2026").click()
    expect(page.get_by_role("status").filter(has_text="Version 2 of 02-03-2026")).to_contain_text(
        "lands at 2026-03-04 12:10:00 UTC")
    day = cell(page, "2026-03-02")
    expect(day).to_have_attribute("data-status", "pending_regeneration")
    expect(day.locator(".countdown")).to_have_text("10:00")
    live_mock.clock.advance(9 * 60 + 30)  # moved by a test: the page hears it at its next poll
    expect(day.locator(".countdown")).to_have_text("00:30")
    live_mock.clock.advance(30)
    expect(day).to_have_attribute("data-status", "available")
    expect(day).to_contain_text("v2")
    day.get_by_role("link").click()
    expect(page.locator(".day-status")).to_contain_text("version 2 is served")
    expect(page.locator("svg[aria-label='Messages by hour (UTC)'] rect.bar")).to_have_count(24)


def test_the_clock_moves_from_the_page(page, live_mock):
    page.goto(live_mock.url + CALENDAR)
    expect(page.locator(".clock-now")).to_have_text("2026-03-04 12:00:00 UTC")
    page.get_by_role("button", name="+1 day").click()
    expect(page.locator(".clock-now")).to_have_text("2026-03-05 12:00:00 UTC")
    expect(cell(page, "2026-03-04")).to_have_attribute("data-status", "available")
    page.get_by_role("button", name="+10 min").click()
    expect(page.locator(".clock-now")).to_have_text("2026-03-05 12:10:00 UTC")
    page.get_by_label("Set to (UTC)").fill("2026-03-10T08:00:00")
    page.get_by_role("button", name="Set", exact=True).click()
    expect(page.locator(".clock-now")).to_have_text("2026-03-10 08:00:00 UTC")
    expect(cell(page, "2026-03-09")).to_have_attribute("data-status", "available")
    page.get_by_role("button", name="Let it tick").click()
    expect(page.locator(".clock-mode")).to_have_text("ticking")
    page.get_by_role("button", name="Freeze").click()
    expect(page.locator(".clock-mode")).to_have_text("frozen")
    page.get_by_role("button", name="Back to real time").click()
    expect(page.locator(".clock-mode")).to_have_text("real time")


def test_a_request_made_with_requests_appears_in_the_journal(page, live_mock):
    page.goto(live_mock.url + "/_mock/dashboard/journal")
    expect(page.get_by_text("No request yet.")).to_be_visible()
    answer = requests.get(live_mock.url + "/restapi/rawlogs/03-03-2026.csv", auth=ANALYST, timeout=10)
    assert answer.status_code == 200
    row = page.locator("table.journal tbody tr").first
    expect(row).to_contain_text("GET /restapi/rawlogs/03-03-2026.csv")
    expect(row).to_contain_text("Authorization: Basic [redacted]")
    expect(row.locator("td").nth(3)).to_have_text("analyst")
    assert "analyst:analyst" not in page.content() and "YW5hbHlzdDphbmFseXN0" not in page.content()


def test_faults_are_added_used_and_removed(page, live_mock):
    page.goto(live_mock.url + "/_mock/dashboard/faults")
    page.locator("select[name=status]").select_option("429")
    page.get_by_label("Times").fill("3")
    page.get_by_label("Retry-After (s)").fill("7")
    page.get_by_role("button", name="Add the fault").click()
    row = page.locator("tr[data-fault]")
    expect(row).to_contain_text("429 (Retry-After 7)")
    expect(row).to_contain_text("3 of 3")
    answer = requests.get(live_mock.url + "/restapi/rawlogs/03-03-2026.csv", auth=ANALYST, timeout=10)
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")
    expect(row).to_contain_text("2 of 3")  # the table follows the fault's uses
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No active fault.")).to_be_visible()
    assert live_mock.faults == []


def test_a_bad_fault_shows_the_reason(page, live_mock):
    page.goto(live_mock.url + "/_mock/dashboard/faults")
    page.get_by_label("Times").fill("many")
    page.get_by_role("button", name="Add the fault").click()
    expect(page.get_by_role("alert").filter(has_text="times")).to_have_text("times: a number, got many")


def test_report_tasks_progress_fail_and_clear(page, live_mock):
    period = {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-02T00:00:00Z",
              "to": "2026-03-04T00:00:00Z"}
    first = live_mock.create_report(token="demo-token-analyst", filters=[period])["task"]["taskId"]
    page.goto(live_mock.url + "/_mock/dashboard/reports")
    expect(page.locator(f'tr[data-task="{first}"]')).to_have_attribute("data-status", "CREATED")
    live_mock.clock.advance(6)  # out of the queue (5 s), and written at 10,000 rows a second
    expect(page.locator(f'tr[data-task="{first}"]')).to_have_attribute("data-status", "COMPLETED")
    second = live_mock.create_report(token="demo-token-analyst", filters=[period])["task"]["taskId"]
    page.locator(f'tr[data-task="{second}"]').get_by_role("button", name="Fail it").click()
    expect(page.locator(f'tr[data-task="{second}"]')).to_have_attribute("data-status", "FAILED")
    expect(page.locator(f'tr[data-task="{second}"]')).to_contain_text("injected from the mock's dashboard")
    page.get_by_role("button", name="Clear every task and file").click()
    expect(page.get_by_text("No report task.")).to_be_visible()


@pytest.mark.parametrize("path", ["/_mock/", "/_mock/dashboard/faults", "/_mock/dashboard/reports",
                                  f"/_mock/dashboard/accounts/{ACCOUNT}/days/03-03-2026",
                                  f"/_mock/dashboard/accounts/{ACCOUNT}/days/03-03-2026?version=1"])
def test_every_page_loads_its_assets_without_a_console_error(page, live_mock, path):
    response = page.goto(live_mock.url + path)
    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    expect(page.locator(".clock-now")).to_have_text("2026-03-04 12:00:00 UTC")
    assert page.evaluate("getComputedStyle(document.querySelector('.clock-bar')).display") == "flex"
    page.wait_for_function("document.querySelector('.clock').dataset.now !== undefined")
