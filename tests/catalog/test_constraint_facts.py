"""The catalog facts the constraint rules read are present, normalized and sourced."""

from __future__ import annotations

import copy

import pytest

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.catalog.validate import entry_errors
from app.engine.constraint_types import EXPORT_EFFECTS
from app.engine.regions import RegionTable


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="module")
def regions() -> RegionTable:
    return shipped_regions()


def test_every_export_note_is_normalized(catalog: Catalog, regions: RegionTable) -> None:
    for acc in catalog.accelerators.values():
        for note in acc.export_control:
            where = f"{acc.id}: {note.note[:50]}"
            assert note.effect in EXPORT_EFFECTS, where
            assert note.source and note.as_of, where
            assert regions.code(note.authority) == note.authority, where
            for code in note.region_codes:
                assert regions.code(code) == code, (where, code)
            if note.regions and note.effect not in ("context",):
                assert note.region_codes, where


def test_worldwide_notes_are_coded_world(catalog: Catalog) -> None:
    for acc in catalog.accelerators.values():
        for note in acc.export_control:
            if any(r.startswith("worldwide") for r in note.regions):
                assert note.region_codes == ("WORLD",), acc.id


def test_every_licence_has_an_id_and_a_source(catalog: Catalog) -> None:
    for model in catalog.models.values():
        lic = model.licence
        assert lic is not None, model.id
        assert lic.id and lic.source and lic.as_of, model.id
        assert isinstance(lic.osi_approved, bool), model.id
        assert isinstance(lic.commercial_use, bool), model.id
    scout = catalog.model("llama-4-scout").licence
    assert scout is not None and scout.excluded_regions == ("EU",)


def test_every_country_in_the_catalog_resolves(catalog: Catalog, regions: RegionTable) -> None:
    for model in catalog.models.values():
        assert regions.code(model.origin_country), model.id
    for acc in catalog.accelerators.values():
        assert regions.code(acc.vendor_country), acc.id
    for api in catalog.cloud_apis.values():
        assert regions.code(api.provider_country), api.id
        assert api.model_kind, api.id
    for rental in catalog.gpu_rentals.values():
        assert not rental.provider_country or regions.code(rental.provider_country), rental.id


def test_a_note_with_an_unknown_effect_is_refused(catalog: Catalog) -> None:
    entry = copy.deepcopy(next(e for e in catalog.entries["accelerators"]
                               if e["id"] == "nvidia-h100-sxm-80gb"))
    entry["export_control"][0]["effect"] = "banned"
    errors = entry_errors("accelerators", entry)
    assert errors == ["export_control[0].effect: must be one of " + ", ".join(EXPORT_EFFECTS)]


def test_a_support_note_needs_regions_and_availability(catalog: Catalog) -> None:
    entry = copy.deepcopy(next(e for e in catalog.entries["accelerators"]
                               if e["id"] == "nvidia-h100-sxm-80gb"))
    entry["vendor_support"] = [{"regions": [], "note": "x", "source": "s", "as_of": "2026"}]
    errors = entry_errors("accelerators", entry)
    assert "vendor_support[0].regions: must list at least one region code" in errors
    assert "vendor_support[0].available: must be true or false" in errors
