"""Scenario files: errors name the file and the field; writes are atomic; demos are found."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations.scenario_files import (
    demo_scenario_paths,
    find_scenario,
    read_scenario_file,
    write_scenario_file,
)
from app.storage import files
from tests.operations.catalog_fixture import scenario_dict


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip(tmp_path: Path) -> None:
    s = Scenario.from_dict(scenario_dict())
    target = tmp_path / "a.json"
    write_scenario_file(target, s)
    assert read_scenario_file(target) == s
    assert target.read_text(encoding="utf-8").endswith("\n")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "bad.json: is not valid JSON (line 1:"),
        ('{"name": "x"}', "bad.json: workloads: is required"),
        (json.dumps({**scenario_dict(), "costs": {"pue": 0.5}}), "bad.json: costs.pue: must be at least 1"),
        ("[1, 2]", "bad.json: scenario: must be a JSON object"),
    ],
)
def test_read_errors_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        read_scenario_file(_write(tmp_path / "bad.json", text))
    assert str(caught.value).startswith(message), str(caught.value)


def test_non_utf8_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "latin.json"
    bad.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(UserError, match="latin.json: must be UTF-8 text"):
        read_scenario_file(bad)
    with pytest.raises(UserError, match="gone.json: cannot be read"):
        read_scenario_file(tmp_path / "gone.json")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keep.json"
    target.write_text("old content\n", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(UserError, match="keep.json: cannot be written"):
        write_scenario_file(target, Scenario.from_dict(scenario_dict()))
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(os.listdir(tmp_path)) == ["keep.json"]


def test_demos_are_found_by_stem_name_or_path() -> None:
    demos = demo_scenario_paths()
    assert len(demos) >= 3
    stem, path = next(iter(demos.items()))
    by_stem, origin = find_scenario(stem)
    assert origin == f"demo:{stem}"
    by_name, _ = find_scenario(by_stem.name.upper())
    by_path, _ = find_scenario(str(path))
    assert by_stem == by_name == by_path


def test_unknown_reference_lists_the_demos() -> None:
    with pytest.raises(UserError, match=r"scenario 'nothing': no such file, workspace scenario "
                                          r"\(`enclave scenario list` names them\) or demo "
                                          r"\(demos: "):
        find_scenario("nothing")
    with pytest.raises(UserError, match="missing.json: no such file"):
        find_scenario("missing.json")
