"""The shared layout and assets: ``web/base.html`` and ``static/`` (served at ``/ui/static/``), used by every page."""

from __future__ import annotations

from datetime import datetime

from flask import g

from mock_server.urls import UI_PREFIX
from mock_server.web.security import ui_blueprint

blueprint = ui_blueprint("web", __name__, UI_PREFIX, static_folder="static", template_folder="templates")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@blueprint.app_template_filter("local")
def local_time(moment: datetime) -> str:
    """A time as the platform shows it: in the logged-in user's profile zone (the raw-log CSV stays UTC)."""
    return moment.astimezone(g.zone).strftime(TIME_FORMAT)
