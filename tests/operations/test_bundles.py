"""Scenario bundles: export and import round trips, carried catalog entries, name clashes,
one transaction for everything, undo and redo, the audit row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.scenario import Scenario
from app.errors import UserError
from app.operations import bundle_catalog, bundles, catalog_ops
from app.operations.bundles import (
    export_scenarios,
    import_bundle,
    plan_import,
    read_bundle_file,
)
from app.operations.change import CATALOG, SCENARIO, ChangedElsewhere
from app.operations.scenario_files import read_scenario_file
from app.operations.workspace_ops import demo_scenarios, open_workspace
from app.storage import audit, catalog_store, scenario_store
from app.storage.errors import ReadOnlyWorkspaceError
from app.storage.workspace import Workspace
from tests.operations.bundle_helpers import all_data

H100 = "nvidia-h100-sxm-80gb"


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "source.sqlite")  # with the three demo scenarios
    yield ws
    ws.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "target.sqlite", with_demos=False)
    yield ws
    ws.close()


def _ids(ws: Workspace) -> list[int]:
    return [r.id for r in scenario_store.list_rows(ws.db)]


def _catalog_rows(ws: Workspace) -> list[tuple[str, ...]]:
    return ws.db.execute("SELECT kind, id, origin, data, shipped_data FROM catalog "
                         "ORDER BY kind, id").fetchall()


def _scenario_rows(ws: Workspace) -> list[tuple[str, ...]]:
    return ws.db.execute("SELECT id, name, data FROM scenarios ORDER BY id").fetchall()


@pytest.mark.parametrize("file_name", ["plans.enclave.zip", "plans.enclave.json"])
def test_round_trip_keeps_every_scenario_exactly(source: Workspace, target: Workspace,
                                                 tmp_path: Path, file_name: str) -> None:
    out = tmp_path / file_name
    result = export_scenarios(source, _ids(source), out)
    assert result.container == ("zip" if file_name.endswith("zip") else "json")
    assert result.catalog_entries == 0  # the demos use shipped entries only
    bundle = read_bundle_file(out)
    assert bundle.container == result.container and bundle.format_version == 1
    outcome = import_bundle(target, bundle)
    assert outcome.plan.summary() == f"{len(demo_scenarios())} scenarios"
    expected = {d["name"]: Scenario.from_dict(d).to_dict() for d in demo_scenarios()}
    assert all_data(target) == expected


def test_plain_json_export_is_a_scenario_file(source: Workspace, target: Workspace,
                                              tmp_path: Path) -> None:
    first = _ids(source)[0]
    out = tmp_path / "one.json"
    result = export_scenarios(source, [first], out)
    assert result.container == "scenario"
    scenario = read_scenario_file(out)  # the documented scenario format, nothing more
    assert scenario.to_dict() == Scenario.from_dict(scenario_store.get(source.db, first)).to_dict()
    with pytest.raises(UserError, match="holds one scenario"):
        export_scenarios(source, _ids(source), tmp_path / "all.json")
    bundle = read_bundle_file(out)
    assert bundle.container == "scenario"
    import_bundle(target, bundle)
    assert list(all_data(target)) == [scenario.name]


def test_export_refuses_bad_names_and_incomplete_scenarios(source: Workspace,
                                                           tmp_path: Path) -> None:
    with pytest.raises(UserError) as bad:
        export_scenarios(source, _ids(source), tmp_path / "plans.txt")
    assert str(bad.value) == bundles.UNKNOWN_SUFFIX.format(path=tmp_path / "plans.txt")
    draft = scenario_store.insert(source.db, {"schema_version": 1, "name": "Draft"})
    with pytest.raises(UserError) as incomplete:
        export_scenarios(source, [draft], tmp_path / "draft.enclave.zip")
    assert str(incomplete.value).startswith("scenario 'Draft': cannot be exported")
    assert "workloads" in str(incomplete.value)
    assert not (tmp_path / "draft.enclave.zip").exists()
    with pytest.raises(UserError, match=bundles.NOTHING_TO_EXPORT):
        export_scenarios(source, [], tmp_path / "none.enclave.zip")


def _override_h100(ws: Workspace, price: float) -> None:
    entry = catalog_store.get_entry(ws.db, "accelerators", H100)
    assert entry is not None
    catalog_ops.edit_entry(ws, "accelerators", {**entry, "price": {**entry["price"],
                                                                   "usd": price}})


def _secure_chat(ws: Workspace) -> int:
    return next(r.id for r in scenario_store.list_rows(ws.db) if r.accelerator_id == H100)


def test_local_catalog_entries_travel_and_never_change_the_receivers(
        source: Workspace, target: Workspace, tmp_path: Path) -> None:
    _override_h100(source, 12_345.0)
    custom = {"id": "site-gpu", "name": "Site GPU", "vendor": "Us", "memory_gb": 48,
              "memory_bandwidth_tbs": 1.0, "source": "our lab", "as_of": "2026-10"}
    catalog_ops.add_entry(source, "accelerators", custom)
    chat = _secure_chat(source)
    data = scenario_store.get(source.db, chat)
    second = {**data, "name": "On the site GPU",
              "deployment": {**data["deployment"], "accelerator": "Site GPU"}}  # by name
    other = scenario_store.insert(source.db, second)
    out = tmp_path / "chat.enclave.zip"
    assert export_scenarios(source, [chat, other], out).catalog_entries == 2
    bundle = read_bundle_file(out)
    carried = {e["id"]: e for e in bundle.catalog["accelerators"]}
    assert set(carried) == {H100, "site-gpu"}
    assert carried[H100]["price"]["usd"] == 12_345.0
    assert bundle.scenarios[1].data["deployment"]["accelerator"] == "site-gpu"  # now an id

    shipped_before = catalog_store.get_entry(target.db, "accelerators", H100)
    outcome = import_bundle(target, bundle)
    plan = outcome.plan
    actions = {(e.bundle_id, e.action, e.final_id) for e in plan.catalog}
    assert actions == {(H100, "rename", f"{H100}-imported"), ("site-gpu", "add", "site-gpu")}
    # The receiver's shipped H100 is untouched; the imported scenario uses the sender's values.
    assert catalog_store.get_entry(target.db, "accelerators", H100) == shipped_before
    imported = catalog_store.get_entry(target.db, "accelerators", f"{H100}-imported")
    assert imported is not None and imported["price"]["usd"] == 12_345.0
    assert imported["name"].endswith(bundle_catalog.IMPORTED_NAME_SUFFIX)
    stored = all_data(target)
    assert stored[data["name"]]["deployment"]["accelerator"] == f"{H100}-imported"
    assert stored["On the site GPU"]["deployment"]["accelerator"] == "site-gpu"
    assert catalog_store.entry_states(target.db, "accelerators")["site-gpu"] == "imported"
    assert {c.scope for c in outcome.change.related} == {"accelerators"}
    assert [c.kind for c in outcome.change.each()] == [SCENARIO, CATALOG]

    # Importing the same bundle again reuses the imported copy instead of making another.
    again = import_bundle(target, read_bundle_file(out))
    assert {e.action for e in again.plan.catalog} == {"same"}
    assert [s.action for s in again.plan.scenarios] == ["rename", "rename"]
    assert stored[data["name"]]["deployment"]["accelerator"] == all_data(target)[
        f"{data['name']} (2)"]["deployment"]["accelerator"]


@pytest.mark.parametrize("on_clash", ["rename", "replace", "skip"])
def test_name_clashes(source: Workspace, target: Workspace, tmp_path: Path,
                      on_clash: str) -> None:
    first, second = _ids(source)[:2]
    out = tmp_path / "two.enclave.json"
    export_scenarios(source, [first, second], out)
    bundle = read_bundle_file(out)
    clash_name = scenario_store.get(source.db, first)["name"]
    existing = scenario_store.insert(target.db, {"schema_version": 1,
                                                 "name": clash_name.upper()})
    plan = plan_import(target, bundle, on_clash)
    assert plan.clashes == (clash_name,)
    outcome = import_bundle(target, bundle, on_clash)
    names = set(all_data(target))
    if on_clash == "rename":
        assert f"{clash_name} (2)" in names and clash_name.upper() in names
        assert outcome.plan.details()[0].startswith(f"renamed '{clash_name}'")
    elif on_clash == "replace":
        assert scenario_store.get(target.db, existing)["workloads"]  # the bundle's content
        assert len(names) == 2
    else:
        assert scenario_store.get(target.db, existing) == {"schema_version": 1,
                                                           "name": clash_name.upper()}
        assert len(names) == 2
    with pytest.raises(UserError, match="on_clash"):
        plan_import(target, bundle, "merge")


def test_skipping_everything_is_refused(source: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "all.enclave.zip"
    export_scenarios(source, _ids(source), out)
    with pytest.raises(UserError) as nothing:
        import_bundle(source, read_bundle_file(out), "skip")
    assert str(nothing.value) == bundles.NOTHING_TO_IMPORT.format(name=out.name)


def test_undo_and_redo_restore_scenarios_and_catalog_exactly(
        source: Workspace, target: Workspace, tmp_path: Path) -> None:
    _override_h100(source, 999.0)
    out = tmp_path / "chat.enclave.zip"
    export_scenarios(source, [_secure_chat(source)], out)
    clash = scenario_store.get(source.db, _secure_chat(source))
    existing = scenario_store.insert(target.db, {**clash, "description": "ours"})
    before = (_scenario_rows(target), _catalog_rows(target))
    outcome = import_bundle(target, read_bundle_file(out), "replace")
    after = (_scenario_rows(target), _catalog_rows(target))
    assert after != before
    assert outcome.change.ids == (str(existing),)
    undone = outcome.inverse()
    assert (_scenario_rows(target), _catalog_rows(target)) == before
    redone = undone.inverse()
    assert (_scenario_rows(target), _catalog_rows(target)) == after
    scenario_store.update(target.db, existing, {**clash, "description": "edited elsewhere"})
    with pytest.raises(ChangedElsewhere):
        redone.inverse()


def test_a_failure_half_way_changes_nothing(source: Workspace, target: Workspace,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _override_h100(source, 999.0)
    out = tmp_path / "all.enclave.zip"
    export_scenarios(source, _ids(source), out)
    bundle = read_bundle_file(out)
    before = (_scenario_rows(target), _catalog_rows(target),
              len(audit.recent(target.db, 10_000)))
    real_insert = scenario_store.insert
    calls: list[int] = []

    def failing_insert(db: object, data: dict[str, object]) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real_insert(db, data)  # type: ignore[arg-type]

    monkeypatch.setattr(scenario_store, "insert", failing_insert)
    with pytest.raises(OSError):
        import_bundle(target, bundle)
    assert len(calls) == 3
    assert (_scenario_rows(target), _catalog_rows(target),
            len(audit.recent(target.db, 10_000))) == before


def test_read_only_workspace_refuses_before_changing_anything(source: Workspace,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "all.enclave.zip"
    export_scenarios(source, _ids(source), out)
    source.close()
    with open_workspace(tmp_path / "source.sqlite", read_only=True) as ro:
        before = _scenario_rows(ro)
        with pytest.raises(ReadOnlyWorkspaceError):
            import_bundle(ro, read_bundle_file(out))
        # Exporting only reads: it works on a read-only workspace.
        export_scenarios(ro, _ids(ro), tmp_path / "again.enclave.json")
        assert _scenario_rows(ro) == before


def test_the_audit_log_names_the_bundle_and_its_hash(source: Workspace, target: Workspace,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "all.enclave.zip"
    export_scenarios(source, _ids(source), out)
    bundle = read_bundle_file(out)
    import_bundle(target, bundle)
    row = audit.query(target.db, action_prefix="scenario.bundle_imported")[0]
    assert row.entity == "bundle" and row.entity_id == out.name
    assert row.detail["sha256"] == bundle.sha256
    assert sorted(row.detail["scenarios"]) == sorted(d["name"] for d in demo_scenarios())


def test_missing_references_are_warned_about(source: Workspace, target: Workspace,
                                             tmp_path: Path) -> None:
    chat = _secure_chat(source)
    out = tmp_path / "chat.enclave.json"
    export_scenarios(source, [chat], out)
    catalog_ops.delete_entry(target, "servers", "nvidia-dgx-h100")
    plan = import_bundle(target, read_bundle_file(out)).plan
    assert plan.warnings == (bundle_catalog.MISSING_REFERENCE.format(
        scenario=scenario_store.get(source.db, chat)["name"], field="deployment.server",
        key="nvidia-dgx-h100"),)


def test_bundle_json_is_readable_and_members_hash_canonically(source: Workspace,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "all.enclave.json"
    export_scenarios(source, _ids(source), out)
    document = json.loads(out.read_text(encoding="utf-8"))
    # Re-indenting the document keeps it valid: hashes cover values, not layout.
    out.write_text(json.dumps(document, indent=7), encoding="utf-8")
    assert len(read_bundle_file(out).scenarios) == len(_ids(source))
