"""The vectorized table gives the same statuses as the rules, option by option."""

from __future__ import annotations

import numpy as np
import pytest

from app.catalog.loader import Catalog
from app.engine.constraint_masks import ConstraintTable, build_table
from app.engine.constraint_types import STATUS_CODE, SiteRequirements
from app.engine.regions import RegionTable

CHINA_AVOIDING = SiteRequirements(
    deployment_mode="on-premise",
    data_classification="restricted",
    jurisdiction="CN",
    allowed_licences=("osi-only",),
    export_control_exposure="avoid",
)


@pytest.fixture(scope="module")
def table(catalog: Catalog, regions: RegionTable) -> ConstraintTable:
    models = [catalog.model(m) for m in ("qwen3-32b", "llama-3.3-70b", "mistral-large-2")]
    return build_table(CHINA_AVOIDING, regions, models, list(catalog.accelerators.values()),
                       list(catalog.quantizations.values()))


def test_masks_match_the_explained_results(table: ConstraintTable) -> None:
    rng = np.random.default_rng(7)
    n = 2_000
    acc = rng.integers(0, len(table.accelerators), n)
    w = rng.integers(0, len(table.formats), n)
    kv = rng.integers(0, len(table.formats), n)
    model = rng.integers(0, len(table.models), n)
    masks = table.masks(acc, w, kv, model)
    assert masks.status.shape == (len(table.rules), n)
    for i in range(0, n, 97):
        results = table.explain(int(acc[i]), int(w[i]), int(kv[i]), int(model[i]))
        assert tuple(r.rule for r in results) == table.rules
        assert [STATUS_CODE[r.status] for r in results] == list(masks.status[:, i])


def test_one_model_broadcasts_and_allowed_means_no_fail(table: ConstraintTable) -> None:
    acc = np.arange(len(table.accelerators))
    masks = table.masks(acc, 0, 0)
    ids = np.array(table.accelerators)
    h100 = table.accelerators.index("nvidia-h100-sxm-80gb")
    ascend = table.accelerators.index("huawei-ascend-910b-64gb")
    assert not masks.allowed[h100]
    assert masks.failed_by("export-control")[h100]
    assert masks.allowed[ascend]
    assert set(ids[masks.allowed]) >= {"huawei-ascend-910b-64gb", "nvidia-l20-48gb"}
    assert (masks.worst == masks.status.max(axis=0)).all()
    assert masks.counts()["export-control"][2] == int(masks.failed_by("export-control").sum())


def test_model_rules_follow_the_model_index(table: ConstraintTable) -> None:
    masks = table.masks(0, 0, 0, np.arange(len(table.models)))
    licence = masks.of("licence-allowed")
    # osi-only: Qwen3 (Apache-2.0) passes, Llama 3.3 and Mistral Research licence fail
    assert list(licence) == [STATUS_CODE["pass"], STATUS_CODE["fail"], STATUS_CODE["fail"]]


def test_a_million_options_are_masked(table: ConstraintTable) -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    masks = table.masks(rng.integers(0, len(table.accelerators), n),
                        rng.integers(0, len(table.formats), n),
                        rng.integers(0, len(table.formats), n))
    assert masks.allowed.shape == (n,)
    assert 0 < masks.allowed.sum() < n
