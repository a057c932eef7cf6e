"""Logging in to the platform's pages in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_login_page_renders_with_its_assets(page, live_mock):
    response = page.goto(f"{live_mock.url}/ui/login")
    assert response is not None and response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    # the stylesheet applied (a class only web.css knows) and live.js ran (it defines JaicpLive)
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert page.evaluate("typeof window.JaicpLive.poll") == "function"


def test_a_configured_user_logs_in_and_out(page, live_mock):
    page.goto(f"{live_mock.url}/ui/login")
    page.get_by_label("Login").fill("analyst")
    page.get_by_label("Password").fill("analyst")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("You are logged in as")).to_contain_text("analyst")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged in as")).to_have_count(0)
