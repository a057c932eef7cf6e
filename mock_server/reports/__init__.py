"""Report tasks of the Reporter API, without HTTP: models, filters, rows, files, lifecycle, store (docs/reports.md)."""
