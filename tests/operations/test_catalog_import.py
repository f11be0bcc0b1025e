"""Catalog imports and exports through the operation layer: what changed, and all-or-nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.catalog.fields import CSV_KINDS as FLAT_KINDS
from app.errors import UserError
from app.operations.catalog_import import export_kind, import_model, import_pack
from app.operations.workspace_ops import open_workspace
from app.storage.workspace import Workspace
from tests.catalog.model_files import LLAMA_31_8B, dense_table, llama_gguf, write_model

TINY = {**LLAMA_31_8B, "num_hidden_layers": 1, "hidden_size": 64, "intermediate_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50}


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace
    workspace.close()


def _rows(ws: Workspace) -> list[tuple[Any, ...]]:
    catalog = ws.db.execute("SELECT kind, id, origin, data, shipped_data FROM catalog "
                            "ORDER BY kind, id").fetchall()
    audit = ws.db.execute("SELECT count(*) FROM audit_log").fetchall()
    return [*catalog, *audit]


def test_import_model_adds_then_reports_unchanged(ws: Workspace, tmp_path: Path) -> None:
    folder = write_model(tmp_path / "tiny-llama", TINY, dense_table(TINY))
    first = import_model(ws, folder)
    assert (first.kind, first.added, first.changed) == ("models", ("tiny-llama",), ())
    assert ws.catalog.model("tiny-llama").params_total == first.entries[0]["params_total"]
    again = import_model(ws, folder)
    assert (again.added, again.changed, again.unchanged) == ((), (), ("tiny-llama",))
    gguf = import_model(ws, llama_gguf().write(tmp_path / "hand.gguf"), entry_id="tiny-llama")
    assert gguf.changed == ("tiny-llama",)
    origins = dict(ws.db.execute("SELECT id, origin FROM catalog WHERE kind='models'"))
    assert origins["tiny-llama"] == "imported"


def _broken_inputs(tmp_path: Path) -> list[Path]:
    bad_gguf = tmp_path / "bad.gguf"
    bad_gguf.write_bytes(b"GGUF" + b"\xff" * 40)
    truncated = write_model(tmp_path / "truncated", TINY, dense_table(TINY))
    data = (truncated / "model.safetensors").read_bytes()
    (truncated / "model.safetensors").write_bytes(data[:-10])
    no_kv = write_model(tmp_path / "no-kv", {k: v for k, v in TINY.items()
                                             if k != "num_key_value_heads"}, dense_table(TINY))
    bad_pack = tmp_path / "pack.json"
    bad_pack.write_text(json.dumps({"kind": "servers", "catalog_version": "x", "entries": [
        {"id": "ok-server", "name": "OK", "gpu_slots": 8, "source": "s", "as_of": "2025"},
        {"id": "bad-server", "name": "Bad", "gpu_slots": -1, "source": "s", "as_of": "2025"}]}))
    bad_csv = tmp_path / "servers.csv"
    bad_csv.write_text("kind,id,name,gpu_slots,source,as_of\nservers,a,A,8,s,2025\n"
                       "servers,b,B,eight,s,2025\n")
    return [bad_gguf, truncated, no_kv, bad_pack, bad_csv]


def test_failed_imports_change_nothing(ws: Workspace, tmp_path: Path) -> None:
    before = _rows(ws)
    for path in _broken_inputs(tmp_path):
        with pytest.raises(UserError) as info:
            if path.suffix in (".json", ".csv"):
                import_pack(ws, path)
            else:
                import_model(ws, path)
        assert str(info.value).split(":")[0] in (path.name, "config.json", "model.safetensors",
                                                 "bad.gguf")
        assert _rows(ws) == before


@pytest.mark.parametrize("kind", FLAT_KINDS)
def test_csv_round_trip_of_flat_kinds(ws: Workspace, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.csv"
    exported = export_kind(ws, kind, out)
    assert exported.count > 0 and exported.format == "csv"
    before = _rows(ws)[:-1]
    change = import_pack(ws, out)
    assert change.added == () and change.changed == ()
    assert len(change.unchanged) == exported.count
    after = {r[1]: json.loads(r[3]) for r in _rows(ws)[:-1] if r[0] == kind}
    originals = {r[1]: json.loads(r[3]) for r in before if r[0] == kind}
    for entry_id, entry in after.items():
        assert {k: v for k, v in entry.items() if v not in (None, "")} == {
            k: v for k, v in originals[entry_id].items() if v not in (None, "")}


def test_json_round_trip_and_edit(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "models.json"
    export_kind(ws, "models", out)
    pack = json.loads(out.read_text())
    assert pack["kind"] == "models" and pack["catalog_version"]
    pack["entries"][0]["name"] = "Renamed"
    pack["entries"].append({**pack["entries"][1], "id": "my-copy"})
    out.write_text(json.dumps(pack))
    change = import_pack(ws, out)
    assert change.changed == (pack["entries"][0]["id"],) and change.added == ("my-copy",)


def test_csv_needs_a_kind_and_models_are_not_flat(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("id,name,provider,input_usd_per_mtok,output_usd_per_mtok,source,as_of\n"
                    "x,X,Acme,1.5,2,https://example.org,2025-01\n")
    with pytest.raises(UserError, match="add a 'kind' column or choose which kind"):
        import_pack(ws, path)
    change = import_pack(ws, path, kind="cloud-apis")
    assert change.added == ("x",)
    assert ws.catalog.cloud_apis["x"].input_usd_per_mtok == 1.5
    with pytest.raises(UserError, match="models: cannot be written as CSV"):
        export_kind(ws, "models", tmp_path / "models.csv")
    assert not (tmp_path / "models.csv").exists()


def test_export_is_atomic_and_names_bad_targets(ws: Workspace, tmp_path: Path) -> None:
    nested = export_kind(ws, "servers", tmp_path / "new" / "servers.json")
    assert nested.count > 0 and (tmp_path / "new" / "servers.json").stat().st_mode & 0o077 == 0
    (tmp_path / "blocked").write_text("a file where a folder is wanted")
    with pytest.raises(UserError, match="cannot be written"):
        export_kind(ws, "servers", tmp_path / "blocked" / "servers.json")
    target = tmp_path / "servers.json"
    target.write_text("old")
    export_kind(ws, "servers", target)
    assert json.loads(target.read_text())["kind"] == "servers"
    assert [p.name for p in tmp_path.rglob(".*")] == []
