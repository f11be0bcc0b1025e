"""The assumptions register: every input with its value, unit, source and as-of date.

One row per leaf field of the scenario (after the catalog filled its nulls), in the format's
order. The source of a value is, first match wins:

1. the catalog entry that filled it (`basis.catalog_sources[].filled`), with that entry's
   source and as-of date;
2. a catalog reference field (model, formats, accelerator, server, API, rental): the entry's
   own source and as-of date;
3. the scenario's assumptions register entry for that field (its note, and its source, or
   "analyst's assumption" when it has none), as of the date the scenario was saved;
4. "Enclave default" when the value equals the format's default, else "entered in the
   scenario", as of the date the scenario was saved.

A range from the scenario's `uncertainty` is printed after the value.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from app.engine.scenario import (
    ENCODER_TEMPLATES,
    EmbeddingSpec,
    FinetuneSpec,
    GuardSpec,
    RerankerSpec,
    Scenario,
    Workload,
)
from app.reports import fmt
from app.reports import tables as t
from app.reports.model import Block, Cell, Paragraph, Table
from app.reports.subject import ReportSubject

REFERENCE_KINDS = {
    "model": "model", "weights": "quantization", "kv_cache": "quantization",
    "accelerator": "accelerator", "server": "server", "cloud_api": "cloud-api",
    "gpu_rental": "gpu-rental",
}
SKIPPED = {"name", "description", "schema_version"}


def _value_text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return fmt.sig(float(value))
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "any"
    return str(value) if value != "" else "(empty)"


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return dataclasses.MISSING


def register_rows(s: ReportSubject) -> list[list[Cell]]:
    scenario: Scenario = s.resolved.scenario
    filled: dict[str, tuple[str, str, str]] = {}
    by_ref: dict[tuple[str, str], tuple[str, str, str]] = {}
    for ref, (kind, key, name, _source, as_of, fills) in catalog_entries(s).items():
        entry = (f"{name} [{ref}]", "", as_of)
        for path in fills:
            filled[path] = entry
        by_ref.setdefault((kind, key.lower()), entry)
    for i, w in enumerate(scenario.workloads):
        for field_name, formats in (("weights", s.resolved.weights),
                                    ("kv_cache", s.resolved.kv_caches)):
            known = by_ref.get(("quantization", formats[i].id.lower()))
            if known is not None:  # the scenario may name the format by an alias
                by_ref.setdefault(("quantization", getattr(w, field_name).lower()), known)
    notes = {a.field: a for a in scenario.assumptions if a.field}
    ranges = {u.path: u for u in scenario.uncertainty}
    saved = s.saved or "—"
    rows = []
    for path, value, f in leaves(scenario):
        leaf = path.rsplit(".", 1)[-1]
        text = _value_text(value)
        u = ranges.get(path)
        if u is not None:
            likely = "" if u.likely is None else f", likely {fmt.sig(u.likely)}"
            text += f" (range {fmt.sig(u.low)}–{fmt.sig(u.high)}{likely}, {u.distribution})"
        unit = str(f.metadata.get("unit", "")) or EXTRA_UNITS.get(leaf, "")
        note = notes.get(path)
        ref_kind = REFERENCE_KINDS.get(leaf)
        if path in filled:
            name, _, as_of = filled[path]
            origin = f"catalog: {name}"
            status = ""
        elif ref_kind and isinstance(value, str) and (ref_kind, value.lower()) in by_ref:
            name, _, as_of = by_ref[(ref_kind, value.lower())]
            origin = f"catalog: {name}"
            status = ""
        elif note is not None:
            origin = note.note + (f" — {note.source}" if note.source else
                                  " (analyst's assumption)")
            as_of = saved
            status = ""
        else:
            default = _default(f)
            origin = ("Enclave default (FORMAT.md)" if default is not dataclasses.MISSING
                      and default == value else "entered in the scenario")
            as_of = saved
            status = ""
        rows.append([t.text(path), Cell(text, _export(value)), t.text(unit), t.text(origin,
                     status), t.text(as_of or "—")])
    return rows


def _export(value: Any) -> str | float | int | bool | None:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if value is None or isinstance(value, str | float | int | bool):
        return value
    return str(value)


# Workload fields that do not enter the sizing of a kind (the register leaves them out unless
# the scenario gives them a range or an assumption note): a fine-tune has no request stream and
# trains in its method's precision; an encoder has no KV cache, no TPOT, no API alternative and
# no percentile (its latency is one request alone); the kind sections of other kinds are empty.
NOT_USED_BY = {
    "finetune": {"weights", "kv_cache", "users", "requests_per_user_per_day", "input_tokens",
                 "output_tokens", "active_hours_per_day", "active_days_per_year",
                 "peak_factor", "ttft_target_ms", "tpot_target_ms", "slo_percentile",
                 "growth_per_year", "cloud_api"},
    "encoder": {"kv_cache", "tpot_target_ms", "slo_percentile", "cloud_api", "output_tokens"},
}
KIND_SECTIONS = {"embedding": EmbeddingSpec, "reranker": RerankerSpec, "guard": GuardSpec,
                 "finetune": FinetuneSpec}
# Counts without a unit in the format, printed with one here.
EXTRA_UNITS = {"hnsw_m": "links/vector", "lora_rank": "rank", "zero_stage": "stage"}


def _skipped(workload: Workload, name: str) -> bool:
    if name in KIND_SECTIONS:
        return name != workload.template
    if workload.template == "finetune":
        return name in NOT_USED_BY["finetune"]
    if workload.template in ENCODER_TEMPLATES:
        return name in NOT_USED_BY["encoder"] and not (
            name == "output_tokens" and workload.template == "guard")
    return False


def leaves(obj: Any, path: str = "", keep: frozenset[str] = frozenset()
           ) -> list[tuple[str, Any, dataclasses.Field[Any]]]:
    """(dotted path, value, field) of every input below a scenario, in the format's order;
    the name, description, uncertainty and assumptions are not inputs. Of each workload, only
    the fields its kind uses (its own section with the defaults filled in when the scenario
    left it out); `keep` holds paths shown anyway (a range or an assumption names them)."""
    if not path and isinstance(obj, Scenario):
        keep = frozenset({u.path for u in obj.uncertainty}
                         | {a.field for a in obj.assumptions if a.field})
    out: list[tuple[str, Any, dataclasses.Field[Any]]] = []
    for f in dataclasses.fields(obj):
        where = f"{path}.{f.name}" if path else f.name
        value = getattr(obj, f.name)
        if not path and f.name in SKIPPED | {"uncertainty", "assumptions"}:
            continue
        if isinstance(obj, Workload) and _skipped(obj, f.name) and where not in keep:
            continue
        if isinstance(obj, Workload) and value is None and f.name in KIND_SECTIONS:
            value = KIND_SECTIONS[f.name]() if f.name != "finetune" else None
        if dataclasses.is_dataclass(value):
            out.extend(leaves(value, where, keep))
        elif f.name == "workloads":
            for i, item in enumerate(value):
                out.extend(leaves(item, f"{where}[{i}]", keep))
        else:
            out.append((where, value, f))
    return out


def register_table(s: ReportSubject, key: str) -> Table:
    return t.table(f"{key}-assumptions", "Inputs: value, unit, source and as-of date",
                   [t.left("field", 28), t.left("value", 16), t.left("unit", 11),
                    t.left("source", 34), t.left("as of", 11)],
                   register_rows(s), font="small",
                   note="As-of of values typed into the scenario: the date it was last saved.")


CatalogEntry = tuple[str, str, str, str, str, tuple[str, ...]]


def catalog_entries(s: ReportSubject) -> dict[str, CatalogEntry]:
    """C1, C2, … → (kind, id, name, source, as_of, fields filled) of every entry used."""
    entries: list[CatalogEntry] = [
        (src.kind, src.id, src.name, src.source, src.as_of, tuple(src.filled))
        for src in s.resolved.sources]
    formats = {q.id: q for q in (*s.resolved.weights, *s.resolved.kv_caches)}
    entries += [("quantization", q.id, q.name, q.source, q.as_of, ()) for q in formats.values()]
    return {f"C{i + 1}": e for i, e in enumerate(entries)}


def catalog_table(s: ReportSubject, key: str) -> Table:
    rows = [[t.text(ref), t.text(kind), t.text(f"{name} ({entry_id})"), t.text(source),
             t.text(as_of or "—"), t.text(", ".join(fills) or "—")]
            for ref, (kind, entry_id, name, source, as_of, fills) in catalog_entries(s).items()]
    return t.table(f"{key}-catalog", "Catalog entries used (cited as [C1], [C2], …)",
                   [t.left("ref", 5), t.left("kind", 11), t.left("entry", 20),
                    t.left("source", 38), t.left("as of", 11), t.left("fields filled", 15)],
                   rows, font="small")


def register_blocks(s: ReportSubject, key: str) -> list[Block]:
    scenario = s.result.scenario
    blocks: list[Block] = []
    if scenario.description:
        blocks.append(Paragraph(scenario.description, "note"))
    blocks.append(register_table(s, key))
    general = [a for a in scenario.assumptions if not a.field]
    if general:
        blocks.append(t.table(f"{key}-general", "General assumptions",
                              [t.left("note", 65), t.left("source", 35)],
                              [[t.text(a.note), t.text(a.source or "analyst's assumption")]
                               for a in general], font="small"))
    blocks.append(catalog_table(s, key))
    notes = s.result.basis.get("notes") or []
    if notes:
        blocks.append(Paragraph("Notes from the evaluation: " + "; ".join(notes) + ".", "note"))
    return blocks
