"""Reading a JSON file a user gave: bounded in size, and every failure a `UserError` naming it.

Catalog packs and scenario files are read this way: the size is checked before reading, the
bytes must be UTF-8, and a file that is not JSON, nests too deeply for the decoder or holds an
integer too long to convert is refused with one line (`chat.json: is not valid JSON (line 3:
Expecting ',' delimiter)`) instead of a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import UserError


def read_json_file(path: Path, limit_bytes: int, error: type[UserError], what: str) -> Any:
    """The decoded content of `path`; raises `error` naming the file when it cannot be read,
    is larger than `limit_bytes`, is not UTF-8 or not valid JSON. `what` names the content in
    the message for JSON nested too deeply (`a scenario`)."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise error(f"{name}: cannot be read ({exc.strerror})") from None
    if size > limit_bytes:
        raise error(f"{name}: is larger than the {limit_bytes // 1_000_000} MB limit")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{name}: must be UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise error(f"{name}: is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise error(f"{name}: nests too deeply to be {what}") from None
    except ValueError as exc:  # an integer too long to convert
        raise error(f"{name}: is not valid JSON ({str(exc)[:80]})") from None
    except OSError as exc:
        raise error(f"{name}: cannot be read ({exc.strerror})") from None
