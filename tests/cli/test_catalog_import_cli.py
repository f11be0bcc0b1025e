"""`enclave catalog import-model`, `import` and `export`: output, exit codes, no partial writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from tests.catalog.model_files import (
    LLAMA_31_8B,
    MIXTRAL_8X7B,
    llama_gguf,
    mixtral_table,
    write_model,
)


def _workspace(tmp_path: Path) -> list[str]:
    return ["--workspace", str(tmp_path / "ws.sqlite")]


def test_import_model_prints_what_it_read(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_model(tmp_path / "Mixtral-8x7B", MIXTRAL_8X7B, mixtral_table(MIXTRAL_8X7B),
                         sparse=True, shards=2)
    assert main([*_workspace(tmp_path), "catalog", "import-model", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("added models entry 'mixtral-8x7b-local' (Mixtral-8x7B): "
                          "46,702,792,704 params (46.70 B); 12,879,925,248 active (12.88 B, "
                          "top-2 of 8 experts); 32 layers, 32 heads / 8 KV heads x 128; ")
    assert "93.41 GB of BF16 weights (16.00 bits/weight)" in out
    assert main([*_workspace(tmp_path), "catalog", "list", "models", "--format", "json"]) == 0
    listed = {e["id"]: e for e in json.loads(capsys.readouterr().out)}
    assert listed["mixtral-8x7b-local"]["params_active"] == 12_879_925_248
    assert listed["mixtral-8x7b"]["params_active_b"] == 12.9  # the shipped entry is kept


def test_import_gguf_with_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = llama_gguf().write(tmp_path / "x.gguf")
    args = ["catalog", "import-model", str(path), "--id", "site-llama", *_workspace(tmp_path)]
    assert main(args) == 0
    assert "added models entry 'site-llama' (Hand Llama)" in capsys.readouterr().out
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("unchanged models entry 'site-llama'")


def test_bad_model_file_is_one_line_exit_2_and_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path)
    assert main([*ws, "catalog", "list", "models"]) == 0
    before = capsys.readouterr().out
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 16)
    assert main([*ws, "catalog", "import-model", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("enclave: broken.gguf: tensor count ")
    config = {**LLAMA_31_8B}
    del config["num_key_value_heads"]
    folder = write_model(tmp_path / "m", config, {})
    assert main([*ws, "catalog", "import-model", str(folder)]) == 2
    assert capsys.readouterr().err.startswith(
        "enclave: config.json: num_key_value_heads is missing; add it or use a supported")
    assert main([*ws, "catalog", "import-model", str(tmp_path / "nope")]) == 2
    capsys.readouterr()
    assert main([*ws, "catalog", "list", "models"]) == 0
    assert capsys.readouterr().out == before


def test_export_then_import_packs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path)
    out = tmp_path / "apis.csv"
    assert main([*ws, "catalog", "export", "cloud-apis", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("exported ")
    lines = out.read_text().splitlines()
    assert lines[0].startswith("kind,id,name,")
    assert main([*ws, "catalog", "import", str(out)]) == 0
    assert " 0 added, 0 changed, " in capsys.readouterr().out
    pack = tmp_path / "models.json"
    assert main([*ws, "catalog", "export", "models", "--out", str(pack)]) == 0
    data = json.loads(pack.read_text())
    data["entries"] = [{**data["entries"][0], "id": "copy-of-first"}]
    pack.write_text(json.dumps(data))
    assert main([*ws, "catalog", "import", str(pack)]) == 0
    assert "1 added, 0 changed" in capsys.readouterr().out
    assert main([*ws, "catalog", "export", "models", "--out", str(tmp_path / "m.csv")]) == 2
    assert "cannot be written as CSV" in capsys.readouterr().err


def test_bad_pack_is_refused_without_changes(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path)
    pack = tmp_path / "servers.json"
    pack.write_text(json.dumps({"kind": "servers", "catalog_version": "1", "entries": [
        {"id": "new-box", "name": "Box", "gpu_slots": 0, "source": "s", "as_of": "2025"}]}))
    assert main([*ws, "catalog", "import", str(pack)]) == 2
    assert capsys.readouterr().err == (
        "enclave: servers.json: entry 'new-box': gpu_slots: must be at least 1\n")
    assert main([*ws, "catalog", "list", "servers"]) == 0
    assert "new-box" not in capsys.readouterr().out
