"""The configuration the serving benchmarks share: one account, one project, one analyst.

``sessions`` is filled in by each benchmark (``ONE_ACCOUNT.format(sessions=...)``) to size its day.
"""

ONE_ACCOUNT = """
[[accounts]]
id = 1234567
rawlogs_enabled_at = "2026-01-01T00:00:00Z"
sessions_per_day = {sessions}
[[accounts.projects]]
name = "Demobot"
[[accounts.users]]
login = "analyst"
password = "analyst"
roles = ["RAWLOGS_ANALYTIC"]
"""
