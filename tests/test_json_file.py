"""The bounded JSON reader behind catalog packs and scenario files: each failure is one
`UserError` of the caller's type naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import UserError
from app.json_file import read_json_file


class PackError(UserError):
    pass


def _read(path: Path, limit: int = 1_000_000) -> object:
    return read_json_file(path, limit, PackError, "a pack")


def test_reads_the_json(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text('{"a": [1, 2.5, "é"]}', encoding="utf-8")
    assert _read(path) == {"a": [1, 2.5, "é"]}


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe{}", "bad.json: must be UTF-8 text"),
    (b'{\n  "a": 1\n  "b": 2\n}', r"bad.json: is not valid JSON \(line 3: Expecting ',' delimiter\)"),
    (b"[" * 100_000 + b"]" * 100_000, "bad.json: nests too deeply to be a pack"),
    (b"1" * 5_000, r"bad.json: is not valid JSON \(Exceeds the limit"),
])
def test_a_bad_file_is_one_error_naming_it(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(PackError, match=message):
        _read(path, limit=10_000_000)


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2_000_001)
    with pytest.raises(PackError, match="big.json: is larger than the 2 MB limit"):
        _read(path, limit=2_000_000)


def test_a_missing_file_or_a_folder_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="gone.json: cannot be read"):
        _read(tmp_path / "gone.json")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(PackError, match="folder.json: cannot be read"):
        _read(folder)
