"""The control API under ``/_mock/``: routes (:mod:`.routes`) and the JSON contract (:mod:`.views`)."""

from mock_server.control.routes import blueprint

__all__ = ["blueprint"]
