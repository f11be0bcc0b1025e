"""Load catalog packs (JSON) into typed specs the engine can use.

A pack is `{"kind", "catalog_version", "entries": [...]}` (see `resources/catalog/README.md`).
`Catalog` holds the raw entries by kind (what the workspace stores and the GUI edits) and builds
the frozen engine types on demand. Lookups accept an id, a name or an alias, case-insensitively.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from app.catalog.validate import KINDS, entry_errors
from app.engine.catalog_types import (
    AcceleratorSpec,
    CloudApiPrice,
    ExportControlNote,
    GpuRental,
    LicenceTerms,
    MlaSpec,
    ModelSpec,
    MoeSpec,
    Provenance,
    QuantFormat,
    ServerSpec,
    SlidingWindowSpec,
    SupportNote,
)
from app.errors import UserError
from app.json_file import read_json_file
from app.paths import resources_dir

PACK_FILES = {kind: f"{kind}.json" for kind in KINDS}
MAX_PACK_BYTES = 50_000_000


class CatalogError(UserError):
    """A catalog pack or entry that breaks a rule; the message names the file, entry and field."""


@dataclass(frozen=True)
class Pack:
    kind: str
    catalog_version: str
    entries: tuple[dict[str, Any], ...]


def parse_pack(data: Any, origin: str) -> Pack:
    """Validate a decoded pack; raise CatalogError naming `origin` and the first broken rule."""
    if not isinstance(data, Mapping):
        raise CatalogError(f"{origin}: must be a JSON object with kind, catalog_version, entries")
    kind = data.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{origin}: kind must be one of {', '.join(KINDS)}")
    version = data.get("catalog_version", "")
    if not isinstance(version, str) or not version:
        raise CatalogError(f"{origin}: catalog_version must be non-empty text")
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise CatalogError(f"{origin}: entries must be a list")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        errors = entry_errors(kind, entry)
        label = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"entry '{label}'" if isinstance(label, str) else f"entry #{index + 1}"
        if errors:
            raise CatalogError(f"{origin}: {where}: {errors[0]}")
        if entry["id"] in seen:
            raise CatalogError(f"{origin}: {where}: id must be unique within the pack")
        seen.add(entry["id"])
    return Pack(kind=kind, catalog_version=version, entries=tuple(dict(e) for e in entries))


def read_pack(path: Path) -> Pack:
    """Read and validate one pack file."""
    return parse_pack(read_json_file(path, MAX_PACK_BYTES, CatalogError, "a catalog pack"),
                      path.name)


def shipped_packs(folder: Path | None = None) -> dict[str, Pack]:
    """Every pack shipped in `resources/catalog/`."""
    folder = folder or resources_dir() / "catalog"
    return {kind: read_pack(folder / name) for kind, name in PACK_FILES.items()}


def shipped_fingerprint(folder: Path | None = None) -> str:
    """SHA-256 over the shipped pack files' names and bytes: changes whenever a release changes
    any shipped value, whether or not its `catalog_version` was raised (about 1 ms)."""
    folder = folder or resources_dir() / "catalog"
    digest = hashlib.sha256()
    for name in sorted(PACK_FILES.values()):
        digest.update(name.encode())
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()


def _missing_accelerator_values(entry: Mapping[str, Any]) -> list[str]:
    return [f for f in ("memory_gb", "memory_bandwidth_tbs") if entry.get(f) is None]


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def _provenance(entry: Mapping[str, Any]) -> dict[str, Provenance]:
    raw = entry.get("field_sources") or {}
    return {k: Provenance(str(v["source"]), str(v["as_of"])) for k, v in raw.items()}


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


def licence_from_entry(e: Mapping[str, Any]) -> LicenceTerms | None:
    """Licence terms with where they were read: `field_sources.licence`, else the licence's
    own URL, else the entry's source."""
    lic = e.get("licence")
    if not isinstance(lic, Mapping):
        return None
    origin = (e.get("field_sources") or {}).get("licence") or {}
    return LicenceTerms(
        name=lic.get("name") or "",
        osi_approved=lic.get("osi_approved"),
        commercial_use=lic.get("commercial_use")
        if isinstance(lic.get("commercial_use"), bool)
        else None,
        mau_cap=lic.get("mau_cap"),
        acceptable_use_policy=lic.get("acceptable_use_policy") or "",
        attribution=lic.get("attribution") or "",
        restrictions=lic.get("restrictions") or "",
        id=str(lic.get("id") or ""),
        excluded_regions=_texts(lic.get("excluded_regions")),
        source=str(origin.get("source") or lic.get("url") or e["source"]),
        as_of=str(origin.get("as_of") or e["as_of"]),
    )


def model_from_entry(e: Mapping[str, Any]) -> ModelSpec:
    """Typed model spec from a validated entry (billions become parameter counts)."""
    a = e["arch"]
    moe = a.get("moe")
    mla = a.get("mla")
    window = a.get("sliding_window")
    return ModelSpec(
        id=e["id"],
        name=e["name"],
        kind=e.get("kind", "llm"),
        params_total=float(e["params_total_b"]) * 1e9,
        params_active=float(e["params_active_b"]) * 1e9,
        layers=int(a["layers"]),
        hidden_size=int(a["hidden_size"]),
        heads=int(a["heads"]),
        kv_heads=int(a["kv_heads"]),
        head_dim=int(a["head_dim"]),
        vocab_size=a.get("vocab_size"),
        max_context_tokens=a.get("max_context_tokens"),
        tie_word_embeddings=bool(a.get("tie_word_embeddings")),
        intermediate_size=a.get("intermediate_size"),
        moe=MoeSpec(
            num_experts=int(moe["num_experts"]),
            experts_per_token=int(moe["experts_per_token"]),
            shared_experts=int(moe.get("shared_experts") or 0),
            expert_intermediate_size=moe.get("expert_intermediate_size"),
            first_dense_layers=int(moe.get("first_dense_layers") or 0),
        )
        if moe
        else None,
        mla=MlaSpec(
            kv_lora_rank=int(mla["kv_lora_rank"]),
            qk_rope_head_dim=int(mla["qk_rope_head_dim"]),
            qk_nope_head_dim=int(mla.get("qk_nope_head_dim") or 0),
            v_head_dim=int(mla.get("v_head_dim") or 0),
            q_lora_rank=mla.get("q_lora_rank"),
        )
        if mla
        else None,
        sliding_window=SlidingWindowSpec(
            window_tokens=int(window["window_tokens"]),
            sliding_layers=int(window["sliding_layers"]),
        )
        if window
        else None,
        embedding_dim=a.get("embedding_dim"),
        publisher=e.get("publisher") or "",
        origin_country=e.get("origin_country") or "",
        open_weights=bool(e.get("open_weights", True)),
        licence=licence_from_entry(e),
        family=e.get("family") or "",
        source=e["source"],
        as_of=e["as_of"],
        field_sources=_provenance(e),
    )


def accelerator_from_entry(e: Mapping[str, Any]) -> AcceleratorSpec:
    """Typed accelerator spec from a validated entry."""
    price = e.get("price") or {}
    peaks = {k: float(v) for k, v in (e.get("peak_tflops") or {}).items() if v is not None}
    notes = tuple(
        ExportControlNote(
            regime=str(n.get("regime", "")),
            note=str(n.get("note", "")),
            regions=tuple(n.get("regions") or ()),
            source=str(n.get("source", "")),
            as_of=str(n.get("as_of", "")),
            region_codes=_texts(n.get("region_codes")),
            effect=str(n.get("effect") or ""),
            authority=str(n.get("authority") or ""),
        )
        for n in e.get("export_control") or ()
        if isinstance(n, Mapping)
    )
    support = tuple(
        SupportNote(
            regions=_texts(n.get("regions")),
            available=bool(n.get("available")),
            note=str(n.get("note", "")),
            source=str(n.get("source", "")),
            as_of=str(n.get("as_of", "")),
        )
        for n in e.get("vendor_support") or ()
        if isinstance(n, Mapping)
    )
    return AcceleratorSpec(
        id=e["id"],
        name=e["name"],
        vendor=e["vendor"],
        vendor_country=e.get("vendor_country") or "",
        segment=e.get("segment") or "",
        hardware_class=e.get("hardware_class") or "unknown",
        memory_gb=float(e["memory_gb"]),
        memory_bandwidth_tbs=float(e["memory_bandwidth_tbs"]),
        peak_tflops=peaks,
        native_precisions=tuple(p.lower() for p in e.get("native_precisions") or ()),
        tdp_w=e.get("tdp_w"),
        aliases=tuple(e.get("aliases") or ()),
        architecture=e.get("architecture") or "",
        form_factor=e.get("form_factor") or "",
        interconnect=e.get("interconnect") or "",
        interconnect_gbs=e.get("interconnect_gbs"),
        price_usd=price.get("usd") if isinstance(price, Mapping) else None,
        price_kind=str(price.get("kind", "")) if isinstance(price, Mapping) else "",
        price_as_of=str(price.get("as_of", "")) if isinstance(price, Mapping) else "",
        export_control=notes,
        vendor_support=support,
        source=e["source"],
        as_of=e["as_of"],
        field_sources=_provenance(e),
    )


def quant_from_entry(e: Mapping[str, Any]) -> QuantFormat:
    return QuantFormat(
        id=e["id"],
        name=e["name"],
        bits_per_weight=float(e["bits_per_weight"]),
        compute_precision=e["compute_precision"],
        scheme=e.get("scheme") or "",
        engines=tuple(e.get("engines") or ()),
        aliases=tuple(e.get("aliases") or ()),
        source=e["source"],
        as_of=e["as_of"],
    )


def server_from_entry(e: Mapping[str, Any]) -> ServerSpec:
    return ServerSpec(
        id=e["id"],
        name=e["name"],
        gpu_slots=int(e["gpu_slots"]),
        form_factor=e.get("form_factor") or "",
        base_power_w=e.get("base_power_w"),
        price_usd=e.get("price_usd"),
        rack_units=e.get("rack_units"),
        accelerators=tuple(e.get("accelerators") or ()),
        source=e["source"],
        as_of=e["as_of"],
    )


def api_from_entry(e: Mapping[str, Any]) -> CloudApiPrice:
    return CloudApiPrice(
        id=e["id"],
        name=e["name"],
        provider=e["provider"],
        model=e.get("model") or e["name"],
        input_usd_per_mtok=float(e["input_usd_per_mtok"]),
        output_usd_per_mtok=float(e["output_usd_per_mtok"]),
        cached_input_usd_per_mtok=e.get("cached_input_usd_per_mtok"),
        provider_country=e.get("provider_country") or "",
        model_kind=e.get("model_kind") or "",
        source=e["source"],
        as_of=e["as_of"],
    )


def rental_from_entry(e: Mapping[str, Any]) -> GpuRental:
    return GpuRental(
        id=e["id"],
        name=e["name"],
        provider=e["provider"],
        accelerator=e["accelerator"],
        on_demand_usd_per_gpu_hour=e.get("on_demand_usd_per_gpu_hour"),
        reserved_usd_per_gpu_hour=e.get("reserved_usd_per_gpu_hour"),
        reserved_term=e.get("reserved_term") or "",
        provider_country=e.get("provider_country") or "",
        source=e["source"],
        as_of=e["as_of"],
    )


class Catalog:
    """All catalog entries of a workspace or of the shipped packs, with typed lookups."""

    def __init__(
        self, entries: Mapping[str, Iterable[Mapping[str, Any]]], version: str = ""
    ) -> None:
        self.version = version
        self.entries: dict[str, list[dict[str, Any]]] = {
            kind: [dict(e) for e in entries.get(kind, ())] for kind in KINDS
        }

    @classmethod
    def shipped(cls) -> Catalog:
        packs = shipped_packs()
        version = max((p.catalog_version for p in packs.values()), default="")
        return cls({k: p.entries for k, p in packs.items()}, version=version)

    @cached_property
    def models(self) -> dict[str, ModelSpec]:
        return {e["id"]: model_from_entry(e) for e in self.entries["models"]}

    @cached_property
    def accelerators(self) -> dict[str, AcceleratorSpec]:
        """Accelerators with the values the engine needs (memory and bandwidth)."""
        return {e["id"]: accelerator_from_entry(e) for e in self.entries["accelerators"]
                if not _missing_accelerator_values(e)}

    @cached_property
    def incomplete_accelerators(self) -> dict[str, list[str]]:
        """id -> fields without a sourced value, for entries the engine cannot use."""
        return {e["id"]: missing for e in self.entries["accelerators"]
                if (missing := _missing_accelerator_values(e))}

    @cached_property
    def quantizations(self) -> dict[str, QuantFormat]:
        return {e["id"]: quant_from_entry(e) for e in self.entries["quantizations"]}

    @cached_property
    def servers(self) -> dict[str, ServerSpec]:
        return {e["id"]: server_from_entry(e) for e in self.entries["servers"]}

    @cached_property
    def cloud_apis(self) -> dict[str, CloudApiPrice]:
        return {e["id"]: api_from_entry(e) for e in self.entries["cloud-apis"]}

    @cached_property
    def gpu_rentals(self) -> dict[str, GpuRental]:
        return {e["id"]: rental_from_entry(e) for e in self.entries["gpu-rentals"]}

    @cached_property
    def _accelerator_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for entry in self.entries["accelerators"]:
            for label in (entry["id"], entry["name"], *(entry.get("aliases") or ())):
                index.setdefault(_norm(str(label)), entry["id"])
        return index

    @cached_property
    def _quant_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for q in self.quantizations.values():
            for label in (q.id, q.name, *q.aliases):
                index.setdefault(_norm(label), q.id)
        return index

    def model(self, key: str) -> ModelSpec:
        """Model by id or name; KeyError names what was asked for."""
        if key in self.models:
            return self.models[key]
        wanted = _norm(key)
        for spec in self.models.values():
            if _norm(spec.name) == wanted or _norm(spec.id) == wanted:
                return spec
        raise KeyError(f"model '{key}' is not in the catalog")

    def accelerator(self, key: str) -> AcceleratorSpec:
        """Accelerator by id, name or alias; KeyError names what was asked for."""
        found = self._accelerator_index.get(_norm(key))
        if found is None:
            raise KeyError(f"accelerator '{key}' is not in the catalog")
        if found in self.incomplete_accelerators:
            missing = ", ".join(self.incomplete_accelerators[found])
            raise KeyError(f"accelerator '{key}' has no sourced {missing} in the catalog; "
                           "add the value (with its source) to use it")
        return self.accelerators[found]

    def quantization(self, key: str) -> QuantFormat:
        """Quantization format by id, name or alias."""
        found = self._quant_index.get(_norm(key))
        if found is None:
            raise KeyError(f"quantization '{key}' is not in the catalog")
        return self.quantizations[found]
