"""Region codes and groups: names resolve, groups expand, EAR treatments apply."""

from __future__ import annotations

import pytest

from app.catalog.loader import CatalogError
from app.catalog.regions import parse_regions
from app.engine.regions import RegionTable

EAR_3A090 = ("CN", "MO", "D:1", "D:4", "D:5")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US", "US"),
        ("de", "DE"),
        ("United States", "US"),
        ("United States (designed by Intel's Israel-based Habana Labs)", "US"),
        ("China", "CN"),
        ("Macau", "MO"),
        ("Burma", "MM"),
        ("France", "FR"),
        ("EU", "EU"),
        ("d:5", "D:5"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_names_and_codes_resolve(regions: RegionTable, text: str, code: str | None) -> None:
    assert regions.code(text) == code


def test_groups_expand_to_their_members(regions: RegionTable) -> None:
    assert len(regions.expand("EU")) == 27
    assert {"DE", "FR", "IE"} <= regions.expand("EU")
    assert "GB" not in regions.expand("EU")
    assert {"CN", "RU", "IR"} <= regions.expand("D:5")
    assert regions.expand("WORLD") == regions.countries
    assert regions.within("FR", ["EU"])
    assert not regions.within("US", ["EU", "CN"])


def test_a_d4_country_is_reached_with_the_group_cited(regions: RegionTable) -> None:
    coverage = regions.covers(EAR_3A090, "SA", "US EAR ECCN 3A090")
    assert coverage.countries == {"SA"}
    assert any("D:4" in via and "source:" in via for via in coverage.via)


def test_israel_is_outside_the_3a090_scope_of_d4(regions: RegionTable) -> None:
    assert "IL" in regions.expand("D:4")
    assert not regions.covers(EAR_3A090, "IL", "US EAR ECCN 3A090")
    # the exclusion belongs to the US EAR only
    assert regions.covers(("D:4",), "IL", "China-side measure")


def test_hong_kong_is_treated_as_china_under_the_ear(regions: RegionTable) -> None:
    coverage = regions.covers(("CN", "MO"), "HK", "US EAR ECCN 3A090")
    assert coverage.countries == {"CN"}
    assert any("85 FR 83765" in via for via in coverage.via)
    assert not regions.covers(("CN",), "HK", "China-side measure / supply constraint")


def test_an_eu_site_is_not_reached_by_the_ear_china_scope(regions: RegionTable) -> None:
    assert not regions.covers(EAR_3A090, "EU", "US EAR ECCN 3A090")
    assert regions.covers(("WORLD",), "EU", "US EAR General Prohibition 10 guidance")


def test_every_group_has_a_source_and_date(regions: RegionTable) -> None:
    for group in regions.groups.values():
        assert group.source and group.as_of, group.code
    assert regions.countries_source and regions.countries_as_of


def test_a_group_with_an_unknown_member_is_refused() -> None:
    data = {
        "kind": "regions",
        "countries": [{"code": "DE", "names": ["Germany"]}],
        "groups": [{"code": "X", "name": "x", "members": ["ZZ"], "source": "s", "as_of": "2026"}],
    }
    with pytest.raises(CatalogError, match=r"groups\[0\]\.members: unknown codes \['ZZ'\]"):
        parse_regions(data)


def test_a_group_without_a_source_is_refused() -> None:
    data = {
        "kind": "regions",
        "countries": [{"code": "DE", "names": ["Germany"]}],
        "groups": [{"code": "X", "name": "x", "members": ["DE"], "as_of": "2026"}],
    }
    with pytest.raises(CatalogError, match=r"groups\[0\]\.source must be non-empty text"):
        parse_regions(data)


def test_treatments_and_exclusions_read_every_field_and_name_the_first_missing_one() -> None:
    rule = {"regime": "EAR", "note": "n", "source": "s", "as_of": "2026"}
    data = {
        "kind": "regions",
        "countries": [{"code": "DE", "names": ["Germany"]}, {"code": "FR", "names": ["France"]}],
        "treated_as": [{"code": "DE", "as": "FR", **rule}],
        "exclusions": [{"group": "EU", "code": "DE", **rule}],
    }
    table = parse_regions(data)
    treated, excluded = table.treated_as[0], table.exclusions[0]
    assert (treated.code, treated.as_code, treated.regime, treated.note, treated.source,
            treated.as_of) == ("DE", "FR", "EAR", "n", "s", "2026")
    assert (excluded.group, excluded.code, excluded.regime, excluded.note, excluded.source,
            excluded.as_of) == ("EU", "DE", "EAR", "n", "s", "2026")
    data["treated_as"] = [{"code": "DE", "regime": "EAR", "note": "n"}]
    with pytest.raises(CatalogError, match=r"treated_as\[0\]\.as must be non-empty text"):
        parse_regions(data)
    data["treated_as"] = []
    data["exclusions"] = [{"group": "EU", "code": "DE", "regime": "EAR", "note": "n",
                           "as_of": "2026"}]
    with pytest.raises(CatalogError, match=r"exclusions\[0\]\.source must be non-empty text"):
        parse_regions(data)
