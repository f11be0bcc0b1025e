"""Bundles that must be refused, each with the reason and the member it concerns.

Tampered, truncated, oversized (zip bombs), unsafe names, symlinks, unknown formats and
versions: every one raises `BundleError` with its declared message, before anything is stored.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.operations import bundle_format as bf
from app.operations.bundle_format import BundleError
from app.operations.bundles import read_bundle_file
from tests.operations.bundle_helpers import (
    demo,
    json_bundle,
    scenario_bytes,
    set_flag_bits,
    write,
    zip_bytes,
)

NAME = "plans.enclave.zip"
S1 = "scenarios/001-a.json"
S2 = "scenarios/002-b.json"


def _files() -> dict[str, bytes]:
    return {S1: scenario_bytes(demo(0)), S2: scenario_bytes(demo(1))}


def _refused(tmp_path: Path, data: bytes, name: str = NAME) -> str:
    with pytest.raises(BundleError) as refused:
        read_bundle_file(write(tmp_path, name, data))
    message = str(refused.value)
    assert "\n" not in message and message.startswith(f"{name}: ")
    return message


def test_a_valid_hand_made_bundle_is_read(tmp_path: Path) -> None:
    bundle = read_bundle_file(write(tmp_path, NAME, zip_bytes(_files())))
    assert [s.member for s in bundle.scenarios] == [S1, S2]


def test_tampered_member(tmp_path: Path) -> None:
    files = _files()
    tampered = {**files, S2: files[S2].replace(b'"users": ', b'"users": 1')}
    changed = _refused(tmp_path, zip_bytes(tampered, listed=files))
    # Sizes differ, so the size check names it first; same size, the hash does.
    assert changed == bf.SIZE_MISMATCH.format(name=NAME, member=S2, found=len(tampered[S2]),
                                              expected=len(files[S2]))
    same_size = {**files, S2: files[S2].replace(b'"users": 8', b'"users": 9', 1)}
    assert same_size[S2] != files[S2]
    assert _refused(tmp_path, zip_bytes(same_size, listed=files)) == bf.HASH_MISMATCH.format(
        name=NAME, member=S2)


def test_truncated_zip(tmp_path: Path) -> None:
    whole = zip_bytes(_files())
    for cut in (len(whole) - 10, len(whole) // 2, 30):
        assert "is damaged or truncated" in _refused(tmp_path, whole[:cut])


def test_member_missing_or_unlisted(tmp_path: Path) -> None:
    files = _files()
    missing = _refused(tmp_path, zip_bytes({S1: files[S1]}, listed=files))
    assert missing == bf.MISSING_MEMBER.format(name=NAME, member=S2)
    extra = _refused(tmp_path, zip_bytes(files, listed={S1: files[S1]}))
    assert extra == bf.NOT_IN_MANIFEST.format(name=NAME, member=S2)
    assert _refused(tmp_path, zip_bytes(files, with_manifest=False)) == bf.NO_MANIFEST.format(
        name=NAME)


@pytest.mark.parametrize(("member", "why"), [
    ("../evil.json", "leaves the bundle's folder (..)"),
    ("scenarios/../../etc/cron.d/x", "leaves the bundle's folder (..)"),
    ("/etc/passwd", "absolute path"),
    ("C:/Windows/win.ini", "drive letter"),
    ("scenarios\\001-a.json", "backslash"),
    ("", "empty"),
    ("scenarios/\x07.json", "control characters"),
])
def test_unsafe_names(tmp_path: Path, member: str, why: str) -> None:
    files = {**_files(), member: b"{}"}
    assert _refused(tmp_path, zip_bytes(files)) == bf.UNSAFE_NAME.format(
        name=NAME, member=member or '""', why=why)


def test_unsafe_names_in_the_manifest_of_a_json_bundle(tmp_path: Path) -> None:
    content = {"../x.json": demo(0)}
    message = _refused(tmp_path, json_bundle(content), "plans.enclave.json")
    assert message == bf.UNSAFE_NAME.format(name="plans.enclave.json", member="../x.json",
                                            why="leaves the bundle's folder (..)")


def test_symlinks_folders_and_other_files_are_refused(tmp_path: Path) -> None:
    link = {S1: {"external_attr": (0o120777 << 16)}}
    assert _refused(tmp_path, zip_bytes(_files(), infos=link)) == bf.SYMLINK.format(
        name=NAME, member=S1)
    odd = {**_files(), "scenarios/notes.txt": b"hello"}
    assert _refused(tmp_path, zip_bytes(odd)) == bf.UNEXPECTED_MEMBER.format(
        name=NAME, member="scenarios/notes.txt")
    folder = {**_files(), "other/": b""}
    assert _refused(tmp_path, zip_bytes(folder)) == bf.UNEXPECTED_MEMBER.format(
        name=NAME, member="other/")


def test_encrypted_and_exotic_compression(tmp_path: Path) -> None:
    encrypted = set_flag_bits(zip_bytes(_files()), S1, 0x1)
    message = _refused(tmp_path, encrypted)
    assert message == bf.ENCRYPTED.format(name=NAME, member=S1)
    bz = zip_bytes(_files(), infos={S2: {"compress_type": zipfile.ZIP_BZIP2}})
    assert _refused(tmp_path, bz) == bf.COMPRESSION.format(name=NAME, member=S2,
                                                           method=zipfile.ZIP_BZIP2)


def test_duplicate_member_names(tmp_path: Path) -> None:
    data = zip_bytes(_files())
    with zipfile.ZipFile(write(tmp_path, "dup.zip", data), "a") as archive:
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr(S1, b"{}")
    assert _refused(tmp_path, (tmp_path / "dup.zip").read_bytes()) == bf.DUPLICATE_MEMBER.format(
        name=NAME, member=S1)


def test_zip_bomb_member(tmp_path: Path) -> None:
    bomb = b" " * (bf.MAX_SCENARIO_BYTES + 1)  # compresses to a few kB
    data = zip_bytes({S1: bomb})
    assert len(data) < 100_000
    assert _refused(tmp_path, data) == bf.MEMBER_TOO_LARGE.format(
        name=NAME, member=S1, limit="5", what="a scenario")


def test_zip_bomb_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bf, "MAX_TOTAL_BYTES", 40_000)
    files = {f"scenarios/{i:03d}.json": b" " * 15_000 for i in range(4)}
    assert _refused(tmp_path, zip_bytes(files)) == bf.TOTAL_TOO_LARGE.format(
        name=NAME, limit="0.04")


def test_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bf, "MAX_MEMBERS", 3)
    files = {f"scenarios/{i:03d}.json": b"{}" for i in range(4)}
    assert _refused(tmp_path, zip_bytes(files)) == bf.TOO_MANY_MEMBERS.format(
        name=NAME, limit=3)


def test_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bf, "MAX_BUNDLE_BYTES", 1_000)
    assert _refused(tmp_path, zip_bytes(_files())) == bf.TOO_LARGE.format(name=NAME, limit=0)


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"format_version": 2}, bf.NEWER_VERSION.format(name=NAME, found=2, supported=1)),
    ({"format_version": 0}, bf.BAD_VERSION.format(name=NAME, supported=1)),
    ({"format_version": "1"}, bf.BAD_VERSION.format(name=NAME, supported=1)),
    ({"format_version": True}, bf.BAD_VERSION.format(name=NAME, supported=1)),
    ({"format": "other-tool"}, bf.UNKNOWN_FORMAT.format(name=NAME, found="other-tool")),
    ({"signature": "x"}, bf.MANIFEST_FIELD.format(name=NAME, where="manifest.json.signature",
                                                  rule="is not a field of a bundle manifest")),
])
def test_wrong_format_or_version(tmp_path: Path, overrides: dict[str, Any],
                                 expected: str) -> None:
    assert _refused(tmp_path, zip_bytes(_files(), manifest_overrides=overrides)) == expected


def test_bad_manifest_entries(tmp_path: Path) -> None:
    bad_hash = [{"path": S1, "sha256": "00", "bytes": 1}]
    assert _refused(tmp_path, zip_bytes({S1: b"{}"}, manifest_overrides={
        "members": bad_hash})) == bf.MANIFEST_FIELD.format(
        name=NAME, where="manifest.json.members[0].sha256",
        rule="must be 64 lower-case hex digits")
    extra_key = [{"path": S1, "sha256": "0" * 64, "bytes": 1, "mode": 777}]
    assert "must be an object with exactly path, sha256 and bytes" in _refused(
        tmp_path, zip_bytes({S1: b"{}"}, manifest_overrides={"members": extra_key}))


def test_invalid_members_name_the_member_and_field(tmp_path: Path) -> None:
    broken = {S1: scenario_bytes(demo(0)), S2: scenario_bytes(demo(1, workloads=[]))}
    message = _refused(tmp_path, zip_bytes(broken))
    assert message.startswith(f"{NAME}: {S2}: workloads")
    same_name = {S1: scenario_bytes(demo(0)), S2: scenario_bytes(demo(0))}
    assert _refused(tmp_path, zip_bytes(same_name)) == bf.DUPLICATE_NAME.format(
        name=NAME, member=S2, scenario=demo(0)["name"])
    pack = json.dumps({"kind": "servers", "catalog_version": "x", "entries": []}).encode()
    wrong_kind = {S1: scenario_bytes(demo(0)), "catalog/models.json": pack}
    assert _refused(tmp_path, zip_bytes(wrong_kind)) == bf.PACK_KIND.format(
        name=NAME, member="catalog/models.json", found="servers", expected="models")
    not_json = {S1: b"{\"name\": "}
    assert _refused(tmp_path, zip_bytes(not_json)).startswith(f"{NAME}: {S1}: is not valid JSON")
    assert _refused(tmp_path, zip_bytes({"catalog/models.json": pack.replace(
        b"servers", b"models")})) == bf.NO_SCENARIOS.format(name=NAME)


@pytest.mark.parametrize(("text", "problem"), [
    (b'{"name": NaN}', "out of range"),
    (b'{"name": 1e999}', "out of range"),
    (b'{"name": ' + b"9" * 500 + b"}", "out of range"),
    (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    (b"\xff\xfe{}", "must be UTF-8 text"),
])
def test_hostile_json(tmp_path: Path, text: bytes, problem: str) -> None:
    assert problem in _refused(tmp_path, zip_bytes({S1: text}))
    assert problem in _refused(tmp_path, text, "plain.json")


def test_json_bundle_tampering(tmp_path: Path) -> None:
    name = "plans.enclave.json"
    content = {S1: demo(0), S2: demo(1)}
    read_bundle_file(write(tmp_path, name, json_bundle(content)))
    changed = {S1: demo(0), S2: demo(1, description="changed on the way")}
    assert "bytes but the manifest says" in _refused(tmp_path, json_bundle(changed, listed=content),
                                                     name)
    same_size = {S1: demo(0), S2: demo(1, name=demo(1)["name"].upper())}
    assert _refused(tmp_path, json_bundle(same_size, listed=content),
                    name) == bf.HASH_MISMATCH.format(name=name, member=S2)
    assert _refused(tmp_path, json_bundle({S1: demo(0)}, listed=content),
                    name) == bf.MISSING_MEMBER.format(name=name, member=S2)
    assert _refused(tmp_path, json_bundle(content, listed={S1: demo(0)}),
                    name) == bf.NOT_IN_MANIFEST.format(name=name, member=S2)
    truncated = json_bundle(content)[:-40]
    assert "is not valid JSON" in _refused(tmp_path, truncated, name)
    assert _refused(tmp_path, json_bundle(content, format_version=3),
                    name) == bf.NEWER_VERSION.format(name=name, found=3, supported=1)


def test_neither_bundle_nor_scenario(tmp_path: Path) -> None:
    assert _refused(tmp_path, b'{"kind": "models"}', "x.json") == bf.NOT_A_BUNDLE.format(
        name="x.json")
    assert _refused(tmp_path, b"[1, 2]", "x.json") == bf.NOT_A_BUNDLE.format(name="x.json")
