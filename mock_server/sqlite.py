"""The SQLite conventions every storage seam shares (the mock's state, the report tasks).

Each seam keeps its own database file and tables; what they share is how a connection is opened (autocommit,
so transactions are explicit; WAL, so readers never wait for a writer; a 10 s wait for another process's
lock) and how a transaction is run.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path


def connect_db(path: Path | str) -> sqlite3.Connection:
    """A connection shared by the server's threads (each seam serialises its own use with a lock)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    return db


@contextlib.contextmanager
def sqlite_transaction(db: sqlite3.Connection, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
    """``BEGIN <mode>`` ... ``COMMIT``, or ``ROLLBACK`` and re-raise (IMMEDIATE: concurrent writers queue)."""
    db.execute(f"BEGIN {mode}")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
