"""The command line: version, catalog listing, and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app import __version__
from app.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"enclave {__version__}"


@pytest.mark.parametrize("kind", ["models", "accelerators", "quantizations"])
def test_catalog_list_csv_has_provenance(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", kind, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows
    for row in rows:
        assert row["id"] and row["name"] and row["source"] and row["as_of"]


def test_catalog_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "models", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"llama-3.1-8b", "deepseek-r1"} <= {d["id"] for d in data}


def test_catalog_list_reads_the_named_workspace(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "site.sqlite"
    assert main(["--workspace", str(target), "catalog", "list", "models"]) == 0
    assert target.exists()
    capsys.readouterr()


def test_bad_kind_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list", "gpus"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "invalid choice: 'gpus'" in err


def test_unopenable_workspace_is_one_line_exit_2(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("not a workspace")
    assert main(["--workspace", str(target), "catalog", "list", "models"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an SQLite file" in err
    assert target.read_text() == "not a workspace"
