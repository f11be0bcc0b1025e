"""Shared fixtures for engine tests: the shipped catalog and region table (read once)."""

from __future__ import annotations

import pytest

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.regions import RegionTable


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.shipped()


@pytest.fixture(scope="session")
def regions() -> RegionTable:
    return shipped_regions()
