"""The constraint rules for a whole option space at once, as numpy status masks.

A sweep enumerates options as index arrays (model, accelerator, weight format, KV-cache
format). Every rule depends on at most an accelerator and a format, or on the model alone, so
`build_table` runs the rules once per catalog entry (or per accelerator × format pair) and
`ConstraintTable.masks` gathers their status codes for any number of options with fancy
indexing: a million options take milliseconds. `ConstraintTable.explain` gives the full results
(reason, fact, source) behind any one option on demand.

Status codes: 0 pass, 1 warn, 2 fail (`STATUS_CODE`); the worst status is the maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from app.engine.catalog_types import AcceleratorSpec, ModelSpec, QuantFormat
from app.engine.constraint_types import STATUS_CODE, ConstraintResult, SiteRequirements
from app.engine.constraints import (
    ACCELERATOR_RULES,
    FORMAT_RULES,
    MODEL_RULES,
    check_accelerator,
    check_formats,
    check_model,
    check_path,
)
from app.engine.constraints_path import PathOption
from app.engine.regions import RegionTable

FAIL_CODE = STATUS_CODE["fail"]
WARN_CODE = STATUS_CODE["warn"]
DEPLOYMENT_RULES = ("deployment-path", "data-classification")

Codes = NDArray[np.int8]


def _codes(results: Sequence[ConstraintResult]) -> list[int]:
    return [STATUS_CODE[r.status] for r in results]


@dataclass(frozen=True)
class ConstraintMasks:
    """Status codes of every rule (rows, in `rules` order) for every option (columns)."""

    rules: tuple[str, ...]
    status: Codes

    def of(self, rule: str) -> Codes:
        """One rule's status codes for every option."""
        codes: Codes = self.status[self.rules.index(rule)]
        return codes

    @cached_property
    def worst(self) -> Codes:
        """The most severe status of each option over all rules."""
        worst: Codes = self.status.max(axis=0)
        return worst

    @property
    def allowed(self) -> NDArray[np.bool_]:
        """Options no rule fails (warnings allowed)."""
        allowed: NDArray[np.bool_] = self.worst < FAIL_CODE
        return allowed

    @property
    def clean(self) -> NDArray[np.bool_]:
        """Options every rule passes."""
        clean: NDArray[np.bool_] = self.worst == 0
        return clean

    def failed_by(self, rule: str) -> NDArray[np.bool_]:
        failed: NDArray[np.bool_] = self.of(rule) == FAIL_CODE
        return failed

    def counts(self) -> dict[str, tuple[int, int, int]]:
        """Per rule: (options passing, warning, failing)."""
        out: dict[str, tuple[int, int, int]] = {}
        for i, rule in enumerate(self.rules):
            n = np.bincount(self.status[i], minlength=3)
            out[rule] = (int(n[0]), int(n[1]), int(n[2]))
        return out


@dataclass(frozen=True)
class ConstraintTable:
    """Every rule's result for one site over catalog models, accelerators and formats."""

    site: SiteRequirements
    models: tuple[str, ...]
    accelerators: tuple[str, ...]
    formats: tuple[str, ...]
    model_results: tuple[tuple[ConstraintResult, ...], ...]  # [model] → MODEL_RULES
    accelerator_results: tuple[tuple[ConstraintResult, ...], ...]  # [acc] → ACCELERATOR_RULES
    format_results: tuple[tuple[tuple[ConstraintResult, ConstraintResult], ...], ...]
    deployment_results: tuple[ConstraintResult, ...]  # DEPLOYMENT_RULES for owned hardware

    @property
    def rules(self) -> tuple[str, ...]:
        return DEPLOYMENT_RULES + MODEL_RULES + ACCELERATOR_RULES + FORMAT_RULES

    @cached_property
    def _model_codes(self) -> Codes:
        return np.array([_codes(r) for r in self.model_results], dtype=np.int8).reshape(
            len(self.models), len(MODEL_RULES)).T.copy()

    @cached_property
    def _accelerator_codes(self) -> Codes:
        return np.array([_codes(r) for r in self.accelerator_results], dtype=np.int8).reshape(
            len(self.accelerators), len(ACCELERATOR_RULES)).T.copy()

    @cached_property
    def _format_codes(self) -> tuple[Codes, Codes]:
        """(weights, kv) codes, each flattened over accelerator × format."""
        pairs = [[_codes(pair) for pair in row] for row in self.format_results]
        cube = np.array(pairs, dtype=np.int8).reshape(len(self.accelerators), len(self.formats), 2)
        return cube[:, :, 0].ravel().copy(), cube[:, :, 1].ravel().copy()

    def masks(self, accelerator: ArrayLike, weights: ArrayLike, kv_cache: ArrayLike,
              model: ArrayLike = 0) -> ConstraintMasks:
        """Status codes for options given as index arrays (broadcast together).

        Indices refer to `accelerators`, `formats` (for both weights and KV cache) and `models`.
        """
        acc, w, kv, m = np.broadcast_arrays(
            np.asarray(accelerator, dtype=np.intp), np.asarray(weights, dtype=np.intp),
            np.asarray(kv_cache, dtype=np.intp), np.asarray(model, dtype=np.intp))
        acc, w, kv, m = (a.ravel() for a in (acc, w, kv, m))
        n_rules = len(self.rules)
        status = np.empty((n_rules, acc.size), dtype=np.int8)
        row = 0
        for result in self.deployment_results:
            status[row] = STATUS_CODE[result.status]
            row += 1
        model_rows = slice(row, row + len(MODEL_RULES))
        if m.size and (m == m[0]).all():  # one model: broadcast its column
            status[model_rows] = self._model_codes[:, m[0], None]
        else:
            status[model_rows] = self._model_codes[:, m]
        row += len(MODEL_RULES)
        status[row:row + len(ACCELERATOR_RULES)] = self._accelerator_codes[:, acc]
        row += len(ACCELERATOR_RULES)
        weights_codes, kv_codes = self._format_codes
        n_formats = len(self.formats)
        status[row] = weights_codes[acc * n_formats + w]
        status[row + 1] = kv_codes[acc * n_formats + kv]
        return ConstraintMasks(self.rules, status)

    def explain(self, accelerator: int, weights: int, kv_cache: int,
                model: int = 0) -> tuple[ConstraintResult, ...]:
        """Every result behind one option, in `rules` order."""
        weights_result = self.format_results[accelerator][weights][0]
        kv_result = self.format_results[accelerator][kv_cache][1]
        return (self.deployment_results + self.model_results[model]
                + self.accelerator_results[accelerator] + (weights_result, kv_result))


def build_table(site: SiteRequirements, regions: RegionTable, models: Sequence[ModelSpec],
                accelerators: Sequence[AcceleratorSpec],
                formats: Sequence[QuantFormat]) -> ConstraintTable:
    """Run every rule once per model, accelerator and accelerator × format pair."""
    format_results = tuple(
        tuple(check_formats(acc, fmt, fmt) for fmt in formats) for acc in accelerators
    )
    return ConstraintTable(
        site=site,
        models=tuple(m.id for m in models),
        accelerators=tuple(a.id for a in accelerators),
        formats=tuple(f.id for f in formats),
        model_results=tuple(check_model(site, regions, m) for m in models),
        accelerator_results=tuple(check_accelerator(site, regions, a) for a in accelerators),
        format_results=format_results,
        deployment_results=check_path(site, regions, PathOption.owned()),
    )
