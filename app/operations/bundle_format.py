"""Scenario bundle files: build them, and read them back only after verifying every byte.

Two containers carry the same content (format documented in `resources/scenarios/BUNDLES.md`):

- `.enclave.zip`: `manifest.json` + `scenarios/*.json` (scenario format v1 files) + optional
  `catalog/<kind>.json` (catalog packs). The manifest lists every other member with its size and
  the SHA-256 of its bytes, so `unzip` + `sha256sum` checks a bundle without Enclave.
- `.enclave.json`: one JSON document with the manifest's fields, `members` (the same list) and
  `content` (member path -> its JSON value). Sizes and hashes are those of the value's canonical
  encoding (`canonical_bytes`), so re-indenting the file keeps it valid but changing a value
  does not.

Reading never trusts the file: sizes and member counts are capped before anything is unpacked
(zip bombs), member names must be plain relative names of the expected shape (no absolute
paths, `..`, backslashes, symlinks or directories of other names), and every member must be in
the manifest with a matching size and hash before it is parsed. Nothing is ever extracted to
disk. Every failure is a `BundleError` naming the bundle, the member and the rule.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app import __version__
from app.catalog.loader import MAX_PACK_BYTES, CatalogError, parse_pack
from app.catalog.validate import KINDS
from app.engine.scenario import Scenario, ScenarioError
from app.errors import UserError
from app.operations.scenario_files import MAX_SCENARIO_BYTES

FORMAT = "enclave-scenario-bundle"
FORMAT_VERSION = 1
JSON_SUFFIX = ".enclave.json"
ZIP_SUFFIX = ".enclave.zip"
MANIFEST = "manifest.json"
ZIP_MAGIC = b"PK\x03\x04"

MAX_BUNDLE_BYTES = 50_000_000
"""The bundle file itself (either container)."""
MAX_MEMBERS = 1_000
"""Files in a zip bundle, manifest included."""
MAX_TOTAL_BYTES = 100_000_000
"""All members together once unpacked."""
MAX_MANIFEST_BYTES = 1_000_000
MAX_INTEGER_DIGITS = 100

_SCENARIO_MEMBER = re.compile(r"^scenarios/[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.json$")
_CATALOG_MEMBER = re.compile(r"^catalog/(?P<kind>" + "|".join(map(re.escape, KINDS)) + r")\.json$")
_FOLDERS = ("scenarios/", "catalog/")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEADER_FIELDS = ("format", "format_version", "created_at", "created_by", "catalog_version")
_ZIP_KEYS = frozenset((*_HEADER_FIELDS, "members"))
_JSON_KEYS = frozenset((*_HEADER_FIELDS, "members", "content"))
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_MEMBER_KEYS = frozenset(("path", "sha256", "bytes"))

# Messages, declared once; `{name}` is the bundle's file name, `{member}` the member's path.
TOO_LARGE = "{name}: is larger than the {limit} MB limit for a bundle"
NOT_A_BUNDLE = ("{name}: is neither a scenario bundle (.enclave.zip, .enclave.json) nor a "
                "scenario file")
UNKNOWN_FORMAT = "{name}: format '{found}' is not a scenario bundle (expected '" + FORMAT + "')"
NEWER_VERSION = ("{name}: was made by a newer Enclave (bundle format_version {found}; this "
                 "version reads up to {supported}); nothing was imported")
BAD_VERSION = "{name}: format_version: must be a whole number from 1 to {supported}"
BAD_ZIP = "{name}: is damaged or truncated (not a readable zip file: {detail})"
MEMBER_UNREADABLE = "{name}: {member}: is damaged or truncated ({detail})"
TOO_MANY_MEMBERS = "{name}: holds more than {limit} files; a scenario bundle never does"
TOTAL_TOO_LARGE = ("{name}: unpacks to more than {limit} MB (a zip bomb?); it was rejected "
                   "before unpacking")
MEMBER_TOO_LARGE = "{name}: {member}: unpacks to more than {limit} MB, the limit for {what}"
UNSAFE_NAME = "{name}: {member}: unsafe file name ({why}); the bundle was rejected"
SYMLINK = "{name}: {member}: is a symbolic link; a bundle holds only plain files"
ENCRYPTED = "{name}: {member}: is encrypted; bundles are never encrypted"
COMPRESSION = ("{name}: {member}: uses an unsupported compression method ({method}); bundles "
               "use deflate or none")
DUPLICATE_MEMBER = "{name}: {member}: appears more than once"
UNEXPECTED_MEMBER = ("{name}: {member}: is not a file a scenario bundle holds "
                     "(manifest.json, scenarios/<name>.json, catalog/<kind>.json)")
NO_MANIFEST = "{name}: has no manifest.json, so its contents cannot be verified"
NOT_IN_MANIFEST = ("{name}: {member}: is not listed in the manifest (added after the bundle "
                   "was made?)")
MISSING_MEMBER = "{name}: {member}: is listed in the manifest but missing (truncated bundle?)"
SIZE_MISMATCH = ("{name}: {member}: is {found:,} bytes but the manifest says {expected:,} "
                 "(truncated or changed after the bundle was made)")
HASH_MISMATCH = ("{name}: {member}: its SHA-256 does not match the manifest (changed after "
                 "the bundle was made)")
MANIFEST_FIELD = "{name}: {where}: {rule}"
BAD_JSON = "{name}: {member}: is not valid JSON (line {line}: {msg})"
NOT_UTF8 = "{name}: {member}: must be UTF-8 text"
TOO_DEEP = "{name}: {member}: nests too deeply to be read"
NOT_FINITE = ("{name}: {member}: holds the number {value}, which is out of range (NaN, Infinity "
              "or too many digits)")
NO_SCENARIOS = "{name}: holds no scenarios"
DUPLICATE_NAME = "{name}: {member}: the scenario name '{scenario}' appears twice in the bundle"
PACK_KIND = "{name}: {member}: holds {found} entries, but its file name says {expected}"
MEMBER_INVALID = "{name}: {member}: {problem}"


class BundleError(UserError):
    """A bundle that cannot be trusted or read; names the bundle, the member and the rule."""


@dataclass(frozen=True)
class BundleScenario:
    """One validated scenario of a bundle: its member path and its JSON form."""

    member: str
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])


@dataclass(frozen=True)
class Bundle:
    """A verified bundle (or a single scenario file), ready to import.

    container: `zip`, `json` or `scenario` (a plain scenario file, which has no manifest).
    catalog: kind -> the validated catalog entries the bundle carries.
    sha256: of the whole file, for the audit log.
    """

    source_name: str
    container: str
    format_version: int
    created_at: str
    created_by: str
    catalog_version: str
    scenarios: tuple[BundleScenario, ...]
    catalog: Mapping[str, tuple[dict[str, Any], ...]]
    sha256: str


# --- building ---------------------------------------------------------------------------------


def canonical_bytes(value: Any) -> bytes:
    """The bytes a `.enclave.json` member is hashed as: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _member_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _header(catalog_version: str) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "created_by": f"Enclave {__version__}", "catalog_version": catalog_version}


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def build_zip(members: Mapping[str, Any], catalog_version: str) -> bytes:
    """A `.enclave.zip` holding `members` (path -> JSON value) and its manifest."""
    files = {path: _pretty(value) for path, value in members.items()}
    manifest = {**_header(catalog_version),
                "members": [_member_entry(p, data) for p, data in files.items()]}
    buffer = io.BytesIO()
    stamp = datetime.now(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in {MANIFEST: _pretty(manifest), **files}.items():
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o600) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def build_json(members: Mapping[str, Any], catalog_version: str) -> bytes:
    """A `.enclave.json` document holding `members` (path -> JSON value)."""
    document = {**_header(catalog_version),
                "members": [_member_entry(p, canonical_bytes(v)) for p, v in members.items()],
                "content": dict(members)}
    return _pretty(document)


# --- reading ----------------------------------------------------------------------------------


def read_bundle_bytes(data: bytes, name: str) -> Bundle:
    """Verify and parse a bundle (either container) or a plain scenario file."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(TOO_LARGE.format(name=name, limit=MAX_BUNDLE_BYTES // 1_000_000))
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        header, contents = _verified_zip(data, name)
        return _bundle(name, "zip", header, contents, digest)
    document = _decode(data, name, name)
    if isinstance(document, Mapping) and "format" in document:
        header, contents = _verified_json(document, name)
        return _bundle(name, "json", header, contents, digest)
    if isinstance(document, Mapping) and ("workloads" in document or "schema_version" in document):
        scenario = _scenario(document, name, name)
        return Bundle(name, "scenario", 0, "", "", "", (BundleScenario(name, scenario),), {},
                      digest)
    raise BundleError(NOT_A_BUNDLE.format(name=name))


def _reject_constant(text: str) -> Any:
    raise ValueError(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INTEGER_DIGITS:
        raise ValueError(text[:20] + "…")
    return int(text)


def _decode(data: bytes, name: str, member: str) -> Any:
    """Strict JSON: UTF-8, finite numbers only, bounded nesting."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(NOT_UTF8.format(name=name, member=member)) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise BundleError(BAD_JSON.format(name=name, member=member, line=exc.lineno,
                                          msg=exc.msg)) from None
    except RecursionError:
        raise BundleError(TOO_DEEP.format(name=name, member=member)) from None
    except ValueError as exc:  # NaN, Infinity, 1e999, or an integer of absurd length
        raise BundleError(NOT_FINITE.format(name=name, member=member,
                                            value=str(exc)[:40])) from None


def _check_name(member: str, name: str) -> None:
    """Refuse names that could point outside a folder if anyone extracted the bundle."""
    why = ""
    if not member:
        why = "empty"
    elif any(ord(c) < 32 for c in member):
        why = "control characters"
    elif member.startswith(("/", "\\")):
        why = "absolute path"
    elif re.match(r"^[A-Za-z]:", member):
        why = "drive letter"
    elif "\\" in member:
        why = "backslash"
    elif ".." in member.split("/"):
        why = "leaves the bundle's folder (..)"
    if why:
        raise BundleError(UNSAFE_NAME.format(name=name, member=member[:200] or '""', why=why))


def _member_limit(member: str) -> tuple[int, str]:
    if member == MANIFEST:
        return MAX_MANIFEST_BYTES, "the manifest"
    if _CATALOG_MEMBER.match(member):
        return MAX_PACK_BYTES, "a catalog pack"
    if _SCENARIO_MEMBER.match(member):
        return MAX_SCENARIO_BYTES, "a scenario"
    return 0, ""


def _mb(limit: int) -> str:
    return f"{limit / 1_000_000:g}"


def _zip_infos(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    """The zip's file entries after every check that needs no unpacking."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise BundleError(TOO_MANY_MEMBERS.format(name=name, limit=MAX_MEMBERS))
    files: list[zipfile.ZipInfo] = []
    seen: set[str] = set()
    declared = 0
    for info in infos:
        member = info.filename
        _check_name(member, name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BundleError(SYMLINK.format(name=name, member=member))
        if member in seen:
            raise BundleError(DUPLICATE_MEMBER.format(name=name, member=member))
        seen.add(member)
        if member.endswith("/"):
            if member not in _FOLDERS:
                raise BundleError(UNEXPECTED_MEMBER.format(name=name, member=member))
            continue
        if info.flag_bits & 0x1:
            raise BundleError(ENCRYPTED.format(name=name, member=member))
        if info.compress_type not in _ZIP_METHODS:
            raise BundleError(COMPRESSION.format(name=name, member=member,
                                                 method=info.compress_type))
        limit, what = _member_limit(member)
        if not limit:
            raise BundleError(UNEXPECTED_MEMBER.format(name=name, member=member))
        if info.file_size > limit:
            raise BundleError(MEMBER_TOO_LARGE.format(name=name, member=member,
                                                      limit=_mb(limit), what=what))
        declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise BundleError(TOTAL_TOO_LARGE.format(name=name, limit=_mb(MAX_TOTAL_BYTES)))
        files.append(info)
    return files


_ZIP_FAILURES = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError,
                 OSError, NotImplementedError, RuntimeError, ValueError, OverflowError)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> bytes:
    """A member's bytes, reading at most its limit (declared sizes can lie)."""
    limit, what = _member_limit(info.filename)
    cap = min(limit, budget)
    try:
        with archive.open(info) as handle:
            data = handle.read(cap + 1)
    except _ZIP_FAILURES as exc:
        raise BundleError(MEMBER_UNREADABLE.format(name=name, member=info.filename,
                                                   detail=str(exc)[:120] or
                                                   type(exc).__name__)) from None
    if len(data) > limit:
        raise BundleError(MEMBER_TOO_LARGE.format(name=name, member=info.filename,
                                                  limit=_mb(limit), what=what))
    if len(data) > budget:
        raise BundleError(TOTAL_TOO_LARGE.format(name=name, limit=_mb(MAX_TOTAL_BYTES)))
    return data


def _verified_zip(data: bytes, name: str) -> tuple[Mapping[str, Any], dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_FAILURES as exc:
        raise BundleError(BAD_ZIP.format(name=name, detail=str(exc)[:120] or
                                         type(exc).__name__)) from None
    with archive:
        try:
            infos = {info.filename: info for info in _zip_infos(archive, name)}
        except _ZIP_FAILURES as exc:  # names that are not valid text in their declared encoding
            raise BundleError(BAD_ZIP.format(name=name, detail=str(exc)[:120])) from None
        if MANIFEST not in infos:
            raise BundleError(NO_MANIFEST.format(name=name))
        budget = MAX_TOTAL_BYTES
        manifest_bytes = _unpack(archive, infos.pop(MANIFEST), name, budget)
        budget -= len(manifest_bytes)
        header = _header_of(_decode(manifest_bytes, name, MANIFEST), name, _ZIP_KEYS, MANIFEST)
        listed = _members_of(header, name, MANIFEST)
        for member in infos:
            if member not in listed:
                raise BundleError(NOT_IN_MANIFEST.format(name=name, member=member))
        contents: dict[str, Any] = {}
        for member, (size, digest) in listed.items():
            if member not in infos:
                raise BundleError(MISSING_MEMBER.format(name=name, member=member))
            raw = _unpack(archive, infos[member], name, budget)
            budget -= len(raw)
            _verify(raw, size, digest, name, member)
            contents[member] = _decode(raw, name, member)
    return header, contents


def _verified_json(document: Mapping[str, Any],
                   name: str) -> tuple[Mapping[str, Any], dict[str, Any]]:
    header = _header_of(document, name, _JSON_KEYS, "bundle")
    listed = _members_of(header, name, "bundle")
    content = header.get("content")
    if not isinstance(content, Mapping):
        raise BundleError(MANIFEST_FIELD.format(name=name, where="content",
                                                rule="must be an object of member -> value"))
    for member in content:
        _check_name(str(member), name)
        if member not in listed:
            raise BundleError(NOT_IN_MANIFEST.format(name=name, member=member))
    contents: dict[str, Any] = {}
    for member, (size, digest) in listed.items():
        if member not in content:
            raise BundleError(MISSING_MEMBER.format(name=name, member=member))
        encoded = canonical_bytes(content[member])
        limit, what = _member_limit(member)
        if len(encoded) > limit:
            raise BundleError(MEMBER_TOO_LARGE.format(name=name, member=member,
                                                      limit=_mb(limit), what=what))
        _verify(encoded, size, digest, name, member)
        contents[member] = content[member]
    return header, contents


def _verify(data: bytes, size: int, digest: str, name: str, member: str) -> None:
    if len(data) != size:
        raise BundleError(SIZE_MISMATCH.format(name=name, member=member, found=len(data),
                                               expected=size))
    if hashlib.sha256(data).hexdigest() != digest:
        raise BundleError(HASH_MISMATCH.format(name=name, member=member))


def _header_of(document: Any, name: str, allowed: frozenset[str],
               where: str) -> Mapping[str, Any]:
    """The manifest's header fields, checked: format first, then version, then the rest."""
    if not isinstance(document, Mapping):
        raise BundleError(MANIFEST_FIELD.format(name=name, where=where,
                                                rule="must be a JSON object"))
    found = document.get("format")
    if found != FORMAT:
        raise BundleError(UNKNOWN_FORMAT.format(name=name, found=str(found)[:80]))
    version = document.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise BundleError(NEWER_VERSION.format(name=name, found=version,
                                               supported=FORMAT_VERSION))
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BundleError(BAD_VERSION.format(name=name, supported=FORMAT_VERSION))
    unknown = sorted(str(k) for k in document if k not in allowed)
    if unknown:
        raise BundleError(MANIFEST_FIELD.format(name=name, where=f"{where}.{unknown[0][:80]}",
                                                rule="is not a field of a bundle manifest"))
    for key in ("created_at", "created_by", "catalog_version"):
        if not isinstance(document.get(key, ""), str) or len(document.get(key, "")) > 200:
            raise BundleError(MANIFEST_FIELD.format(name=name, where=key,
                                                    rule="must be text of at most 200 characters"))
    return document


def _members_of(header: Mapping[str, Any], name: str, where: str) -> dict[str, tuple[int, str]]:
    """member path -> (size, sha256) from the manifest's `members` list."""
    members = header.get("members")
    if not isinstance(members, list):
        raise BundleError(MANIFEST_FIELD.format(name=name, where=f"{where}.members",
                                                rule="must be a list"))
    if len(members) > MAX_MEMBERS:
        raise BundleError(TOO_MANY_MEMBERS.format(name=name, limit=MAX_MEMBERS))
    listed: dict[str, tuple[int, str]] = {}
    for index, item in enumerate(members):
        at = f"{where}.members[{index}]"
        if not isinstance(item, Mapping) or set(item) != _MEMBER_KEYS:
            raise BundleError(MANIFEST_FIELD.format(name=name, where=at,
                                                    rule="must be an object with exactly "
                                                         "path, sha256 and bytes"))
        path, digest, size = item["path"], item["sha256"], item["bytes"]
        if not isinstance(path, str):
            raise BundleError(MANIFEST_FIELD.format(name=name, where=f"{at}.path",
                                                    rule="must be text"))
        _check_name(path, name)
        if path == MANIFEST or not _member_limit(path)[0]:
            raise BundleError(UNEXPECTED_MEMBER.format(name=name, member=path[:200]))
        if path in listed:
            raise BundleError(DUPLICATE_MEMBER.format(name=name, member=path))
        if not isinstance(digest, str) or not _HEX64.match(digest):
            raise BundleError(MANIFEST_FIELD.format(
                name=name, where=f"{at}.sha256", rule="must be 64 lower-case hex digits"))
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BundleError(MANIFEST_FIELD.format(name=name, where=f"{at}.bytes",
                                                    rule="must be a whole number >= 0"))
        listed[path] = (size, digest)
    return listed


def _scenario(data: Any, name: str, member: str) -> dict[str, Any]:
    try:
        return Scenario.from_dict(data).to_dict()
    except ScenarioError as exc:
        raise BundleError(MEMBER_INVALID.format(name=name, member=member, problem=exc)) from None


def _bundle(name: str, container: str, header: Mapping[str, Any], contents: Mapping[str, Any],
            digest: str) -> Bundle:
    scenarios: list[BundleScenario] = []
    catalog: dict[str, tuple[dict[str, Any], ...]] = {}
    names: set[str] = set()
    for member, value in contents.items():
        kind_match = _CATALOG_MEMBER.match(member)
        if kind_match:
            try:
                pack = parse_pack(value, f"{name}: {member}")
            except CatalogError as exc:
                raise BundleError(str(exc)) from None
            if pack.kind != kind_match["kind"]:
                raise BundleError(PACK_KIND.format(name=name, member=member, found=pack.kind,
                                                   expected=kind_match["kind"]))
            catalog[pack.kind] = pack.entries
            continue
        scenario = _scenario(value, name, member)
        folded = str(scenario["name"]).strip().casefold()
        if folded in names:
            raise BundleError(DUPLICATE_NAME.format(name=name, member=member,
                                                    scenario=scenario["name"]))
        names.add(folded)
        scenarios.append(BundleScenario(member, scenario))
    if not scenarios:
        raise BundleError(NO_SCENARIOS.format(name=name))
    return Bundle(name, container, int(header["format_version"]),
                  str(header.get("created_at", "")), str(header.get("created_by", "")),
                  str(header.get("catalog_version", "")), tuple(scenarios), catalog, digest)
