"""Shared fixtures for engine tests: the shipped catalog, efficiency and region tables (no Qt)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.catalog.efficiency import load_efficiency
from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.configs import ConfigArrays, Deployment, build_configs
from app.engine.efficiency import EfficiencyTable
from app.engine.regions import RegionTable


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="session")
def regions() -> RegionTable:
    return shipped_regions()


@pytest.fixture(scope="session")
def table() -> EfficiencyTable:
    return load_efficiency()[0]


MakeConfigs = Callable[..., ConfigArrays]


@pytest.fixture(scope="session")
def make(catalog: Catalog, table: EfficiencyTable) -> MakeConfigs:
    """`make(model, gpu, weights, kv, engine, gpu_count=1, tp=1, pp=1, ep=1)` -> 1-row configs."""

    def build(
        model: str,
        gpu: str,
        weights: str = "bf16",
        kv: str = "bf16",
        engine: str = "vllm",
        gpu_count: int = 1,
        tp: int = 1,
        pp: int = 1,
        ep: int = 1,
    ) -> ConfigArrays:
        d = Deployment(
            catalog.model(model),
            catalog.accelerator(gpu),
            catalog.quantization(weights),
            catalog.quantization(kv),
            engine,
            gpu_count,
            tp,
            pp,
            ep,
        )
        return build_configs([d], table)[0]

    return build
