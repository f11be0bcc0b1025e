"""A catalog `models` entry from a local model: a folder (config.json + safetensors) or a GGUF.

The entry follows `resources/catalog/README.md`: `params_total_b` is the exact parameter count
of the weight files (also kept as the integer `params_total`); `params_active_b` is, for MoE,
`total - routed x (1 - k / E)` (attention, embeddings, dense layers, shared experts and the
top-k routed experts), where `routed` is the exact size of the routed-expert tensors. `source`
names the absolute path and the SHA-256 of what was read; `as_of` is the newest modification
date (UTC) of the files read. Measured storage is recorded as `file_bytes`, `weights_bytes`,
`measured_bits_per_weight` (8 x weights_bytes / params, scales included), `bytes_by_type` and
`params_by_type`; GGUF files add `gguf_file_type`. Licence and publisher come only from the
files' own metadata; origin country is never inferred.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.catalog.importers import gguf_model, hf_weights
from app.catalog.importers.architecture import Architecture
from app.catalog.importers.errors import NO_WEIGHTS, NOT_A_MODEL, UNREADABLE, ModelFileError, fail
from app.catalog.importers.ggml_types import FILE_TYPES
from app.catalog.importers.gguf import MAGIC
from app.catalog.importers.gguf_split import read_model_gguf, split_prefix
from app.catalog.importers.hf_config import read_config
from app.catalog.importers.model_card import card_licence
from app.catalog.importers.safetensors import INDEX_NAME, read_folder
from app.catalog.importers.weights import WeightsSummary

_SLUG_DROP = re.compile(r"[^a-z0-9._+-]+")


def slug(text: str) -> str:
    """A catalog id from a file or folder name: lower case, `[a-z0-9._+-]`, at most 80."""
    cleaned = _SLUG_DROP.sub("-", text.lower()).strip("-._+")
    return re.sub(r"-{2,}", "-", cleaned)[:80].rstrip("-._+") or "imported-model"


def _date(paths: list[Path]) -> str:
    newest = max(p.stat().st_mtime for p in paths)
    return datetime.fromtimestamp(newest, UTC).strftime("%Y-%m-%d")


def _active(arch: Architecture, weights: WeightsSummary, derived: list[str]) -> int:
    """Parameters used per token: all but the routed experts a token does not visit."""
    moe = arch.moe
    if moe is None:
        return weights.params
    routed = weights.routed_expert_params
    if routed == 0:
        size = moe.expert_intermediate_size or 0
        routed = (arch.layers - moe.first_dense_layers) * moe.num_experts * 3 * \
            arch.hidden_size * size
        derived.append("routed-expert parameters from the config formula (layers - "
                       "first_dense) x experts x 3 x hidden x expert_intermediate: the tensor "
                       "names do not mark experts")
    idle = routed * (moe.num_experts - moe.experts_per_token) // moe.num_experts
    return weights.params - idle


def _licence(name: str | None, url: str | None) -> dict[str, Any] | None:
    if not name:
        return None
    return {"name": name, "osi_approved": None, "commercial_use": None, "mau_cap": None,
            "acceptable_use_policy": None, "attribution": None, "restrictions": None,
            "url": url}


def _entry(*, entry_id: str, name: str, arch: Architecture, weights: WeightsSummary,
           source: str, as_of: str, derived: list[str]) -> dict[str, Any]:
    if weights.params <= 0:
        raise ModelFileError(f"{name}: holds no parameters")
    tie = not weights.has_output_head
    if arch.tie_word_embeddings is not None and arch.tie_word_embeddings != tie:
        derived.append(f"tie_word_embeddings {str(tie).lower()} from the weights (the output "
                       "head is " + ("absent" if tie else "stored") + "), not the metadata")
    active = _active(arch, weights, derived)
    return {
        "id": entry_id, "name": name, "family": arch.family, "kind": "llm",
        "publisher": None, "origin_country": None, "open_weights": True,
        "release_date": None, "hf_repo": None,
        "params_total_b": weights.params / 1e9, "params_active_b": active / 1e9,
        "params_total": weights.params, "params_active": active,
        "arch": arch.as_arch(tie_word_embeddings=tie),
        "licence": None,
        "file_bytes": weights.file_bytes, "weights_bytes": weights.weights_bytes,
        "measured_bits_per_weight": round(weights.bits_per_weight, 4),
        "bytes_by_type": weights.bytes_by_type, "params_by_type": weights.params_by_type,
        "derived": [*arch.derived, *derived],
        "source": source, "as_of": as_of,
    }


def _folder_entry(folder: Path, entry_id: str | None) -> dict[str, Any]:
    config_path = folder / "config.json"
    if not config_path.is_file():
        ggufs = sorted(p.name for p in folder.glob("*.gguf"))
        hint = f"; to import a GGUF file, name it (e.g. {ggufs[0]})" if ggufs else ""
        fail(str(folder), NOT_A_MODEL + hint.replace("{", "{{").replace("}", "}}"))
    config = read_config(config_path)
    headers = read_folder(folder)
    if not headers:
        fail(folder.name, NO_WEIGHTS)
    weights = hf_weights.summarize(headers, config.packed_bits,
                                   bytes.fromhex(config.sha256))
    derived: list[str] = []
    if config.quant_method:
        derived.append(f"quantized checkpoint ({config.quant_method}): parameters count packed "
                       f"weights at {config.packed_bits} bits; scale tensors count as bytes only")
    files = [config_path, *(folder / h.file_name for h in headers)]
    if (folder / INDEX_NAME).is_file():
        files.append(folder / INDEX_NAME)
    as_of = _date(files)
    entry = _entry(
        entry_id=entry_id or slug(folder.name), name=folder.name[:200], arch=config.architecture,
        weights=weights, as_of=as_of, derived=derived,
        source=f"local file: {folder.resolve()} (sha256 of config.json and safetensors "
               f"headers: {weights.fingerprint})")
    card = card_licence(folder)
    licence = card.get("license_name") or card.get("license")
    if licence:
        entry["licence"] = _licence(licence, card.get("license_link"))
        entry["field_sources"] = {"licence": {
            "source": f"local file: {(folder / 'README.md').resolve()} (model card front matter)",
            "as_of": _date([folder / "README.md"])}}
    return entry


def _gguf_entry(path: Path, entry_id: str | None) -> dict[str, Any]:
    gguf, paths = read_model_gguf(path)
    arch = gguf_model.architecture_from_gguf(gguf)
    weights = gguf_model.summarize(gguf)
    stem = split_prefix(paths[0]) if len(paths) > 1 else None
    stem = stem or path.stem
    shards = f" and {len(paths) - 1} more shards" if len(paths) > 1 else ""
    what = "headers" if shards else "header"
    entry = _entry(
        entry_id=entry_id or slug(stem),
        name=gguf_model.text(gguf, "general.name") or stem[:200], arch=arch,
        weights=weights, as_of=_date(paths), derived=[],
        source=f"local file: {paths[0].resolve()}{shards} (sha256 of {what}: "
               f"{weights.fingerprint})")
    file_type = gguf.metadata.get("general.file_type")
    entry["gguf_file_type"] = FILE_TYPES.get(file_type) if isinstance(file_type, int) else None
    entry["gguf_version"] = gguf.version
    entry["publisher"] = (gguf_model.text(gguf, "general.organization")
                          or gguf_model.text(gguf, "general.author"))
    entry["licence"] = _licence(
        gguf_model.text(gguf, "general.license.name") or gguf_model.text(gguf, "general.license"),
        gguf_model.text(gguf, "general.license.link"))
    return entry


def _is_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == MAGIC
    except OSError as exc:
        fail(path.name, UNREADABLE, reason=exc.strerror or type(exc).__name__)


def model_entry(path: Path, entry_id: str | None = None) -> dict[str, Any]:
    """The catalog entry for the model at `path` (a model folder, its config.json, or a GGUF).

    Raises `ModelFileError` naming the file and the rule when anything cannot be read.
    """
    if not path.exists():
        fail(str(path), UNREADABLE, reason="no such file or folder")
    if path.is_dir():
        return _folder_entry(path, entry_id)
    if path.suffix.lower() == ".gguf" or _is_gguf(path):
        return _gguf_entry(path, entry_id)
    if path.name == "config.json" or path.suffix == ".safetensors":
        return _folder_entry(path.parent, entry_id)
    fail(path.name, NOT_A_MODEL)
