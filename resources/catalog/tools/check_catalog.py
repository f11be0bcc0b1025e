"""Consistency checks for the shipped catalog packs.

Usage: python resources/catalog/tools/check_catalog.py [--shared /path/to/shared]

Checks every pack for unique ids, required fields, non-empty provenance (source, as_of in
YYYY / YYYY-MM / YYYY-MM-DD, also inside field_sources and export_control), numeric types,
cross-references (server/rental accelerator ids) and alias collisions. With --shared it also
checks that every calibration model id and GPU key, and every facts model/accelerator,
resolves, and that params_total_b matches the calibration set.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
_REGIONS = json.loads((HERE / "regions.json").read_text(encoding="utf-8"))
REGION_CODES = {c["code"] for c in _REGIONS["countries"]} | {g["code"] for g in _REGIONS["groups"]}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
REQUIRED = {
    "models": ["id", "name", "family", "kind", "publisher", "origin_country", "open_weights", "release_date", "hf_repo",
               "params_total_b", "params_active_b", "arch", "licence"],
    "accelerators": ["id", "name", "aliases", "vendor", "vendor_country", "segment", "hardware_class", "architecture", "form_factor",
                     "memory_gb", "memory_bandwidth_tbs", "peak_tflops", "native_precisions", "tdp_w", "interconnect",
                     "interconnect_gbs", "price", "export_control"],
    "quantizations": ["id", "name", "bits_per_weight", "compute_precision", "scheme", "engines", "aliases"],
    "servers": ["id", "name", "gpu_slots", "form_factor", "accelerators", "base_power_w", "price_usd", "rack_units"],
    "cloud-apis": ["id", "name", "provider", "provider_country", "model", "input_usd_per_mtok", "output_usd_per_mtok",
                   "cached_input_usd_per_mtok"],
    "gpu-rentals": ["id", "name", "provider", "provider_country", "accelerator", "on_demand_usd_per_gpu_hour",
                    "reserved_usd_per_gpu_hour", "reserved_term"],
}
ARCH = ["layers", "hidden_size", "heads", "kv_heads", "head_dim", "intermediate_size", "vocab_size", "max_context_tokens",
        "tie_word_embeddings", "moe", "mla", "sliding_window", "embedding_dim"]
LICENCE = ["name", "osi_approved", "commercial_use", "mau_cap", "acceptable_use_policy", "attribution", "restrictions", "url"]
NUMERIC = {
    "models": ["params_total_b", "params_active_b"],
    "accelerators": ["memory_gb", "memory_bandwidth_tbs", "tdp_w", "interconnect_gbs"],
    "quantizations": ["bits_per_weight"],
    "servers": ["gpu_slots", "base_power_w", "price_usd", "rack_units"],
    "cloud-apis": ["input_usd_per_mtok", "output_usd_per_mtok", "cached_input_usd_per_mtok"],
    "gpu-rentals": ["on_demand_usd_per_gpu_hour", "reserved_usd_per_gpu_hour"],
}
CLASSES = {"nvidia-ampere", "nvidia-ada", "nvidia-hopper", "nvidia-blackwell", "amd-cdna2", "amd-cdna3", "amd-cdna4",
           "intel-gaudi", "huawei-ascend", "cambricon", "apple-silicon"}
PRECISIONS = {"fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4", "int16", "int8", "int4"}


def is_num(v):
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=None)
    args = ap.parse_args()
    errors: list[str] = []
    packs = {}
    for kind in REQUIRED:
        p = HERE / f"{kind}.json"
        d = json.loads(p.read_text())
        if d.get("kind") != kind:
            errors.append(f"{p.name}: kind {d.get('kind')!r}")
        if d.get("catalog_version") != "2026.11.2":
            errors.append(f"{p.name}: catalog_version {d.get('catalog_version')!r}")
        ents = d["entries"]
        packs[kind] = ents
        ids = [e["id"] for e in ents]
        for i in {i for i in ids if ids.count(i) > 1}:
            errors.append(f"{kind}: duplicate id {i}")
        for e in ents:
            tag = f"{kind}/{e.get('id')}"
            for f in REQUIRED[kind]:
                if f not in e:
                    errors.append(f"{tag}: missing {f}")
            for f in ("source", "as_of"):
                if not isinstance(e.get(f), str) or not e[f].strip():
                    errors.append(f"{tag}: empty {f}")
            if isinstance(e.get("as_of"), str) and not DATE.match(e["as_of"]):
                errors.append(f"{tag}: as_of {e['as_of']!r} not YYYY[-MM[-DD]]")
            for fld, prov in (e.get("field_sources") or {}).items():
                if not prov.get("source") or not isinstance(prov.get("as_of"), str) or not DATE.match(prov["as_of"]):
                    errors.append(f"{tag}: field_sources[{fld}] incomplete {prov}")
            for f in NUMERIC[kind]:
                if not is_num(e.get(f)):
                    errors.append(f"{tag}: {f} not a number: {e.get(f)!r}")
            if kind == "models":
                for f in ARCH:
                    if f not in e["arch"]:
                        errors.append(f"{tag}: arch.{f} missing")
                for f in ("layers", "hidden_size", "heads", "kv_heads", "head_dim"):
                    if not isinstance(e["arch"].get(f), int):
                        errors.append(f"{tag}: arch.{f} must be an int, got {e['arch'].get(f)!r}")
                for f in LICENCE:
                    if f not in e["licence"]:
                        errors.append(f"{tag}: licence.{f} missing")
                if not e["licence"].get("id"):
                    errors.append(f"{tag}: licence.id missing")
                for code in e["licence"].get("excluded_regions") or ():
                    if code not in REGION_CODES:
                        errors.append(f"{tag}: licence.excluded_regions code {code!r} is not in regions.json")
                mc = e["licence"].get("mau_cap")
                if mc is not None and not isinstance(mc, int):
                    errors.append(f"{tag}: licence.mau_cap must be an integer")
                if e["kind"] not in ("llm", "embedding", "reranker"):
                    errors.append(f"{tag}: kind {e['kind']}")
                if e["params_active_b"] > e["params_total_b"]:
                    errors.append(f"{tag}: active > total params")
                sw = e["arch"].get("sliding_window")
                if sw and sw["sliding_layers"] > e["arch"]["layers"]:
                    errors.append(f"{tag}: sliding_layers > layers")
            if kind == "accelerators":
                if e["hardware_class"] not in CLASSES:
                    errors.append(f"{tag}: hardware_class {e['hardware_class']}")
                if e["segment"] not in ("datacenter", "workstation", "consumer", "apple", "edge"):
                    errors.append(f"{tag}: segment {e['segment']}")
                for k, v in e["peak_tflops"].items():
                    if k not in PRECISIONS or not is_num(v) or v is None:
                        errors.append(f"{tag}: peak_tflops.{k}={v!r}")
                for p_ in e["native_precisions"]:
                    if p_ not in PRECISIONS:
                        errors.append(f"{tag}: native precision {p_}")
                for ec in e["export_control"]:
                    if not ec.get("source") or not isinstance(ec.get("as_of"), str) or not DATE.match(ec["as_of"]):
                        errors.append(f"{tag}: export_control entry lacks source/as_of: {ec.get('note', '')[:60]}")
                    for f in ("region_codes", "effect", "authority"):
                        if f not in ec:
                            errors.append(f"{tag}: export_control entry lacks {f}: {ec.get('note', '')[:60]}")
                    for code in ec.get("region_codes") or ():
                        if code not in REGION_CODES:
                            errors.append(f"{tag}: export_control region code {code!r} is not in regions.json")
                    if ec.get("authority") and ec["authority"] not in REGION_CODES:
                        errors.append(f"{tag}: export_control authority {ec['authority']!r} is not in regions.json")
                pr = e["price"]
                if pr.get("usd") is not None and (not pr.get("source") or not pr.get("as_of")):
                    errors.append(f"{tag}: price without provenance")
                for fld in (e.get("field_sources") or {}):
                    if fld.startswith("peak_tflops.") and fld.split(".", 1)[1] not in e["peak_tflops"]:
                        errors.append(f"{tag}: field_sources[{fld}] names a precision with no peak_tflops value")
            if kind == "quantizations" and e.get("scheme") == "gguf":
                blk = e.get("block_bits_per_weight")
                if blk is not None and (not is_num(blk) or e["bits_per_weight"] + 1e-9 < blk):
                    errors.append(f"{tag}: file-level bits_per_weight {e['bits_per_weight']} below block rate {blk}")
    # cross references
    acc_ids = {e["id"] for e in packs["accelerators"]}
    for s in packs["servers"]:
        for a in s["accelerators"]:
            if a not in acc_ids:
                errors.append(f"servers/{s['id']}: unknown accelerator {a}")
    for r in packs["gpu-rentals"]:
        if r["accelerator"] not in acc_ids:
            errors.append(f"gpu-rentals/{r['id']}: unknown accelerator {r['accelerator']}")
    index: dict[str, set] = {}
    for e in packs["accelerators"]:
        for k in [e["id"], e["name"], *e["aliases"]]:
            index.setdefault(k.lower(), set()).add(e["id"])
    for k, v in index.items():
        if len(v) > 1:
            errors.append(f"accelerators: name/alias {k!r} resolves to {sorted(v)}")
    qidx = {}
    for e in packs["quantizations"]:
        for k in [e["id"], *e["aliases"]]:
            qidx.setdefault(k.lower(), set()).add(e["id"])
    for k, v in qidx.items():
        if len(v) > 1:
            errors.append(f"quantizations: alias {k!r} resolves to {sorted(v)}")

    if args.shared:
        cal_m = json.loads((args.shared / "calibration/models.json").read_text())["models"]
        cal_g = json.loads((args.shared / "calibration/gpus.json").read_text())["gpus"]
        fm = json.loads((args.shared / "facts/models.json").read_text())["models"]
        fa = json.loads((args.shared / "facts/accelerators.json").read_text())["accelerators"]
        models = {e["id"]: e for e in packs["models"]}
        for mid, c in cal_m.items():
            if mid not in models:
                errors.append(f"calibration model {mid} missing")
                continue
            if abs(models[mid]["params_total_b"] - c["params_total_b"]) > 1e-9:
                errors.append(f"calibration model {mid}: params_total_b {models[mid]['params_total_b']} != {c['params_total_b']}")
            if abs(models[mid]["params_active_b"] - c["params_active_b"]) > 1e-9:
                errors.append(f"calibration model {mid}: params_active_b differs")
        for mid in fm:
            if mid not in models:
                errors.append(f"facts model {mid} missing")
        for key in list(cal_g) + list(fa):
            hit = index.get(key.lower())
            if not hit or len(hit) != 1:
                errors.append(f"accelerator key {key!r} does not resolve uniquely: {hit}")
    for kind, ents in packs.items():
        print(f"{kind:14s} {len(ents):3d} entries")
    if errors:
        print(f"\n{len(errors)} problem(s):")
        for e in errors:
            print(" -", e)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
