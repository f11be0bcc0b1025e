"""Property tests: whatever a bundle, scenario file or cases file holds, the reader raises only
`UserError` (one line), and an estimate turns every bad row into a `status=error` row.

Hypothesis builds structure-aware inputs (a member's JSON changed and its manifest entry
recomputed, so inputs reach the scenario and catalog rules), plus raw byte damage. The
10,000-input runs are `benchmarks/fuzz_bundles.py`; a short run of it is part of the suite.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.errors import UserError
from app.operations.bundles import read_bundle_file
from app.operations.estimate import estimate_file
from app.operations.scenario_files import read_scenario_file
from benchmarks import fuzz_bundles
from tests.operations.bundle_helpers import demo, json_bundle, scenario_bytes, zip_bytes

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
S1, S2 = "scenarios/001-a.json", "scenarios/002-b.json"

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                      st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                      st.sampled_from(fuzz_bundles.BOUNDARY_VALUES[:20]))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12)


def _only_user_errors(read: Callable[[Path], Any], data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            read(path)
        except UserError as exc:
            assert str(exc) and "\n" not in str(exc)


def _edited(seed: int, value: Any, scenario: dict[str, Any]) -> dict[str, Any]:
    """`scenario` with one spot (chosen by `seed`) replaced by `value`."""
    edited = json.loads(json.dumps(scenario))
    spots = fuzz_bundles._spots(edited, [])
    holder, key = spots[seed % len(spots)]
    holder[key] = value
    return edited


@SETTINGS
@given(seed=st.integers(0, 10**6), value=json_value, as_zip=st.booleans())
def test_bundles_with_changed_values_fail_only_as_user_errors(seed: int, value: Any,
                                                              as_zip: bool) -> None:
    member = _edited(seed, value, demo(seed % 3))
    if as_zip:
        data = zip_bytes({S1: scenario_bytes(demo(0)), S2: json.dumps(member).encode()})
        _only_user_errors(read_bundle_file, data, "b.enclave.zip")
    else:
        _only_user_errors(read_bundle_file, json_bundle({S1: demo(0), S2: member}),
                          "b.enclave.json")


@SETTINGS
@given(seed=st.integers(0, 2**32), as_zip=st.booleans())
def test_damaged_bundle_bytes_fail_only_as_user_errors(seed: int, as_zip: bool) -> None:
    rng = random.Random(seed)
    files = {S1: scenario_bytes(demo(0)), S2: scenario_bytes(demo(1))}
    whole = zip_bytes(files) if as_zip else json_bundle({S1: demo(0), S2: demo(1)})
    _only_user_errors(read_bundle_file, fuzz_bundles.mutate_bytes(rng, whole),
                      "b.enclave.zip" if as_zip else "b.enclave.json")


@SETTINGS
@given(seed=st.integers(0, 10**6), value=json_value)
def test_scenario_files_fail_only_as_user_errors(seed: int, value: Any) -> None:
    data = json.dumps(_edited(seed, value, demo(seed % 3))).encode()
    _only_user_errors(read_scenario_file, data, "s.json")
    rng = random.Random(seed)
    _only_user_errors(read_scenario_file, fuzz_bundles.mutate_bytes(rng, data), "s.json")


@pytest.fixture(scope="module")
def engine_data() -> tuple[Catalog, Any, dict[str, str]]:
    table, aliases = load_efficiency()
    return Catalog.shipped(), table, aliases


cell = st.one_of(st.sampled_from(fuzz_bundles.CSV_CELLS), st.text(max_size=12))


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 13), cell), min_size=1,
                      max_size=8))
def test_every_bad_row_becomes_an_error_row(edits: list[tuple[int, int, str]],
                                            engine_data: tuple[Catalog, Any, dict[str, str]],
                                            ) -> None:
    rows, header = fuzz_bundles._case_rows()
    for row, column, value in edits:
        rows[row][column] = value
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    catalog, table, aliases = engine_data
    with tempfile.TemporaryDirectory() as folder:
        cases, out = Path(folder) / "cases.csv", Path(folder) / "pred.csv"
        cases.write_text(text.getvalue(), encoding="utf-8")
        summary = estimate_file(cases, out, catalog=catalog, table=table, aliases=aliases)
        with out.open(encoding="utf-8", newline="") as handle:
            produced = list(csv.DictReader(handle))
    assert summary.rows == len(produced) == 4
    for row in produced:
        assert row["status"] in ("ok", "error")
        assert row["status"] == "ok" or row["message"]


def test_a_short_fuzz_run_finds_no_crash(tmp_path: Path) -> None:
    results = fuzz_bundles.run_all(inputs=100, seed=7, folder=tmp_path)
    for result in results:
        assert result["crashed"] == 0, result["examples"]
        assert result["accepted"] > 0 and result["rejected"] > 0, result


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"case_id,model\nx,y\n",
                                     b'case_id,"model\n' * 3, None])
def test_bad_cases_files_exit_2_with_one_line(tmp_path: Path, content: bytes | None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    cases = tmp_path / "cases.csv"
    if content is None:
        cases.mkdir()
    else:
        cases.write_bytes(content)
    out = tmp_path / "pred.csv"
    assert main(["estimate", "--cases", str(cases), "--out", str(out),
                 "--workspace", str(tmp_path / "ws.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
