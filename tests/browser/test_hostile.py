"""Client text is hostile: whatever the raw log holds shows as text on the pages, never as markup or script."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from generators import schema
from generators.strategies import adversarial_sessions, adversarial_text
from mock_server.reports import content
from tests.browser.conftest import log_in

DAY = date(2026, 3, 3)
HTML_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '"><svg onload=alert(3)>',
                 "</td></tr></table><h1 id=pwned>pwned</h1>", "{{ 7*7 }}{% raw %}", "&lt;b&gt;&amp;",
                 "<a href=javascript:alert(4)>x</a>", "<!--", "<style>body{display:none}</style>")
HOSTILE = st.tuples(adversarial_text(40), st.sampled_from(HTML_PAYLOADS), adversarial_text(40)).map("".join)


def shown(text: str) -> str:
    """What a browser's DOM holds for ``text``: HTML parsing turns CR LF and a lone CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def with_hostile(rows: list[tuple], name: str, question: str) -> list[tuple]:
    """The session's rows with hostile markup in the client's name and its first phrase."""
    changed = []
    for number, row in enumerate(rows):
        fields = list(row)
        fields[schema.CLIENT_NAME] = name
        if number == 0:
            fields[schema.MSG_QUESTION] = question
        changed.append(tuple(fields))
    return changed


def test_hostile_client_text_renders_as_text(page, live_mock, monkeypatch):
    served: dict[date, list[tuple]] = {}
    monkeypatch.setattr(content, "generate_day", lambda account, day, **options: iter(served.get(day, ())))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_mock, "analyst")
    seen = Counter()

    @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(adversarial_sessions(day=DAY), HOSTILE, HOSTILE)
    def check(rows: list[tuple], name: str, question: str) -> None:
        rows = with_hostile(rows, name, question)
        served.clear()
        served[DAY] = rows
        live_mock.state.reports.lists.clear()  # another day's data under the same query
        session_id = rows[0][schema.SESSION_ID]
        page.goto(f"{live_mock.url}/ui/analytics/dialogs?start=2026-02-20T00:00&end=2026-03-04T12:00"
                  f"&session={session_id}")
        row = page.locator(f'#sessions tr[data-session-id="{session_id}"]')
        expect(row).to_have_count(1)
        assert row.locator("td").nth(2).text_content() == shown(name)
        phrases = page.locator("#phrases .client")
        assert phrases.first.text_content() == shown(question)
        assert page.locator("#pwned, script:not([src]), img, svg, style").count() == 0
        assert page.locator("script").count() == 2  # live.js and tasks.js only
        event("markup in the client's name and phrase")
        seen["rendered"] += 1

    check()
    assert seen["rendered"] >= 6
    assert dialogs == []
