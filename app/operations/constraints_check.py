"""Check a scenario against its site's requirements, and explain what a site excludes.

`check_scenario` runs every constraint rule on what a scenario uses: the model of every
workload (and its weight and KV-cache formats on the chosen accelerator), the accelerator, the
owned deployment, the cloud API alternative(s) and the GPU rental alternative. Its results are
the `constraints` of `enclave evaluate --json` (`ConstraintResult.to_json`).

`explain_exclusions` answers "which accelerators and models does this site exclude, and why"
for the explorer and the GUI ("the others are excluded because …").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.catalog.loader import Catalog
from app.catalog.regions import shipped_regions
from app.engine.catalog_types import (
    AcceleratorSpec,
    CloudApiPrice,
    GpuRental,
    ModelSpec,
    QuantFormat,
)
from app.engine.constraint_types import (
    FAIL,
    PASS,
    STATUS_CODE,
    ConstraintResult,
    SiteRequirements,
    worst,
)
from app.engine.constraints import (
    check_accelerator,
    check_formats,
    check_model,
    check_path,
)
from app.engine.constraints_path import PathOption
from app.engine.regions import RegionTable
from app.engine.scenario import Scenario, ScenarioError
from app.operations.resolve import catalog_lookup


@dataclass(frozen=True)
class ConstraintSubjects:
    """Everything a scenario asks the rules about, looked up in the catalog."""

    accelerator: AcceleratorSpec
    models: tuple[ModelSpec, ...]
    formats: tuple[tuple[QuantFormat, QuantFormat], ...]  # per workload: (weights, KV cache)
    apis: tuple[CloudApiPrice, ...] = ()
    rental: GpuRental | None = None


def _find(field: str, key: str, entries: dict[str, Any], what: str) -> Any:
    if key in entries:
        return entries[key]
    for entry_id, entry in entries.items():
        if entry_id.casefold() == key.casefold():
            return entry
    raise ScenarioError(f"{field}: {what} '{key}' is not in the catalog")


def api_ids(scenario: Scenario) -> tuple[str, ...]:
    """The cloud APIs a scenario compares with (scenario-wide and per workload), once each."""
    ids = [scenario.alternatives.cloud_api] + [w.cloud_api for w in scenario.workloads]
    return tuple(dict.fromkeys(i for i in ids if i))


def alternatives_of(scenario: Scenario, catalog: Catalog) -> tuple[tuple[CloudApiPrice, ...],
                                                                   GpuRental | None]:
    """The scenario's cloud API and GPU rental entries."""
    apis = tuple(_find("alternatives.cloud_api", key, catalog.cloud_apis, "cloud API")
                 for key in api_ids(scenario))
    rental_id = scenario.alternatives.gpu_rental
    rental = (_find("alternatives.gpu_rental", rental_id, catalog.gpu_rentals, "GPU rental")
              if rental_id else None)
    return apis, rental


def subjects_of(scenario: Scenario, catalog: Catalog) -> ConstraintSubjects:
    """Look up every catalog reference the rules need; ScenarioError names a missing one."""

    accelerator = catalog_lookup("deployment.accelerator", scenario.deployment.accelerator,
                                 catalog.accelerator, "accelerator")
    models, formats = [], []
    for i, w in enumerate(scenario.workloads):
        models.append(catalog_lookup(f"workloads[{i}].model", w.model, catalog.model, "model"))
        formats.append((catalog_lookup(f"workloads[{i}].weights", w.weights,
                                       catalog.quantization, "format"),
                        catalog_lookup(f"workloads[{i}].kv_cache", w.kv_cache,
                                       catalog.quantization, "format")))
    apis, rental = alternatives_of(scenario, catalog)
    return ConstraintSubjects(accelerator, tuple(models), tuple(formats), apis, rental)


def run_checks(site: SiteRequirements, regions: RegionTable,
               subjects: ConstraintSubjects) -> tuple[ConstraintResult, ...]:
    """Every rule on every subject, each distinct result once, in a stable order."""
    acc = subjects.accelerator
    results: list[ConstraintResult] = list(check_path(site, regions, PathOption.owned(acc)))
    for model in {m.id: m for m in subjects.models}.values():
        results.extend(check_model(site, regions, model))
    results.extend(check_accelerator(site, regions, acc))
    pairs = {(w.id, kv.id): (w, kv) for w, kv in subjects.formats}
    for weights, kv_cache in pairs.values():
        results.extend(check_formats(acc, weights, kv_cache))
    for api in subjects.apis:
        results.extend(check_path(site, regions, PathOption.api(api)))
    if subjects.rental is not None:
        results.extend(check_path(site, regions, PathOption.rental(subjects.rental)))
    return tuple(dict.fromkeys(results))


def check_scenario(scenario: Scenario, catalog: Catalog,
                   regions: RegionTable | None = None) -> list[ConstraintResult]:
    """Every constraint result for a scenario (see the module docstring)."""
    site = SiteRequirements.from_requirements(scenario.requirements)
    return list(run_checks(site, regions or shipped_regions(), subjects_of(scenario, catalog)))


def results_json(results: Iterable[ConstraintResult]) -> list[dict[str, str]]:
    """The `constraints` list of `enclave evaluate --json`."""
    return [r.to_json() for r in results]


@dataclass(frozen=True)
class Exclusion:
    """One option's standing at a site: its worst status and the results that are not a pass."""

    subject: str
    option: str
    name: str
    status: str
    results: tuple[ConstraintResult, ...]

    @property
    def excluded(self) -> bool:
        return self.status == FAIL

    def explanation(self) -> str:
        """'NVIDIA H100 SXM 80GB: export-control: …' with the failing (else warning) reasons."""
        shown = [r for r in self.results if STATUS_CODE[r.status] == STATUS_CODE[self.status]]
        if not shown:
            return f"{self.name}: allowed"
        return f"{self.name}: " + "; ".join(f"{r.rule}: {r.reason}" for r in shown)


@dataclass(frozen=True)
class ExclusionReport:
    """Which accelerators and models a site allows, and why the others are excluded."""

    site: SiteRequirements
    accelerators: tuple[Exclusion, ...]
    models: tuple[Exclusion, ...]

    @property
    def allowed_accelerators(self) -> tuple[str, ...]:
        return tuple(e.option for e in self.accelerators if not e.excluded)

    @property
    def excluded_accelerators(self) -> tuple[Exclusion, ...]:
        return tuple(e for e in self.accelerators if e.excluded)

    @property
    def allowed_models(self) -> tuple[str, ...]:
        return tuple(e.option for e in self.models if not e.excluded)

    @property
    def excluded_models(self) -> tuple[Exclusion, ...]:
        return tuple(e for e in self.models if e.excluded)

    def summary_lines(self) -> list[str]:
        """Plain-language lines for "the others are excluded because …"."""
        lines = []
        for label, excluded in (("accelerators", self.excluded_accelerators),
                                ("models", self.excluded_models)):
            if excluded:
                lines.append(f"{len(excluded)} {label} excluded:")
                lines.extend(f"- {e.explanation()}" for e in excluded)
        return lines


def _standing(subject: str, option: str, name: str,
              results: Sequence[ConstraintResult]) -> Exclusion:
    status = worst([r.status for r in results])
    return Exclusion(subject, option, name, status,
                     tuple(r for r in results if r.status != PASS))


def explain_exclusions(requirements: Any, catalog: Catalog, regions: RegionTable | None = None,
                       *, models: Sequence[str] | None = None,
                       accelerators: Sequence[str] | None = None,
                       weights: str | None = None,
                       kv_cache: str | None = None) -> ExclusionReport:
    """Every catalog accelerator and model judged for a site.

    `requirements` is a scenario's Requirements (or a SiteRequirements). `models` and
    `accelerators` limit the ids judged (default: all usable entries). With `weights` and
    `kv_cache` (format ids), accelerators are also judged on the formats' precisions.
    """
    site = (requirements if isinstance(requirements, SiteRequirements)
            else SiteRequirements.from_requirements(requirements))
    table = regions or shipped_regions()
    accs = ([catalog.accelerator(a) for a in accelerators] if accelerators is not None
            else list(catalog.accelerators.values()))
    formats = (catalog.quantization(weights), catalog.quantization(kv_cache or weights)) \
        if weights else None
    acc_standings = []
    for acc in accs:
        results = list(check_accelerator(site, table, acc))
        if formats:
            results.extend(check_formats(acc, *formats))
        acc_standings.append(_standing("accelerator", acc.id, acc.name, results))
    model_specs = ([catalog.model(m) for m in models] if models is not None
                   else list(catalog.models.values()))
    model_standings = [_standing("model", m.id, m.name, check_model(site, table, m))
                       for m in model_specs]
    return ExclusionReport(site, tuple(acc_standings), tuple(model_standings))
