"""Building blocks for bundle tests: workspaces, and hand-made (often broken) bundles."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import struct
import zipfile
from pathlib import Path
from typing import Any

from app.operations import bundle_format
from app.operations.workspace_ops import demo_scenarios
from app.storage import scenario_store
from app.storage.workspace import Workspace


def demo(index: int = 0, **changes: Any) -> dict[str, Any]:
    return {**demo_scenarios()[index], **changes}


def all_data(ws: Workspace) -> dict[str, dict[str, Any]]:
    """name -> stored scenario JSON."""
    return {r.name: scenario_store.get(ws.db, r.id) for r in scenario_store.list_rows(ws.db)}


def member_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def manifest(members: list[dict[str, Any]], /, **overrides: Any) -> dict[str, Any]:
    head = {"format": bundle_format.FORMAT, "format_version": bundle_format.FORMAT_VERSION,
            "created_at": "2026-11-01T00:00:00+00:00", "created_by": "test",
            "catalog_version": "test", "members": members}
    return {**head, **overrides}


def zip_bytes(files: dict[str, bytes], *, listed: dict[str, bytes] | None = None,
              manifest_overrides: dict[str, Any] | None = None,
              with_manifest: bool = True,
              infos: dict[str, dict[str, Any]] | None = None) -> bytes:
    """A zip bundle of `files` whose manifest lists `listed` (default: the files)."""
    listed = files if listed is None else listed
    entries = [member_entry(p, d) for p, d in listed.items()]
    head = json.dumps(manifest(entries, **(manifest_overrides or {}))).encode()
    all_files = {bundle_format.MANIFEST: head, **files} if with_manifest else dict(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in all_files.items():
            info = zipfile.ZipInfo(path)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            for key, value in (infos or {}).get(path, {}).items():
                setattr(info, key, value)
            archive.writestr(info, data)
    return buffer.getvalue()


def scenario_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=2).encode()


def json_bundle(content: dict[str, Any], *, listed: dict[str, Any] | None = None,
                **overrides: Any) -> bytes:
    listed = content if listed is None else listed
    entries = [member_entry(p, bundle_format.canonical_bytes(v)) for p, v in listed.items()]
    return json.dumps({**manifest(entries, **overrides), "content": content}).encode()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def set_flag_bits(data: bytes, member: str, flags: int) -> bytes:
    """`data` with the general-purpose flags of `member` set in its central directory entry
    (zipfile rewrites them when writing, so encrypted-looking members are patched in)."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46:at + 46 + name_length] == member.encode():
            struct.pack_into("<H", out, at + 8, struct.unpack_from("<H", out, at + 8)[0] | flags)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)
