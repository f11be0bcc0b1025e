"""A small catalog built in the tests, so evaluation tests do not depend on the shipped packs.

Every entry passes the catalog's own validation (`parse_pack`); the values are plausible, not
quoted facts, and are labelled as test data.
"""

from __future__ import annotations

from typing import Any

from app.catalog.loader import Catalog, parse_pack

SOURCE = {"source": "test fixture (not a real entry)", "as_of": "2026-01"}

ENTRIES: dict[str, list[dict[str, Any]]] = {
    "models": [
        {
            "id": "test-70b", "name": "Test 70B", "kind": "llm", "params_total_b": 70.55,
            "params_active_b": 70.55,
            "arch": {"layers": 80, "hidden_size": 8192, "heads": 64, "kv_heads": 8,
                     "head_dim": 128, "vocab_size": 128256, "max_context_tokens": 131072,
                     "tie_word_embeddings": False},
            **SOURCE,
        },
        {
            "id": "test-embedder", "name": "Test embedder", "kind": "embedding",
            "params_total_b": 0.57, "params_active_b": 0.57,
            "arch": {"layers": 24, "hidden_size": 1024, "heads": 16, "kv_heads": 16,
                     "head_dim": 64, "embedding_dim": 1024},
            **SOURCE,
        },
        {
            "id": "test-reranker", "name": "Test reranker", "kind": "reranker",
            "params_total_b": 0.57, "params_active_b": 0.57,
            "arch": {"layers": 24, "hidden_size": 1024, "heads": 16, "kv_heads": 16,
                     "head_dim": 64, "max_context_tokens": 8192},
            **SOURCE,
        },
        {
            # Llama 3.1 8B dimensions, as a guard model's base (Llama Guard 3 8B).
            "id": "test-8b", "name": "Test 8B", "kind": "llm", "params_total_b": 8.03,
            "params_active_b": 8.03,
            "arch": {"layers": 32, "hidden_size": 4096, "heads": 32, "kv_heads": 8,
                     "head_dim": 128, "intermediate_size": 14336, "vocab_size": 128256,
                     "max_context_tokens": 131072, "tie_word_embeddings": False},
            **SOURCE,
        },
        {
            # LLaMA 65B dimensions (Touvron et al. 2023, Table 2), for the QLoRA fact.
            "id": "test-65b", "name": "Test 65B", "kind": "llm", "params_total_b": 65.286,
            "params_active_b": 65.286,
            "arch": {"layers": 80, "hidden_size": 8192, "heads": 64, "kv_heads": 64,
                     "head_dim": 128, "intermediate_size": 22016, "vocab_size": 32000,
                     "max_context_tokens": 2048, "tie_word_embeddings": False},
            **SOURCE,
        },
    ],
    "accelerators": [
        {
            "id": "test-gpu-80gb", "name": "Test GPU 80GB", "vendor": "TestCo",
            "memory_gb": 80, "memory_bandwidth_tbs": 3.35,
            "peak_tflops": {"bf16": 989.4, "fp16": 989.4, "fp8": 1978.9},
            "native_precisions": ["bf16", "fp16", "fp8"], "tdp_w": 700,
            "price": {"usd": 30000, "kind": "estimate", "as_of": "2026-01"},
            **SOURCE,
        },
        {
            "id": "test-gpu-unpriced", "name": "Test GPU without price", "vendor": "TestCo",
            "memory_gb": 80, "memory_bandwidth_tbs": 3.35,
            "peak_tflops": {"bf16": 989.4, "fp16": 989.4},
            "native_precisions": ["bf16", "fp16"], "tdp_w": None, **SOURCE,
        },
        {
            "id": "test-gpu-48gb", "name": "Test GPU 48GB", "vendor": "TestCo",
            "memory_gb": 48, "memory_bandwidth_tbs": 0.864,
            "peak_tflops": {"bf16": 362, "fp16": 362}, "native_precisions": ["bf16", "fp16"],
            "tdp_w": 350, "price": {"usd": 8000}, **SOURCE,
        },
        {
            "id": "test-gpu-24gb", "name": "Test GPU 24GB", "vendor": "TestCo",
            "memory_gb": 24, "memory_bandwidth_tbs": 1.0,
            "peak_tflops": {"bf16": 165, "fp16": 165}, "native_precisions": ["bf16", "fp16"],
            "tdp_w": 450, "price": {"usd": 1600}, **SOURCE,
        },
    ],
    "quantizations": [
        {"id": "fp8", "name": "FP8", "bits_per_weight": 8, "compute_precision": "fp8",
         "scheme": "w8a8", **SOURCE},
        {"id": "bf16", "name": "BF16", "bits_per_weight": 16, "compute_precision": "fp16",
         "scheme": "float", **SOURCE},
    ],
    "servers": [
        {"id": "test-server-8", "name": "Test 8-GPU server", "gpu_slots": 8,
         "base_power_w": 3000, "price_usd": 100000, **SOURCE},
        {"id": "test-server-unpriced", "name": "Test server without price", "gpu_slots": 4,
         "base_power_w": None, "price_usd": None, **SOURCE},
    ],
    "cloud-apis": [
        {"id": "test-api", "name": "Test API", "provider": "TestCloud", "model": "x",
         "input_usd_per_mtok": 1.0, "output_usd_per_mtok": 4.0,
         "cached_input_usd_per_mtok": 0.5, **SOURCE},
        {"id": "test-api-2", "name": "Test API 2", "provider": "TestCloud", "model": "y",
         "input_usd_per_mtok": 3.0, "output_usd_per_mtok": 15.0, **SOURCE},
    ],
    "gpu-rentals": [
        {"id": "test-rental", "name": "Test rental", "provider": "TestCloud",
         "accelerator": "test-gpu-80gb", "on_demand_usd_per_gpu_hour": 3.0,
         "reserved_usd_per_gpu_hour": 2.0, **SOURCE},
        {"id": "test-rental-other", "name": "Test rental (other GPU)", "provider": "TestCloud",
         "accelerator": "some-other-gpu", "on_demand_usd_per_gpu_hour": 4.0,
         "reserved_usd_per_gpu_hour": None, **SOURCE},
    ],
}


def test_catalog() -> Catalog:
    """The fixture catalog, each pack validated like a shipped one."""
    packs = {
        kind: parse_pack({"kind": kind, "catalog_version": "test", "entries": entries}, kind)
        for kind, entries in ENTRIES.items()
    }
    return Catalog({kind: pack.entries for kind, pack in packs.items()}, version="test")


test_catalog.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def scenario_dict(**sections: Any) -> dict[str, Any]:
    """A scenario on the fixture catalog; keyword sections update the defaults below."""
    data: dict[str, Any] = {
        "name": "fixture scenario",
        "workloads": [{"name": "chat", "model": "test-70b", "weights": "fp8",
                       "kv_cache": "fp8", "users": 2000, "requests_per_user_per_day": 20,
                       "input_tokens": 1500, "output_tokens": 350, "growth_per_year": 0.3}],
        "deployment": {"accelerator": "test-gpu-80gb", "server": "test-server-8"},
        "costs": {"staff_fte": 1, "staff_loaded_usd_per_year": 150000},
        "alternatives": {"cloud_api": "test-api", "gpu_rental": "test-rental",
                         "rental_pricing": "reserved"},
        "uncertainty": {"costs.gpu_price_usd": {"low": 25000, "high": 40000},
                        "workloads[0].users": {"low": 1000, "high": 3000}},
    }
    for name, values in sections.items():
        if name in ("deployment", "costs", "alternatives"):  # merged; others replaced
            data[name] = {**data[name], **values}
        else:
            data[name] = values
    return data
