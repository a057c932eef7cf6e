"""Logging in to the platform's pages in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_the_login_page_renders_with_its_assets(page, live_mock):
    response = page.goto(f"{live_mock.url}/ui/login")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    # the stylesheet applied (a class only web.css knows) and live.js ran (it defines JaicpLive)
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert page.evaluate("typeof window.JaicpLive.poll") == "function"


def test_a_configured_user_logs_in_and_out(page, live_mock):
    log_in(page, live_mock, "admin")
    expect(page.locator(".who")).to_have_text("admin · times in Europe/Moscow")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{live_mock.url}/ui/analytics/dialogs")
    expect(page).to_have_url(re.compile(r"/ui/login\?next=/ui/analytics/dialogs$"))


def test_a_wrong_password_re_renders_the_form(page, live_mock, console):
    console.allow("status of 401")  # Chromium logs the page's own status
    page.goto(f"{live_mock.url}/ui/login")
    page.get_by_label("Login").fill("analyst")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong login or password.")
    expect(page.get_by_label("Login")).to_have_value("analyst")
