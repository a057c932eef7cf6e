"""The control API under ``/_mock/``: :mod:`.routes` (the blueprint) and :mod:`.views` (its JSON contract)."""
