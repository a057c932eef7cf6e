"""The mock's dashboard under ``/_mock/`` (pages under ``/_mock/dashboard/``): its accounts, the raw-log
calendar, a day's view, the clock, faults, report tasks and the request journal, as pages a person reads
instead of the control API's JSON.

The models (:mod:`.calendar`, :mod:`.daydata`, :mod:`.charts`) are plain functions of the state and the clock's
now; :mod:`.pages` renders them and :mod:`.actions` passes forms to the same functions the control API calls;
:mod:`.access` applies the control API's access rule.
"""

from __future__ import annotations

from flask import Flask


def init_dashboard(app: Flask) -> None:
    """Register the dashboard's blueprint (its pages, forms and access check) on ``app``."""
    from mock_server.dashboard import access, actions  # noqa: F401 - they add their routes to the blueprint
    from mock_server.dashboard.pages import blueprint

    app.register_blueprint(blueprint)
