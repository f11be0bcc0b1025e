"""Field edits, workloads, ranges and templates: what is stored, refused and undone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine.scenario import Scenario
from app.operations import scenario_edit as se
from app.operations import scenario_templates as st
from app.operations.change import ChangedElsewhere
from app.operations.field_input import format_value, parse_input, parse_number
from app.operations.scenario_fields import field_info, field_label
from app.operations.scenario_ops import create_scenario
from app.operations.workspace_ops import open_workspace
from app.storage import scenario_store
from app.storage.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.enclave.sqlite", with_demos=False)
    yield workspace
    workspace.close()


def _new(ws: Workspace, template: str = "chat", name: str = "Pilot") -> int:
    outcome = st.create_from_template(ws, template, name)
    return int(outcome.change.ids[0])


def test_every_template_makes_a_valid_scenario(ws: Workspace) -> None:
    for t in st.templates():
        data = st.scenario_from_template(t.id, f"From {t.id}", ws.catalog)
        scenario = Scenario.from_dict(data)
        w = scenario.workloads[0]
        assert w.template == t.workload.get("template", t.id)
        assert w.model in ws.catalog.models
        kind = st.MODEL_KIND.get(t.id, "llm")
        assert ws.catalog.models[w.model].kind == kind
        # the template's values are carried over, and labelled as assumptions
        for key, value in t.workload.items():
            if not isinstance(value, dict) and key != "template":
                assert getattr(w, key) == value, key
        fields = {a.field for a in scenario.assumptions}
        for key in t.basis:  # a section's basis is a general note naming the section
            assert (f"workloads[0].{key}" in fields if not isinstance(t.workload.get(key), dict)
                    else any(a.note.startswith(f"{key}:") for a in scenario.assumptions))
    assert {t.id for t in st.templates()} >= {"chat", "rag", "code", "batch", "embedding",
                                               "finetune"}


def test_template_with_chosen_model_and_accelerator(ws: Workspace) -> None:
    data = st.scenario_from_template("code", "C", ws.catalog, model="llama-3.1-8b",
                                     accelerator="nvidia-l40s-48gb")
    assert data["workloads"][0]["model"] == "llama-3.1-8b"
    assert data["deployment"]["accelerator"] == "nvidia-l40s-48gb"
    assert data["deployment"]["server"] is not None  # a server built for the L40S
    with pytest.raises(st.TemplateError, match="workloads\\[0\\].model"):
        st.scenario_from_template("chat", "X", ws.catalog, model="no-such-model")
    with pytest.raises(st.TemplateError, match="template"):
        st.scenario_from_template("nope", "X", ws.catalog)


def test_an_edit_is_stored_and_undone_and_redone(ws: Workspace) -> None:
    sid = _new(ws)
    outcome = se.edit_field(ws, sid, "workloads[0].users", 2000)
    assert outcome.change.description == "Set workload 1 Users to 2,000"
    assert scenario_store.get(ws.db, sid)["workloads"][0]["users"] == 2000
    redo = outcome.inverse()
    assert scenario_store.get(ws.db, sid)["workloads"][0]["users"] == 500
    redo.inverse()
    assert scenario_store.get(ws.db, sid)["workloads"][0]["users"] == 2000


def test_a_value_breaking_its_rule_is_refused_and_nothing_is_stored(ws: Workspace) -> None:
    sid = _new(ws)
    before = scenario_store.snapshot(ws.db, sid)
    with pytest.raises(se.FieldRefused) as refused:
        se.edit_field(ws, sid, "workloads[0].peak_factor", 0.5)
    assert refused.value.path == "workloads[0].peak_factor"
    assert refused.value.rule == "must be at least 1"
    with pytest.raises(se.FieldRefused, match="must be one of vllm"):
        se.edit_field(ws, sid, "deployment.engine", "fastest")
    assert scenario_store.snapshot(ws.db, sid) == before


def test_an_edit_breaking_another_field_is_refused_at_the_edited_one(ws: Workspace) -> None:
    sid = _new(ws)
    se.set_range(ws, sid, "costs.pue", 1.3, 1.7, likely=1.5)
    with pytest.raises(se.FieldRefused) as refused:  # the range needs 1 ≤ values: fine
        se.edit_field(ws, sid, "name", "")
    assert refused.value.path == "name"
    create_scenario(ws, "Taken")
    with pytest.raises(se.FieldRefused, match="already exists") as taken:
        se.edit_field(ws, sid, "name", "Taken")
    assert taken.value.path == "name"


def test_an_incomplete_scenario_can_still_be_edited_towards_valid(ws: Workspace) -> None:
    sid = int(create_scenario(ws, "Blank").change.ids[0])  # no workloads, no deployment
    assert se.scenario_problem(scenario_store.get(ws.db, sid)) is not None
    se.edit_field(ws, sid, "deployment.accelerator", "nvidia-h100-sxm-80gb")
    assert scenario_store.get(ws.db, sid)["deployment"]["accelerator"] == "nvidia-h100-sxm-80gb"
    problem = se.scenario_problem(scenario_store.get(ws.db, sid))
    assert problem is not None and problem.path == "workloads"


def test_setting_the_same_value_changes_nothing(ws: Workspace) -> None:
    sid = _new(ws)
    with pytest.raises(se.NothingChanged):
        se.edit_field(ws, sid, "workloads[0].users", 500)


def test_undo_refuses_to_overwrite_a_change_made_elsewhere(ws: Workspace) -> None:
    sid = _new(ws)
    outcome = se.edit_field(ws, sid, "costs.pue", 1.4)
    se.edit_field(ws, sid, "costs.pue", 1.5)  # outside this outcome's history
    with pytest.raises(ChangedElsewhere):
        outcome.inverse()


def test_workloads_are_added_and_removed_with_their_ranges(ws: Workspace) -> None:
    sid = _new(ws)
    rag = st.template_workload(st.template("rag"), ws.catalog)
    se.add_workload(ws, sid, rag)
    se.add_workload(ws, sid, rag)
    names = [w["name"] for w in scenario_store.get(ws.db, sid)["workloads"]]
    assert names == ["chat", "rag", "rag-2"]
    se.set_range(ws, sid, "workloads[2].users", 100, 900)
    se.set_range(ws, sid, "workloads[1].users", 100, 900)
    se.remove_workload(ws, sid, 1)
    data = scenario_store.get(ws.db, sid)
    assert [w["name"] for w in data["workloads"]] == ["chat", "rag-2"]
    assert set(data["uncertainty"]) == {"workloads[1].users"}  # rag-2's range moved with it
    Scenario.from_dict(data)
    se.remove_workload(ws, sid, 1)
    with pytest.raises(se.FieldRefused, match="at least one workload"):
        se.remove_workload(ws, sid, 0)


def test_ranges_are_checked_against_the_fields_rule(ws: Workspace) -> None:
    sid = _new(ws)
    se.set_range(ws, sid, "costs.energy_usd_per_kwh", 0.06, 0.18, likely=0.08,
                 distribution="pert")
    assert scenario_store.get(ws.db, sid)["uncertainty"]["costs.energy_usd_per_kwh"] == {
        "low": 0.06, "likely": 0.08, "high": 0.18, "distribution": "pert"}
    with pytest.raises(se.FieldRefused) as refused:
        se.set_range(ws, sid, "costs.pue", 1.7, 1.3)
    assert refused.value.path == 'uncertainty["costs.pue"].high'
    with pytest.raises(se.FieldRefused, match="must be at least 1"):
        se.set_range(ws, sid, "costs.pue", 0.5, 1.3)
    se.remove_range(ws, sid, "costs.energy_usd_per_kwh")
    assert scenario_store.get(ws.db, sid)["uncertainty"] == {}


@pytest.mark.parametrize(("path", "text", "value"), [
    ("workloads[0].users", "2,000", 2000),
    ("workloads[0].users", "2k", 2000),
    ("costs.storage_usd", "1.5M", 1_500_000.0),
    ("costs.discount_rate_per_year", "8", 0.08),  # shown in percent
    ("costs.discount_rate_per_year", "8 %", 0.08),
    ("deployment.gpu_count", "", None),  # optional: empty = sized automatically
    ("workloads[0].users", "", None),  # optional since fine-tuning workloads have no users
    ("workloads[0].embedding.chunk_tokens", "1k", 1000),
    ("workloads[0].ttft_target_ms", "", None),
    ("requirements.allowed_licences", "apache-2.0, mit ,", ["apache-2.0", "mit"]),
    ("deployment.redundancy", "n+2", "n+2"),
])
def test_typed_text_becomes_the_stored_value(path: str, text: str, value: object) -> None:
    assert parse_input(field_info(path), text) == value


@pytest.mark.parametrize(("path", "text", "rule"), [
    ("workloads[0].users", "many", "must be a number (e.g. 2,000 or 25k)"),
    ("workloads[0].users", "0", "must be at least 1"),
    ("workloads[0].users", "12.5", "must be a whole number"),
    ("costs.horizon_months", "", "is required"),
    ("costs.residual_fraction", "100", "must be less than 100 %"),
    ("costs.load_factor", "0", "must be greater than 0 %"),
    ("workloads[0].active_hours_per_day", "25", "must be at most 24"),
    ("deployment.redundancy", "two spares",
     'must be "none", "n+K" (e.g. n+1) or "P%" (e.g. 20%)'),
])
def test_bad_text_is_refused_with_the_rule_in_the_units_shown(path: str, text: str,
                                                              rule: str) -> None:
    with pytest.raises(se.FieldRefused) as refused:
        parse_input(field_info(path), text)
    assert refused.value.rule == rule and refused.value.path == path


def test_values_are_shown_as_typed() -> None:
    assert format_value(field_info("costs.discount_rate_per_year"), 0.08) == "8"
    assert format_value(field_info("workloads[0].users"), 1600) == "1,600"
    assert format_value(field_info("costs.energy_usd_per_kwh"), 0.0825) == "0.0825"
    assert format_value(field_info("deployment.gpu_count"), None) == ""
    assert parse_number("1e3") == 1000 and parse_number("abc") is None


def test_field_labels_carry_units() -> None:
    assert field_label("costs.gpu_price_usd") == "GPU price (USD/GPU)"
    assert field_label("workloads[1].users", workload_names=("a", "b")) == "b: Users"
    assert field_label("no.such") == "no.such"
    with pytest.raises(KeyError):
        field_info("costs.no_such_field")
