"""Models split across several GGUF files by llama.cpp's `gguf-split`.

Shards are named `NAME-0000k-of-0000n.gguf`; each holds `split.no` (0-based), `split.count`
and, in the first, `split.tensors.count` and the model's metadata. The model is the union of the
shards' tensor tables: every shard is read and checked, none may be missing, and no tensor may
appear twice.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

from app.catalog.importers.errors import GGUF_DUPLICATE, GGUF_SPLIT, fail
from app.catalog.importers.gguf import GgufFile, read_gguf

SPLIT_NAME = re.compile(r"^(?P<prefix>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$",
                        re.IGNORECASE)
MAX_SHARDS = 9999


def _count(gguf: GgufFile, key: str) -> int | None:
    value = gguf.metadata.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def split_prefix(path: Path) -> str | None:
    """NAME of a `NAME-0000k-of-0000n.gguf` shard, else None."""
    match = SPLIT_NAME.match(path.name)
    return match["prefix"] if match else None


def read_model_gguf(path: Path) -> tuple[GgufFile, list[Path]]:
    """The whole model's header and tensor table, and the files it came from."""
    given = read_gguf(path)
    count = _count(given, "split.count")
    if count is None or count <= 1:
        return given, [path]
    match = SPLIT_NAME.match(path.name)
    if match is None or int(match["count"]) != count or count > MAX_SHARDS:
        fail(path.name, GGUF_SPLIT, rule=f"split.count is {count} but the file is not named "
                                         f"NAME-0000k-of-{count:05d}.gguf")
    paths = [path.with_name(f"{match['prefix']}-{i:05d}-of-{count:05d}.gguf")
             for i in range(1, count + 1)]
    for shard in paths:
        if not shard.is_file():
            fail(path.name, GGUF_SPLIT, rule=f"shard {shard.name} is missing")
    parts = [given if shard == path else read_gguf(shard) for shard in paths]
    seen: set[str] = set()
    digest = hashlib.sha256()
    for number, part in enumerate(parts):
        if _count(part, "split.no") != number or _count(part, "split.count") != count:
            fail(part.file_name, GGUF_SPLIT,
                 rule=f"split.no / split.count must be {number} / {count}")
        digest.update(bytes.fromhex(part.header_sha256))
        for tensor in part.tensors:
            if tensor.name in seen:
                fail(part.file_name, GGUF_DUPLICATE, what="tensor", name=tensor.name)
            seen.add(tensor.name)
    first = parts[0]
    expected = _count(first, "split.tensors.count")
    if expected is not None and expected != len(seen):
        fail(first.file_name, GGUF_SPLIT,
             rule=f"split.tensors.count is {expected} but the shards hold {len(seen)} tensors")
    merged = replace(first, tensors=tuple(t for part in parts for t in part.tensors),
                     file_bytes=sum(part.file_bytes for part in parts),
                     header_sha256=digest.hexdigest())
    return merged, paths
