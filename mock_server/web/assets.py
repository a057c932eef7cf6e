"""The shared layout and assets: ``web/base.html`` and ``static/`` (served at ``/ui/static/``), used by every page."""

from __future__ import annotations

from mock_server.urls import UI_PREFIX
from mock_server.web.security import ui_blueprint

blueprint = ui_blueprint("web", __name__, UI_PREFIX, static_folder="static", template_folder="templates")
