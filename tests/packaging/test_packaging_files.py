"""Static checks on packaging/: the spec keeps what STACK.md says must stay, the scripts are strict,
the desktop entry and icons are complete. No build needed."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET

import pytest

from tests.packaging.conftest import ROOT

PACKAGING = ROOT / "packaging"
ICONS = ROOT / "resources" / "icons"
SCRIPTS = ["build.sh", "make_wheelhouse.sh", "install.sh", "dev.sh"]
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@pytest.mark.parametrize("script", SCRIPTS)
def test_shell_scripts_are_strict_and_parse(script: str) -> None:
    path = PACKAGING / script
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_spec_keeps_opengl_and_never_strips() -> None:
    spec = (PACKAGING / "enclave.spec").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in spec.splitlines())
    assert "strip=True" not in code.replace(" ", "")  # breaks numpy's OpenBLAS
    assert "QtOpenGL" not in code  # pyqtgraph imports QtOpenGL(Widgets): never exclude them
    for platform in ("xcb", "wayland", "offscreen"):
        assert f"libq{platform}" not in code, f"the {platform} platform plugin must stay"
    assert 'prefix="resources"' in code  # app.paths looks for sys._MEIPASS/resources


def test_desktop_entry_is_complete() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(PACKAGING / "enclave.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Enclave"
    assert entry["Exec"].split()[0] == "enclave"
    assert entry["Icon"] == "enclave"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(PACKAGING / "enclave.desktop")],
                                capture_output=True, text=True)
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_icon_svg_is_square_and_pngs_have_every_size() -> None:
    root = ET.parse(ICONS / "enclave.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"
    for size in PNG_SIZES:
        data = (ICONS / f"enclave-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"enclave-{size}.png is not a PNG"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (size, size), f"enclave-{size}.png is {width}x{height}"


def test_icons_ship_in_the_python_package_too() -> None:
    # The wheelhouse path installs resources via package-data; icons must match its globs.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"**/*.png"' in text and '"**/*.svg"' in text


def test_wheel_lists_every_package_folder() -> None:
    """pyproject lists packages by hand (resources/ is mapped to app.resources), so a new folder
    under app/ left off the list would be missing from the wheel the wheelhouse installs."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"]
    listed = set(setuptools["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "app").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "app.resources" in listed
