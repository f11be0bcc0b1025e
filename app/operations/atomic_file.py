"""Write a file atomically: a temporary file beside it, fsync, then `os.replace`.

A reader (or a crash) sees either the old file or the complete new one, never a half-written
file. Errors become `UserError` naming the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.errors import UserError


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (the folder must exist)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: folder {folder} does not exist")
    if path.is_dir():
        raise UserError(f"{path}: is a folder")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        try:
            dir_fd = os.open(folder, os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
