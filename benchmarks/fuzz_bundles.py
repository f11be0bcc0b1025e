"""Fuzz the scenario bundle importer, the scenario JSON reader and the estimate cases CSV.

    PYTHONPATH=. python benchmarks/fuzz_bundles.py [--inputs N] [--seed S]

Each target gets N inputs (default 12,000), in four families:
- random bytes (sometimes behind a valid prefix);
- byte-level mutations of valid files (bytes overwritten, boundary integers, truncation,
  insertion, splicing), which mostly exercise the container and the manifest checks;
- structure-aware mutations: a member's JSON is changed (values replaced by boundary values,
  keys removed or added, lists emptied or grown) and the manifest's sizes and hashes are
  recomputed, so the input gets past the integrity checks into the scenario and catalog rules;
- hostile containers: unsafe member names, symlinks, duplicate and unlisted members, wrong
  format versions, huge declared sizes.
A bundle that is accepted is also imported into a workspace and the import undone (so the
importer, not only the reader, runs on it). The estimate cases file is estimated end to end: a
bad row must come out as a `status=error` row, a bad file as a `UserError`.

"accepted" parsed (and, for bundles, imported and undone), "rejected" raised the user-facing
`UserError` (one line), "crashed" raised anything else or broke an invariant: that is a bug,
and the script exits 1.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import io
import json
import random
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.catalog.efficiency import load_efficiency  # noqa: E402
from app.catalog.loader import Catalog  # noqa: E402
from app.errors import UserError  # noqa: E402
from app.operations import bundle_format  # noqa: E402
from app.operations.bundles import import_bundle, read_bundle_file  # noqa: E402
from app.operations.estimate import OUTPUT_COLUMNS, estimate_file  # noqa: E402
from app.operations.scenario_files import read_scenario_file  # noqa: E402
from app.operations.workspace_ops import demo_scenarios, open_workspace  # noqa: E402
from app.storage.workspace import Workspace  # noqa: E402
from benchmarks.fuzz_importers import mutate as mutate_bytes  # noqa: E402

BOUNDARY_VALUES: list[Any] = [
    0, -1, 1, 2, 2**31, -(2**63), 2**64, 10**30, 1e308, -1e308, 5e-324, 0.5, -0.0, "", " ",
    "x" * 5000, None, True, False, [], {}, [None], {"": None}, "<img src=x>", "../../etc/passwd",
    "\u202e\u0000", "nvidia-h100-sxm-80gb", "llama-3.3-70b", "fp8", "n+1", "20%", "vllm",
    "air-gapped", "costs.gpu_price_usd", {"low": 1, "high": 0}, {"low": 0, "likely": 5, "high": 1},
]
HOSTILE_NAMES = ["../x.json", "/abs.json", "C:/x.json", "scenarios\\x.json", "scenarios/../x",
                 "scenarios/", "catalog/", "other/", "scenarios/.json", "scenarios/a.txt",
                 "catalog/gpus.json", "manifest.json", "scenarios/" + "a" * 300 + ".json",
                 "scenarios/\u00e9.json", "scenarios/a\x00.json"]
CSV_CELLS = ["", " ", "0", "-1", "1", "1.5", "nan", "inf", "-inf", "1e308", "1e400",
             str(2**64), "9" * 400, "two", "=1+1", "\u202e", "fp8", "bf16", "q4_k_m", "vllm",
             "llama.cpp", "batch", "rate", "offline", "H100 SXM 80GB", "llama-3.1-8b",
             "deepseek-r1", "bge-m3", "8", "64", "1000000", "\x00", '"', "a,b"]


# --- mutations --------------------------------------------------------------------------------


def _spots(value: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) inside a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((value, key))
            _spots(item, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            _spots(item, found)
    return found


def mutate_json(rng: random.Random, value: Any) -> Any:
    """A copy of `value` with 1-3 structural edits."""
    out = copy.deepcopy(value)
    for _ in range(rng.randint(1, 3)):
        spots = _spots(out, [])
        if not spots:
            return rng.choice(BOUNDARY_VALUES)
        holder, key = rng.choice(spots)
        choice = rng.random()
        if choice < 0.55:
            holder[key] = copy.deepcopy(rng.choice(BOUNDARY_VALUES))
        elif choice < 0.7:
            del holder[key]
        elif choice < 0.8 and isinstance(holder, dict):
            holder[rng.choice(["extra", "name", "id", "kind", "uncertainty", str(rng.random())])] \
                = copy.deepcopy(rng.choice(BOUNDARY_VALUES))
        elif choice < 0.9 and isinstance(holder[key], list):
            holder[key] = holder[key] * rng.randint(0, 3)
        else:
            holder[key] = [holder[key]] if rng.random() < 0.5 else {"x": holder[key]}
    return out


# --- seeds ------------------------------------------------------------------------------------


def bundle_members(ws: Workspace) -> dict[str, Any]:
    """The members of a bundle of every scenario in `ws`, with a carried catalog entry."""
    from app.operations import catalog_ops
    from app.operations.bundle_catalog import carry_entries
    from app.operations.scenario_files import find_in_workspace
    from app.storage import catalog_store, scenario_store

    entry = catalog_store.get_entry(ws.db, "accelerators", "nvidia-h100-sxm-80gb")
    assert entry is not None
    catalog_ops.edit_entry(ws, "accelerators", {**entry, "tdp_w": 650})
    scenarios = []
    for row in scenario_store.list_rows(ws.db):
        found = find_in_workspace(ws.db, row.name)
        assert found is not None
        scenarios.append(found[0].to_dict())
    members: dict[str, Any] = {f"scenarios/{n:03d}-s.json": data
                               for n, data in enumerate(scenarios, start=1)}
    members.update(carry_entries(ws, scenarios))
    return members


def zip_of(members: dict[str, Any], raw: dict[str, bytes] | None = None,
           manifest_changes: dict[str, Any] | None = None,
           attrs: dict[str, int] | None = None) -> bytes:
    """A zip bundle; `raw` members are stored as given and listed with their true hashes."""
    files = {p: (json.dumps(v, indent=1, ensure_ascii=False, allow_nan=True)).encode()
             for p, v in members.items()}
    files.update(raw or {})
    manifest = {"format": bundle_format.FORMAT, "format_version": 1,
                "created_at": "2026-11-01T00:00:00+00:00", "created_by": "fuzz",
                "catalog_version": "fuzz",
                "members": [{"path": p, "sha256": hashlib.sha256(d).hexdigest(),
                             "bytes": len(d)} for p, d in files.items()]}
    manifest.update(manifest_changes or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in {bundle_format.MANIFEST: json.dumps(manifest).encode(),
                           **files}.items():
            info = zipfile.ZipInfo(path)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (attrs or {}).get(path, (stat.S_IFREG | 0o600) << 16)
            archive.writestr(info, data)
    return buffer.getvalue()


def json_of(members: dict[str, Any], manifest_changes: dict[str, Any] | None = None) -> bytes:
    listed = []
    for path, value in members.items():
        try:
            data = bundle_format.canonical_bytes(value)
        except ValueError:
            data = b""
        listed.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(),
                       "bytes": len(data)})
    document = {"format": bundle_format.FORMAT, "format_version": 1, "created_at": "",
                "created_by": "fuzz", "catalog_version": "fuzz", "members": listed,
                "content": members}
    document.update(manifest_changes or {})
    return json.dumps(document, ensure_ascii=False).encode()


def _structured(rng: random.Random, members: dict[str, Any]) -> dict[str, Any]:
    changed = dict(members)
    path = rng.choice(list(changed))
    changed[path] = mutate_json(rng, changed[path])
    if rng.random() < 0.2:
        for drop in rng.sample(list(changed), rng.randint(0, len(changed) - 1)):
            del changed[drop]
    return changed


def _hostile_manifest(rng: random.Random) -> dict[str, Any]:
    return rng.choice([{"format_version": rng.choice([0, 2, -1, "1", 1.0, None, True, 10**40])},
                       {"format": rng.choice(["x", None, 1, ""])},
                       {"members": rng.choice([None, {}, [1], [{"path": "x"}]])},
                       {"extra": 1}, {"created_by": "x" * 300}])


def zip_input(rng: random.Random, members: dict[str, Any], seed: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.15:
        return rng.randbytes(rng.randint(0, 600)) if rng.random() < 0.5 else \
            seed[:rng.randint(0, 60)] + rng.randbytes(rng.randint(0, 300))
    if roll < 0.45:
        return mutate_bytes(rng, seed)
    if roll < 0.85:
        return zip_of(_structured(rng, members))
    raw = {rng.choice(HOSTILE_NAMES): rng.randbytes(rng.randint(0, 40))}
    attrs = {next(iter(raw)): (stat.S_IFLNK | 0o777) << 16} if rng.random() < 0.2 else None
    changes = _hostile_manifest(rng) if rng.random() < 0.5 else None
    return zip_of(members, raw=raw if rng.random() < 0.7 else None, manifest_changes=changes,
                  attrs=attrs)


def json_input(rng: random.Random, members: dict[str, Any], seed: bytes) -> bytes:
    roll = rng.random()
    if roll < 0.15:
        return rng.randbytes(rng.randint(0, 600))
    if roll < 0.45:
        return mutate_bytes(rng, seed)
    if roll < 0.85:
        return json_of(_structured(rng, members))
    hostile = dict(members)
    hostile[rng.choice(HOSTILE_NAMES)] = rng.choice(BOUNDARY_VALUES)
    return json_of(hostile if rng.random() < 0.6 else members, _hostile_manifest(rng))


def scenario_input(rng: random.Random, scenarios: list[dict[str, Any]]) -> bytes:
    roll = rng.random()
    base = rng.choice(scenarios)
    if roll < 0.15:
        return rng.randbytes(rng.randint(0, 400))
    if roll < 0.45:
        return mutate_bytes(rng, json.dumps(base, indent=1).encode())
    if roll < 0.5:
        depth = rng.randint(500, 200_000)
        return b"[" * depth + b"]" * depth
    return json.dumps(mutate_json(rng, base), ensure_ascii=False).encode()


def cases_input(rng: random.Random, seed_rows: list[list[str]], header: list[str]) -> bytes:
    roll = rng.random()
    if roll < 0.1:
        return rng.randbytes(rng.randint(0, 300))
    if roll < 0.3:
        text = "\n".join(",".join(r) for r in [header, *seed_rows]).encode()
        return mutate_bytes(rng, text)
    columns = list(header)
    if rng.random() < 0.1:
        columns.remove(rng.choice(columns))
    rows = [list(r) for r in rng.sample(seed_rows, rng.randint(1, min(6, len(seed_rows))))]
    for row in rows:
        for _ in range(rng.randint(1, 3)):
            row[rng.randrange(len(row))] = rng.choice(CSV_CELLS)
        if rng.random() < 0.1:
            del row[rng.randrange(len(row)):]
        if rng.random() < 0.05:
            row.extend(rng.choice(CSV_CELLS) for _ in range(3))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"]))
    writer.writerow([c for c in header if c in columns])
    writer.writerows(rows)
    return out.getvalue().encode()


# --- running ----------------------------------------------------------------------------------


def fuzz(name: str, make: Callable[[random.Random], bytes], check: Callable[[Path], str],
         file_name: str, inputs: int, rng: random.Random, folder: Path,
         keep: Path | None = None) -> dict[str, Any]:
    """Feed `inputs` files to `check`, which returns `accepted` or raises; inputs that crash
    are copied to `keep` (when given) to replay."""
    counts = {"accepted": 0, "rejected": 0, "crashed": 0}
    examples: list[str] = []
    path = folder / file_name
    started = time.perf_counter()
    for _ in range(inputs):
        path.write_bytes(make(rng))
        try:
            counts[check(path)] += 1
        except UserError as exc:
            counts["rejected"] += 1
            if "\n" in str(exc) or not str(exc):
                counts["crashed"] += 1
                examples.append(f"bad message: {exc!r}")
        except Exception:  # noqa: BLE001 - counting crashes is the point
            counts["crashed"] += 1
            if len(examples) < 3:
                examples.append(traceback.format_exc(limit=4))
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"{counts['crashed']:04d}-{file_name}").write_bytes(path.read_bytes())
    return {"target": name, "inputs": inputs, **counts,
            "seconds": round(time.perf_counter() - started, 1), "examples": examples}


def run_all(inputs: int, seed: int, folder: Path,
            keep: Path | None = None) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    with open_workspace(folder / "source.sqlite") as source:
        members = bundle_members(source)
    target = open_workspace(folder / "target.sqlite")
    zip_seed = zip_of(members)
    json_seed = json_of(members)
    scenarios = demo_scenarios()

    def import_and_undo(path: Path) -> str:
        bundle = read_bundle_file(path)
        outcome = import_bundle(target, bundle, rng.choice(["rename", "replace"]))
        outcome.inverse()
        return "accepted"

    def read_scenario(path: Path) -> str:
        read_scenario_file(path)
        return "accepted"

    catalog = Catalog.shipped()
    table, aliases = load_efficiency()
    seed_rows, header = _case_rows()
    out = folder / "pred.csv"

    def estimate(path: Path) -> str:
        summary = estimate_file(path, out, catalog=catalog, table=table, aliases=aliases)
        with out.open(encoding="utf-8", newline="") as handle:
            produced = list(csv.DictReader(handle))
        if list(produced[0].keys() if produced else OUTPUT_COLUMNS) != list(OUTPUT_COLUMNS):
            raise AssertionError("output columns changed")
        if len(produced) != summary.rows or any(r["status"] not in ("ok", "error")
                                                for r in produced):
            raise AssertionError("a row went missing or has no status")
        if any(r["status"] == "error" and not r["message"] for r in produced):
            raise AssertionError("an error row without a message")
        return "accepted"

    try:
        return [
            fuzz("bundle .enclave.zip", lambda r: zip_input(r, members, zip_seed),
                 import_and_undo, "b.enclave.zip", inputs, rng, folder, keep),
            fuzz("bundle .enclave.json", lambda r: json_input(r, members, json_seed),
                 import_and_undo, "b.enclave.json", inputs, rng, folder, keep),
            fuzz("scenario JSON file", lambda r: scenario_input(r, scenarios), read_scenario,
                 "s.json", inputs, rng, folder, keep),
            fuzz("estimate cases CSV", lambda r: cases_input(r, seed_rows, header), estimate,
                 "cases.csv", inputs, rng, folder, keep),
        ]
    finally:
        target.close()


def _case_rows() -> tuple[list[list[str]], list[str]]:
    header = ["case_id", "model", "gpu", "gpu_count", "tp", "pp", "ep", "weights", "kv_cache",
              "engine", "mode", "load", "input_tokens", "output_tokens"]
    rows = [
        ["a", "llama-3.1-8b", "H100 SXM 80GB", "1", "1", "1", "1", "fp8", "fp8", "tensorrt-llm",
         "offline", "", "128", "128"],
        ["b", "llama-3-8b", "RTX 4090 24GB", "1", "1", "1", "1", "q4_k_m", "fp16", "llama.cpp",
         "batch", "1", "512", "0"],
        ["c", "llama-3.1-70b", "nvidia-h100-sxm-80gb", "8", "8", "1", "1", "bf16", "bf16", "vllm",
         "rate", "4", "1024", "256"],
        ["d", "deepseek-r1", "H200 SXM 141GB", "8", "8", "1", "8", "fp8", "fp8", "sglang",
         "batch", "64", "2048", "512"],
    ]
    return rows, header


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=12_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep-crashes", type=Path, metavar="DIR",
                        help="copy every input that crashes into DIR")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = run_all(args.inputs, args.seed, Path(tmp), args.keep_crashes)
    print(f"{'target':<22} {'inputs':>7} {'accepted':>9} {'rejected':>9} {'crashed':>8} "
          f"{'seconds':>8}")
    for r in results:
        print(f"{r['target']:<22} {r['inputs']:>7} {r['accepted']:>9} {r['rejected']:>9} "
              f"{r['crashed']:>8} {r['seconds']:>8}")
        for example in r["examples"]:
            print(example)
    return 1 if any(r["crashed"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
