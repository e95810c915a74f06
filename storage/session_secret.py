"""The secret that signs the /admin login cookie: from settings, or one random secret kept in the
data folder so every web process (and a restart) signs alike."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

__all__ = ["session_secret"]


def session_secret(configured: str | None, data_dir: Path) -> str:
    """``configured`` when set; else the secret in ``data_dir/session-secret``, created once."""
    if configured:
        return configured
    path = data_dir / "session-secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".session-secret-")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp, path)  # whole file or nothing; the first process to link wins, the others read it
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
