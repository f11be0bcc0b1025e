"""What a benchmark log cannot say, given by the user beside it, checked against the catalog.

A log records the load and the measured figures, but rarely which catalog model it ran, on
which accelerator, how many of them, in which layout, with which weight and KV-cache formats and
under which serving engine. `SiteFacts` carries what the user said (each fact optional: a reader
fills what its format records and asks for the rest); `check_site_facts` resolves every given
fact against the catalog and returns the problems per fact, so a form can show each at its field
and the command line can name its flag.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.catalog.loader import Catalog
from app.engine.catalog_types import AcceleratorSpec, ModelSpec

FACTS = ("model", "gpu", "gpu_count", "tp", "pp", "engine", "weights", "kv_cache")
"""The facts, in form order; also the estimate-case column each fills."""
FLAGS = {"model": "--model", "gpu": "--gpu", "gpu_count": "--gpu-count", "tp": "--tp",
         "pp": "--pp", "engine": "--engine", "weights": "--weights", "kv_cache": "--kv"}
MAX_GPUS = 4096

NOT_A_MODEL = "'{value}' is not a model in the catalog (use its id, e.g. llama-3.1-8b)"
NOT_AN_LLM = "'{value}' is a {kind} model; benchmark logs measure an llm"
NOT_AN_ACCELERATOR = "{reason} (use the catalog id or name, e.g. nvidia-h100-sxm-80gb)"
NOT_A_COUNT = "must be a whole number from 1 to {limit} (found '{value}')"
NOT_AN_ENGINE = "'{value}' must be one of {known}"
NOT_A_FORMAT = "'{value}' is not a quantization format in the catalog ({known})"
BAD_LAYOUT = "gpu count {count} must be a multiple of tp x pp ({tp} x {pp})"


@dataclass(frozen=True)
class SiteFacts:
    """Facts as the user gave them (text or numbers; None = not given)."""

    model: str | None = None
    gpu: str | None = None
    gpu_count: int | str | None = None
    tp: int | str | None = None
    pp: int | str | None = None
    engine: str | None = None
    weights: str | None = None
    kv_cache: str | None = None


@dataclass(frozen=True)
class ResolvedSite:
    """Facts resolved against the catalog: catalog specs and ids, None where not given."""

    model: ModelSpec | None = None
    gpu: AcceleratorSpec | None = None
    gpu_count: int | None = None
    tp: int | None = None
    pp: int | None = None
    engine: str | None = None
    weights: str | None = None
    kv_cache: str | None = None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _count(value: object) -> int | str:
    """A positive whole number, or the rule it breaks."""
    text = _text(value)
    try:
        number = float(text)
    except ValueError:
        return NOT_A_COUNT.format(limit=MAX_GPUS, value=text[:40])
    if not number.is_integer() or not 1 <= number <= MAX_GPUS:
        return NOT_A_COUNT.format(limit=MAX_GPUS, value=text[:40])
    return int(number)


def check_site_facts(
    facts: SiteFacts, catalog: Catalog, engines: Collection[str], aliases: Mapping[str, str]
) -> tuple[ResolvedSite, dict[str, str]]:
    """Resolve every given fact; problems maps a fact name to the rule its value breaks."""
    problems: dict[str, str] = {}
    model = gpu = None
    counts: dict[str, int | None] = {}
    formats: dict[str, str | None] = {}
    if text := _text(facts.model):
        try:
            model = catalog.model(text)
        except KeyError:
            problems["model"] = NOT_A_MODEL.format(value=text[:80])
        else:
            if model.kind != "llm":
                problems["model"] = NOT_AN_LLM.format(value=model.id, kind=model.kind)
                model = None
    if text := _text(facts.gpu):
        try:
            gpu = catalog.accelerator(text)
        except KeyError as exc:
            problems["gpu"] = NOT_AN_ACCELERATOR.format(reason=str(exc.args[0]))
    for name in ("gpu_count", "tp", "pp"):
        raw = getattr(facts, name)
        counts[name] = None
        if _text(raw):
            value = _count(raw)
            if isinstance(value, str):
                problems[name] = value
            else:
                counts[name] = value
    engine = None
    if text := _text(facts.engine).lower():
        engine = aliases.get(text, text)
        if engine not in engines:
            problems["engine"] = NOT_AN_ENGINE.format(value=text[:40],
                                                      known=", ".join(sorted(engines)))
            engine = None
    known = ", ".join(catalog.quantizations)
    for name in ("weights", "kv_cache"):
        formats[name] = None
        if text := _text(getattr(facts, name)):
            try:
                formats[name] = catalog.quantization(text).id
            except KeyError:
                problems[name] = NOT_A_FORMAT.format(value=text[:40], known=known)
    count, tp, pp = counts["gpu_count"], counts["tp"], counts["pp"]
    if count is not None and count % ((tp or 1) * (pp or 1)) and "gpu_count" not in problems:
        problems["gpu_count"] = BAD_LAYOUT.format(count=count, tp=tp or 1, pp=pp or 1)
    resolved = ResolvedSite(model=model, gpu=gpu, gpu_count=count, tp=tp, pp=pp, engine=engine,
                            weights=formats["weights"], kv_cache=formats["kv_cache"])
    return resolved, problems
