"""New scenarios and workloads from the use-case templates (`resources/scenarios/templates.json`).

A template gives a workload's starting values (requests, tokens, hours, peak, SLOs, growth);
the rest of a new scenario comes from the workspace catalog: a model and an accelerator the
user picks (or sensible defaults that exist in the catalog), the accelerator's usual server, a
cloud API and a rental offer for the same accelerator to compare with. The result always passes
the scenario format's rules; prices the catalog has no sourced value for are left for the user
(the evaluation names the field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.catalog.loader import Catalog
from app.engine.scenario import SCHEMA_VERSION
from app.errors import UserError
from app.operations.change import Outcome
from app.operations.scenario_edit import scenario_problem
from app.operations.scenario_ops import _created
from app.paths import resources_dir
from app.storage import scenario_store
from app.storage.workspace import Workspace

DEFAULT_USERS = 500
MODEL_PREFERENCES: dict[str, tuple[str, ...]] = {
    "chat": ("llama-3.3-70b", "llama-3.1-70b", "qwen2.5-72b", "llama-3.1-8b"),
    "rag": ("llama-3.3-70b", "llama-3.1-70b", "qwen2.5-72b", "llama-3.1-8b"),
    "code": ("qwen2.5-32b", "qwen3-32b", "llama-3.3-70b", "llama-3.1-8b"),
    "batch": ("llama-3.1-8b", "qwen2.5-7b", "llama-3.3-70b"),
    "embedding": ("bge-m3", "multilingual-e5-large", "qwen3-embedding-8b"),
    "reranker": ("bge-reranker-v2-m3",),
    "guard": ("llama-3.1-8b",),
    "finetune": ("llama-3.1-8b", "qwen2.5-7b"),
}
ACCELERATOR_PREFERENCES = ("nvidia-h100-sxm-80gb", "nvidia-h200-sxm-141gb",
                           "nvidia-l40s-48gb", "amd-instinct-mi300x-192gb")
API_PREFERENCES = ("openai-gpt-5", "openai-gpt-4-1", "anthropic-claude-sonnet-4-5")
MODEL_KIND = {"embedding": "embedding", "reranker": "reranker"}


class TemplateError(UserError):
    """A template or a catalog choice that cannot make a scenario."""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str
    workload: dict[str, Any]
    basis: dict[str, str]


@cache
def _read_templates() -> tuple[Template, ...]:
    raw = json.loads((resources_dir() / "scenarios" / "templates.json").read_text("utf-8"))
    return tuple(
        Template(t["id"], t["name"], t.get("description", ""), dict(t["workload"]),
                 dict(t.get("basis", {})))
        for t in raw["templates"]
    )


def templates() -> tuple[Template, ...]:
    """The shipped use-case templates, in file order."""
    return _read_templates()


def template(template_id: str) -> Template:
    for t in templates():
        if t.id == template_id:
            return t
    known = ", ".join(t.id for t in templates())
    raise TemplateError(f"template: '{template_id}' is not a template ({known})")


def default_model(catalog: Catalog, template_id: str) -> str:
    """The first preferred model of the right kind in the catalog, else any of that kind."""
    kind = MODEL_KIND.get(template_id, "llm")
    for model_id in MODEL_PREFERENCES.get(template_id, ()):
        spec = catalog.models.get(model_id)
        if spec is not None and spec.kind == kind:
            return model_id
    for model_id, spec in catalog.models.items():
        if spec.kind == kind:
            return model_id
    raise TemplateError(f"model: the catalog has no {kind} model for this template")


def default_accelerator(catalog: Catalog) -> str:
    for accel in ACCELERATOR_PREFERENCES:
        if accel in catalog.accelerators:
            return accel
    for accel_id, spec in catalog.accelerators.items():
        if spec.price_usd:
            return accel_id
    if catalog.accelerators:
        return next(iter(catalog.accelerators))
    raise TemplateError("deployment.accelerator: the catalog has no usable accelerator")


def server_for(catalog: Catalog, accelerator: str) -> str | None:
    """A catalog server built for this accelerator (e.g. DGX H100 for the H100 SXM)."""
    for server_id, server in catalog.servers.items():
        if accelerator in server.accelerators:
            return server_id
    return None


def rental_for(catalog: Catalog, accelerator: str) -> str | None:
    """A rental offer of the same accelerator with an on-demand rate."""
    for rental_id, rental in catalog.gpu_rentals.items():
        if rental.accelerator == accelerator and rental.on_demand_usd_per_gpu_hour:
            return rental_id
    return None


def default_api(catalog: Catalog) -> str | None:
    for api in API_PREFERENCES:
        if api in catalog.cloud_apis:
            return api
    return next(iter(catalog.cloud_apis), None)


def default_formats(catalog: Catalog, template_id: str) -> tuple[str, str]:
    """Weights and KV-cache formats: FP8 for generative models where the catalog has it."""
    if MODEL_KIND.get(template_id) or template_id == "finetune":
        return "bf16", "bf16"
    fp8 = "fp8" if "fp8" in catalog.quantizations else "bf16"
    return fp8, fp8


def template_workload(t: Template, catalog: Catalog, model: str | None = None,
                      name: str | None = None) -> dict[str, Any]:
    """A workload dict with the template's values, a model and its formats."""
    weights, kv = default_formats(catalog, t.id)
    workload: dict[str, Any] = {"name": name or t.id, "template": t.id,
                                "model": model or default_model(catalog, t.id),
                                "weights": weights, "kv_cache": kv, "users": DEFAULT_USERS}
    workload.update(t.workload)
    workload["template"] = t.workload.get("template", t.id)
    return workload


def scenario_from_template(template_id: str, name: str, catalog: Catalog, *,
                           model: str | None = None, accelerator: str | None = None
                           ) -> dict[str, Any]:
    """A complete, valid scenario dict for one workload of `template_id`."""
    t = template(template_id)
    accel = accelerator or default_accelerator(catalog)
    if accel not in catalog.accelerators:
        raise TemplateError(f"deployment.accelerator: '{accel}' is not a usable catalog "
                            "accelerator")
    if model is not None and model not in catalog.models:
        raise TemplateError(f"workloads[0].model: '{model}' is not in the catalog")
    server = server_for(catalog, accel)
    deployment: dict[str, Any] = {"accelerator": accel, "server": server}
    # Prices and power the catalog has no sourced value for stay null: the evaluation then
    # asks for them at their fields (Enclave never guesses a price).
    costs: dict[str, Any] = {}
    alternatives: dict[str, Any] = {"cloud_api": default_api(catalog),
                                    "gpu_rental": rental_for(catalog, accel)}
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "name": name.strip(),
        "description": f"{t.name}: {t.description}",
        "workloads": [template_workload(t, catalog, model)],
        "deployment": deployment,
        "costs": costs,
        "alternatives": alternatives,
        "assumptions": [
            # a whole section's basis (e.g. the embedding corpus) is a general note about it
            {"field": "" if isinstance(t.workload.get(key), dict) else f"workloads[0].{key}",
             "note": f"{key}: {note}" if isinstance(t.workload.get(key), dict) else note,
             "source": ""}
            for key, note in t.basis.items()
        ],
    }
    problem = scenario_problem(data)
    if problem is not None:  # a bug in the template or the defaults, not the user's doing
        raise TemplateError(problem.message)
    return data


def create_from_template(ws: Workspace, template_id: str, name: str, *,
                         model: str | None = None, accelerator: str | None = None) -> Outcome:
    """A new scenario called `name` (which must be free) from a template."""
    data = scenario_from_template(template_id, name, ws.catalog, model=model,
                                  accelerator=accelerator)
    new_id = scenario_store.insert(ws.db, data)
    return _created(ws, new_id, f"New scenario {data['name']} ({template(template_id).name})")
