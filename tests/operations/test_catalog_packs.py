"""Catalog packs: all-or-nothing imports (undoable), atomic owner-only exports, CSV for flat kinds."""

from __future__ import annotations

import csv
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.catalog.loader import CatalogError
from app.operations import catalog_packs
from app.operations.progress import Cancelled, CancelToken
from app.operations.workspace_ops import open_workspace
from app.storage import catalog_store
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite")
    yield workspace
    workspace.close()


def _server(**extra: object) -> dict[str, object]:
    return {"id": "test-server", "name": "Test server", "gpu_slots": 4,
            "source": "vendor sheet", "as_of": "2025-01", **extra}


def test_json_pack_round_trip_and_undoable_import(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "servers.json"
    count = catalog_packs.export_pack(ws, "servers", out)
    assert count == len(catalog_store.entries(ws.db, "servers"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".servers.json.*"))  # no temp file left behind
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["kind"] == "servers" and len(data["entries"]) == count

    data["entries"] = [_server()]
    pack_file = tmp_path / "new.json"
    pack_file.write_text(json.dumps(data), encoding="utf-8")
    pack = catalog_packs.read_pack_file(pack_file)
    outcome = catalog_packs.import_pack(ws, pack)
    assert outcome.change.ids == ("test-server",)
    assert catalog_store.entry_states(ws.db, "servers")["test-server"] == "imported"
    outcome.inverse()
    assert catalog_store.get_entry(ws.db, "servers", "test-server") is None


def test_a_bad_pack_is_refused_whole(ws: Workspace, tmp_path: Path) -> None:
    before = catalog_store.entries(ws.db, "servers")
    pack_file = tmp_path / "bad.json"
    pack_file.write_text(json.dumps({"kind": "servers", "catalog_version": "x", "entries": [
        _server(), _server(id="broken", gpu_slots=0)]}), encoding="utf-8")
    with pytest.raises(CatalogError, match="bad.json: entry 'broken': gpu_slots: must be at least 1"):
        catalog_packs.read_pack_file(pack_file)
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="junk.json: is not valid JSON"):
        catalog_packs.read_pack_file(tmp_path / "junk.json")
    assert catalog_store.entries(ws.db, "servers") == before


def test_csv_round_trip_for_flat_kinds(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "rentals.csv"
    count = catalog_packs.export_pack(ws, "gpu-rentals", out)
    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == count
    assert {"id", "name", "source", "as_of", "on_demand_usd_per_gpu_hour"} <= set(rows[0])
    pack = catalog_packs.read_pack_file(out, "gpu-rentals")
    assert len(pack.entries) == count
    originals = {e["id"]: e for e in catalog_store.entries(ws.db, "gpu-rentals")}
    for entry in pack.entries:
        assert entry.get("on_demand_usd_per_gpu_hour") == \
            originals[entry["id"]]["on_demand_usd_per_gpu_hour"]


def test_csv_cells_that_look_like_formulas_are_guarded_both_ways(ws: Workspace,
                                                                 tmp_path: Path) -> None:
    catalog_store.save_entry(ws.db, "servers", _server(name="=HYPERLINK(\"x\")"))
    out = tmp_path / "servers.csv"
    catalog_packs.export_pack(ws, "servers", out)
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8")
    pack = catalog_packs.read_pack_file(out, "servers")
    assert next(e for e in pack.entries if e["id"] == "test-server")["name"] == \
        "=HYPERLINK(\"x\")"


def test_csv_errors_name_the_row_column_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,name,gpu_slots,source,as_of\nok,OK,8,doc,2025\nbad,Bad,eight,doc,2025\n",
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="s.csv: row 3: gpu_slots: must be a whole number"):
        catalog_packs.read_pack_file(path, "servers")
    path.write_text("id,name,gpus,source,as_of\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="column 'gpus' is not a field of servers"):
        catalog_packs.read_pack_file(path, "servers")
    path.write_text("id,name,gpu_slots\nx,X,1\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="the columns source, as_of are required"):
        catalog_packs.read_pack_file(path, "servers")
    with pytest.raises(CatalogError, match="cannot be written as CSV"):
        catalog_packs.read_pack_file(path, "models")
    with pytest.raises(CatalogError, match="a CSV pack holds one kind"):
        catalog_packs.read_pack_file(path, None)


def test_nested_kinds_cannot_be_exported_as_csv(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="models: cannot be written as CSV"):
        catalog_packs.export_pack(ws, "models", tmp_path / "models.csv")
    assert not (tmp_path / "models.csv").exists()


def test_reading_a_large_csv_stops_when_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["id,name,gpu_slots,source,as_of"] + [f"s{i},S {i},8,doc,2025" for i in range(1000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        catalog_packs.read_pack_file(path, "servers", cancel=token)
    reports: list[float] = []
    pack = catalog_packs.read_pack_file(path, "servers", lambda f, m: reports.append(f))
    assert len(pack.entries) == 1000
    assert reports[-1] == 1.0
