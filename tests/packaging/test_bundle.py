"""The built one-folder bundle, as a user on an air-gapped workstation would run it.

Runs when ENCLAVE_BUNDLE names a bundle (`bash packaging/build.sh` makes dist/enclave); .ci/run
sets it after building. Each run gets a fresh HOME, so each is a first start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, offline_prefix, user_env

pytestmark = pytest.mark.bundle

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
MAX_UNPACKED_BYTES = 250 * 1024 * 1024
# Libraries the bundle takes from the target system on purpose (PyInstaller leaves the C library
# and the graphics stack out: they must match the machine's kernel and drivers).
SYSTEM_LIBS = re.compile(
    r"^(ld-linux-x86-64\.so\.2|lib(c|m|dl|pthread|rt|resolv|util)\.so\.\d+"
    r"|lib(GL|EGL|GLX|OpenGL|drm|gbm|xcb)\.so\.\d+|libwayland-(client|cursor|egl)\.so\.\d+)$"
)


def run(bundle: Path, home: Path, *args: str, timeout: int = 120,
        wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [*(wrap or []), *offline_prefix(), str(bundle / "enclave"), *args]
    return subprocess.run(command, env=user_env(home), capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder` with its size and modification time."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            state[str(path.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return state


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    subprocess.run(["chmod", "-R", "a-w", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(folder)], check=True)


def test_layout_resources_and_trimming(bundle: Path) -> None:
    internal = bundle / "_internal"
    resources = internal / "resources"
    for sub in ("catalog/models.json", "catalog/accelerators.json", "calibration",
                "fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "icons/enclave.svg",
                "icons/enclave-256.png"):
        assert (resources / sub).exists(), f"resources/{sub} is missing from the bundle"
    assert not (resources / "catalog" / "tools").exists()  # maintainer scripts stay out
    for kept in ("enclave.desktop", "install.sh", "BUILD-INFO.txt"):
        assert (bundle / kept).is_file(), f"{kept} is missing beside the program"
    qt = internal / "PySide6" / "Qt"
    for plugin in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so"):
        assert (qt / "plugins" / "platforms" / plugin).is_file(), plugin
    assert list(internal.rglob("libQt6OpenGLWidgets.so*")), "pyqtgraph needs QtOpenGLWidgets"
    for dropped in ("translations", "plugins/platforms/libqeglfs.so", "plugins/tls",
                    "plugins/platformthemes/libqgtk3.so", "plugins/imageformats/libqtiff.so"):
        assert not (qt / dropped).exists(), f"{dropped} should be trimmed"
    assert not list(internal.glob("libgtk-3.so*")) and not list(internal.glob("libcairo.so*"))


def test_unpacked_size_is_under_budget(bundle: Path) -> None:
    total = sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file())
    assert total < MAX_UNPACKED_BYTES, f"bundle is {total / 2**20:.0f} MiB"


def test_every_bundled_library_need_resolves(bundle: Path) -> None:
    if not shutil.which("objdump"):
        pytest.skip("objdump (binutils) is not installed")
    present = {p.name for p in bundle.rglob("*") if p.is_file() or p.is_symlink()}
    missing: dict[str, set[str]] = {}
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as fh:
            if fh.read(4) != b"\x7fELF":
                continue
        out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
        for needed in re.findall(r"^\s*NEEDED\s+(\S+)", out, re.MULTILINE):
            if needed not in present and not SYSTEM_LIBS.match(needed):
                missing.setdefault(needed, set()).add(path.name)
    assert not missing, f"libraries needed but neither bundled nor expected on the system: {missing}"


def test_version(bundle: Path, tmp_path: Path) -> None:
    result = run(bundle, tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"enclave {VERSION}"


def test_first_run_from_a_read_only_bundle_writes_only_user_data(bundle: Path,
                                                                  tmp_path: Path) -> None:
    """Read-only program folder, fresh HOME, no network: smoke start and a catalog listing
    work, the workspace appears in the user data folder, and the bundle is left untouched."""
    home = tmp_path / "home"
    home.mkdir()
    shots = tmp_path / "shots"
    dist = bundle.parent  # the bundle and whatever sits beside it (archive, checksum)
    before = snapshot(dist)
    with read_only(bundle):
        smoke = run(bundle, home, "--smoke", "--screenshots", str(shots))
        listing = run(bundle, home, "catalog", "list", "accelerators", "--format", "json")
        models = run(bundle, home, "catalog", "list", "models")
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "smoke: visited" in smoke.stdout
    assert sorted(shots.glob("*.png")), "no screenshot was written"
    assert listing.returncode == 0, listing.stderr
    assert len(json.loads(listing.stdout)) > 10
    assert models.returncode == 0 and len(models.stdout.splitlines()) > 10, models.stderr
    assert (home / ".local" / "share" / "Enclave" / "workspace.enclave.sqlite").is_file()
    after = snapshot(dist)
    assert after == before, ("the bundle wrote beside itself: "
                             f"{sorted(set(after.items()) ^ set(before.items()))[:10]}")


def test_read_only_mount_as_root(bundle: Path, tmp_path: Path) -> None:
    """chmod does not stop root; a read-only bind mount in a private mount namespace does."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        pytest.skip("needs root with unshare and mount")
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a mount namespace here")
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && '
              'exec "$1/enclave" --smoke')
    home = tmp_path / "home"
    home.mkdir()
    command = ["unshare", "-m", *offline_prefix(), "sh", "-c", script, "sh", str(bundle)]
    result = subprocess.run(command, env=user_env(home), capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (home / ".local" / "share" / "Enclave" / "workspace.enclave.sqlite").is_file()


def _trace(bundle: Path, home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    log = home.parent / f"strace-{len(list(home.parent.glob('strace-*')))}.txt"
    calls = "socket,connect,bind,sendto,sendmsg,open,openat,creat"
    wrap = ["strace", "-f", "-qq", "-e", f"trace={calls}", "-o", str(log)]
    result = run(bundle, home, *args, wrap=wrap)
    return result, log.read_text(encoding="utf-8", errors="replace")


def test_no_network_socket_is_ever_opened(bundle: Path, tmp_path: Path) -> None:
    """strace every socket the bundle opens: only local AF_UNIX ones (name service cache, X11,
    D-Bus) are allowed. Also checks it read its fonts and catalog from inside the bundle and
    opened nothing there for writing."""
    if not shutil.which("strace"):
        if os.environ.get("CI"):
            pytest.fail("strace is missing; .ci/run installs it")
        pytest.skip("strace is not installed")
    home = tmp_path / "home"
    home.mkdir()
    traces = []
    for args in (("--smoke",), ("catalog", "list", "models")):
        result, trace = _trace(bundle, home, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        traces.append(trace)
    trace = "\n".join(traces)
    families = set(re.findall(r"\bsocket\((AF_\w+|\d+)", trace))
    assert families <= {"AF_UNIX"}, f"non-local sockets opened: {families - {'AF_UNIX'}}"
    assert not re.search(r"sa_family=AF_INET6?\b", trace), "connected to a network address"
    resources = str(bundle / "_internal" / "resources")
    assert f'"{resources}/fonts/DejaVuSans.ttf"' in trace, "shipped fonts were not loaded"
    assert re.search(rf'"{re.escape(resources)}/catalog/\S+\.json"', trace), "catalog not read"
    writes = [line for line in trace.splitlines()
              if f'"{bundle}/' in line and re.search(r"O_WRONLY|O_RDWR|O_CREAT|creat\(", line)]
    assert not writes, f"opened inside the bundle for writing: {writes[:5]}"


def test_starts_on_a_real_x11_server(bundle: Path, tmp_path: Path) -> None:
    """The xcb plugin and the xcb libraries it needs are in the bundle and load."""
    if not shutil.which("xvfb-run"):
        pytest.skip("xvfb-run is not installed")
    env = {**user_env(tmp_path), "QT_QPA_PLATFORM": "xcb"}
    command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(bundle / "enclave"), "--smoke"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke: visited" in result.stdout


def test_archive_checksum_and_contents(bundle: Path) -> None:
    dist = bundle.parent
    archives = sorted(dist.glob(f"enclave-{VERSION}-linux-*.tar.gz"))
    assert len(archives) == 1, f"expected one versioned archive in {dist}: {archives}"
    archive = archives[0]
    checksum = archive.with_name(archive.name + ".sha256")
    check = subprocess.run(["sha256sum", "-c", checksum.name], cwd=dist, capture_output=True,
                           text=True)
    assert check.returncode == 0 and check.stdout.strip() == f"{archive.name}: OK", check.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        members = {m.name: m for m in tar.getmembers()}
    assert all(n == "enclave" or n.startswith("enclave/") for n in names)
    assert members["enclave/enclave"].mode & 0o111
    assert "enclave/install.sh" in members
    assert "enclave/_internal/resources/fonts/DejaVuSans.ttf" in members
    assert {m.uid for m in members.values()} == {0}


def test_install_script_user_install_and_uninstall(bundle: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = user_env(home)
    stage = tmp_path / "stage"
    env["DESTDIR"] = str(stage)
    installed = subprocess.run(["bash", str(bundle / "install.sh"), "--user"], env=env,
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    prefix = home / ".local" / "opt" / "enclave"
    staged = Path(str(stage) + str(prefix))
    assert (staged / "enclave").is_file()
    link = Path(str(stage) + str(home / ".local" / "bin" / "enclave"))
    assert os.readlink(link) == str(prefix / "enclave")
    share = Path(str(stage) + str(home / ".local" / "share"))
    desktop = (share / "applications" / "enclave.desktop").read_text(encoding="utf-8")
    assert f"Exec={prefix}/enclave\n" in desktop
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "enclave.svg").is_file()
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / "enclave.png").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate",
                                str(share / "applications" / "enclave.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    version = subprocess.run([str(staged / "enclave"), "--version"], env=user_env(home),
                             capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == f"enclave {VERSION}", version.stderr
    removed = subprocess.run(["bash", str(staged / "install.sh"), "--user", "--uninstall"],
                             env=env, capture_output=True, text=True, timeout=60)
    assert removed.returncode == 0, removed.stderr
    assert not staged.exists() and not link.is_symlink()
    assert not (share / "applications" / "enclave.desktop").exists()
