"""Form fields: every shipped value survives being shown in a form and read back."""

from __future__ import annotations

import pytest

from app.catalog import fields
from app.catalog.loader import shipped_packs
from app.catalog.validate import KINDS, entry_errors


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_entries_round_trip_through_the_form(kind: str) -> None:
    for entry in shipped_packs()[kind].entries:
        values = {}
        for spec in fields.fields(kind):
            value = fields.value_at(entry, spec.path)
            if spec.type in ("boolean",) or (spec.type == "choice" and not spec.open_choice):
                values[spec.path] = value  # combo boxes hand back the stored value itself
                continue
            if value in ([], ""):
                values[spec.path] = value  # the form keeps a value whose text is untouched
                continue
            parsed, problem = fields.parse_text(spec, fields.format_value(spec, value))
            assert problem is None, (entry["id"], spec.path)
            values[spec.path] = parsed
        rebuilt = fields.apply_values(kind, entry, values)
        assert rebuilt == entry, entry["id"]
        assert entry_errors(kind, rebuilt) == []


def test_every_documented_field_has_a_label_with_its_unit() -> None:
    spec = fields.field_spec("accelerators", "memory_bandwidth_tbs")
    assert spec is not None and spec.label == "Memory bandwidth (TB/s)"
    assert fields.label("cloud-apis", "input_usd_per_mtok") == "Input (USD per 1M tokens)"
    assert fields.label("models", "not.documented") == "not.documented"
    for kind in KINDS:
        paths = [s.path for s in fields.fields(kind)]
        assert len(paths) == len(set(paths)), kind
        assert {"id", "name", "source", "as_of"} <= set(paths)


def test_parse_text_uses_the_validation_wording() -> None:
    number = fields.FieldSpec("x", "X", "number")
    integer = fields.FieldSpec("x", "X", "integer")
    assert fields.parse_text(number, "1,024.5") == (1024.5, None)
    assert fields.parse_text(number, "") == (None, None)
    assert fields.parse_text(number, "fast") == (None, "must be a number")
    assert fields.parse_text(number, "inf") == (None, "must be a finite number")
    assert fields.parse_text(integer, "2.5") == (None, "must be a whole number")
    listing = fields.FieldSpec("x", "X", "list")
    assert fields.parse_text(listing, "a; b ;;c") == (["a", "b", "c"], None)


def test_an_emptied_optional_object_becomes_null() -> None:
    entry = next(e for e in shipped_packs()["models"].entries if e["arch"].get("moe"))
    values = {s.path: fields.value_at(entry, s.path) for s in fields.fields("models")}
    for path in list(values):
        if path.startswith("arch.moe."):
            values[path] = None
    assert fields.apply_values("models", entry, values)["arch"]["moe"] is None
