"""The key that signs the browser session and its CSRF tokens: random, kept in the data dir.

Kept in a file (mode 0600) so a restart, and a second process serving the same data dir, accept the sessions
the first one signed. The file is published with ``os.link``, which fails when the name exists: of two processes
starting at once, exactly one key wins and both read it (``os.replace`` would let the loser keep a key nobody
else has). The key is never logged.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

SECRET_FILE = "web-secret.key"
KEY_BYTES = 32


def load_or_create_secret(data_dir: Path) -> bytes:
    """The data dir's session key, made on first use."""
    path = data_dir / SECRET_FILE
    key = _read(path)
    if key is not None:
        return key
    descriptor, temporary = tempfile.mkstemp(prefix=".web-secret-", dir=data_dir)  # mkstemp creates it 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process published its key first: use that one
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    key = _read(path)
    if key is None:
        raise OSError(f"the session key in {path} is unreadable or too short")
    return key


def _read(path: Path) -> bytes | None:
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        return None
    return key if len(key) == KEY_BYTES else None
