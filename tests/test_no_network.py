"""Enclave never opens a network socket: the GUI, every CLI subcommand, and the report.

In-process runs sit behind the socket guard of `tests/conftest.py` (any AF_INET/AF_INET6
connect or bind fails the test and is recorded in `NETWORK_ATTEMPTS`), and afterwards the
process's open file descriptors are checked for internet sockets, which also catches sockets
Qt's C++ code would open without going through Python.

`test_strace_*` (opt-in: `ENCLAVE_STRACE=1`, needs `strace`) run `enclave --smoke` and
`enclave evaluate` as separate processes under `strace -f -e trace=socket,connect` and refuse
any AF_INET/AF_INET6 socket at the system-call level.

Hooks for commands from other branches: `CLI_RUNS` must hold a run for every registered
subcommand (a new one fails `test_every_cli_subcommand_is_covered` until it is added), and
`test_report_makes_no_network_connection` runs `enclave report` as soon as it is registered.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.cli import build_parser, main
from app.operations.workspace_ops import demo_scenarios
from tests import conftest
from tests.catalog.model_files import LLAMA_31_8B, dense_table, write_model

ROOT = Path(__file__).resolve().parents[1]
DEMO = demo_scenarios()[0]["name"]
TINY_LLAMA = {**LLAMA_31_8B, "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
              "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 50}
CASES = ("case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,input_tokens,"
         "output_tokens\n"
         "a,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,8,512,128\n"
         "b,no-such-model,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,8,512,128\n")
SITE_LOG = ("case_id,model,gpu,gpu_count,tp,pp,ep,weights,kv_cache,engine,mode,load,input_tokens,"
            "output_tokens,metric,value\n"
            "s1,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,8,512,128,tpot_ms,9.5\n"
            "s2,llama-3.1-8b,H100 SXM 80GB,1,1,1,1,fp8,fp8,vllm,batch,32,512,128,tpot_ms,12.5\n")


def _inet_sockets_open() -> list[str]:
    """Internet sockets this process holds open (Linux: /proc), whoever opened them."""
    proc = Path("/proc/self")
    if not (proc / "net").is_dir():
        return []
    inodes = set()
    for table in ("tcp", "tcp6", "udp", "udp6", "raw", "raw6"):
        path = proc / "net" / table
        if path.exists():
            for line in path.read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9:
                    inodes.add(fields[9])
    found = []
    for fd in (proc / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        match = re.fullmatch(r"socket:\[(\d+)\]", target)
        if match and match[1] in inodes:
            found.append(target)
    return found


@pytest.fixture
def offline() -> Callable[[], None]:
    """Call at the end of a test: no attempt was recorded and no internet socket is open."""
    before = len(conftest.NETWORK_ATTEMPTS)

    def check() -> None:
        assert conftest.NETWORK_ATTEMPTS[before:] == []
        assert _inet_sockets_open() == []

    return check


def test_the_guard_itself_catches_a_connection(offline: Callable[[], None]) -> None:
    import socket

    with pytest.raises(OSError, match="forbid network"):
        socket.create_connection(("192.0.2.1", 9), timeout=0.01)  # TEST-NET-1, never routed
    conftest.NETWORK_ATTEMPTS.pop()
    offline()


def test_gui_in_process(qtbot: QtBot, tmp_path: Path, offline: Callable[[], None]) -> None:
    """The window on a fresh workspace: every screen, the bundle import and export, the File
    menu's dialogs and About, all inside this process's socket guard."""
    from app.operations.bundles import read_bundle_file
    from app.operations.workspace_ops import open_workspace
    from app.ui.main_window import MainWindow

    window = MainWindow(open_workspace(tmp_path / "gui.sqlite"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert list(window.visit_all_screens(tmp_path / "shots"))
    view = window.scenarios_view()
    view.select_ids([view.model.scenario_id(row) for row in range(view.model.rowCount())])
    assert view.bundles.export_to(tmp_path / "all.enclave.zip")
    view.bundles.run_import(read_bundle_file(tmp_path / "all.enclave.zip"), "rename")
    for dialog in (window.ask_restore_backup(), window.show_audit_log(), window.show_about(),
                   window.check_integrity()):
        dialog.close()
    window.tasks.shutdown()
    window.close()
    window.workspace.close()
    offline()


SMOKE = """
import json, sys
from tests import conftest  # installs the socket guard in this process
from tests.test_no_network import _inet_sockets_open
from app.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "attempts": conftest.NETWORK_ATTEMPTS,
                  "open": _inet_sockets_open()}))
"""


def test_gui_smoke_behind_the_guard(tmp_path: Path) -> None:
    """`enclave --smoke` itself (its event loop quits the application, so it gets its own
    process), with the same socket guard installed first."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "ENCLAVE_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", SMOKE, "--smoke", "--workspace",
                           str(tmp_path / "smoke.sqlite")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"code": 0, "attempts": [], "open": []}


def _model_folder(tmp: Path) -> Path:
    return write_model(tmp / "Tiny-Llama", TINY_LLAMA, dense_table(TINY_LLAMA))


# Every subcommand, on the demos. `{tmp}` is the test's folder, `{model}` a small model folder.
CLI_RUNS: dict[str, list[list[str]]] = {
    "catalog": [
        *[["catalog", "list", kind, "--format", fmt] for kind in (
            "models", "accelerators", "servers", "quantizations", "cloud-apis", "gpu-rentals")
          for fmt in ("csv", "json")],
        ["catalog", "export", "servers", "--out", "{tmp}/servers.csv"],
        ["catalog", "export", "accelerators", "--out", "{tmp}/accelerators.json"],
        ["catalog", "import", "{tmp}/servers.csv"],
        ["catalog", "import", "{tmp}/accelerators.json"],
        ["catalog", "import-model", "{model}", "--id", "tiny-local"],
    ],
    "estimate": [["estimate", "--cases", "{tmp}/cases.csv", "--out", "{tmp}/pred.csv"]],
    "calibrate": [["calibrate", "{tmp}/site.csv"]],
    "evaluate": [["evaluate", d["name"], "--draws", "300", "--json"] for d in demo_scenarios()],
    "sweep": [["sweep", "--model", "llama-3.1-8b", "--out", "{tmp}/front.csv"]],
    "scenario": [
        ["scenario", "list", "--format", "json"],
        ["scenario", "export", "--all", "--out", "{tmp}/all.enclave.zip"],
        ["scenario", "export", DEMO, "--out", "{tmp}/one.enclave.json"],
        ["scenario", "export", DEMO, "--out", "{tmp}/one.json"],
        ["scenario", "import", "{tmp}/all.enclave.zip"],
        ["scenario", "import", "{tmp}/one.enclave.json", "--on-clash", "replace"],
    ],
    # The report command (branch `report`): the PDF of a demo.
    "report": [["report", DEMO, "--out", "{tmp}/report.pdf"]],
}


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(subparsers.choices)


def _run(commands: list[list[str]], tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp / "cases.csv").write_text(CASES, encoding="utf-8")
    (tmp / "site.csv").write_text(SITE_LOG, encoding="utf-8")
    model = _model_folder(tmp) if not (tmp / "Tiny-Llama").exists() else tmp / "Tiny-Llama"
    workspace = ["--workspace", str(tmp / "cli.sqlite")]
    for args in commands:
        argv = [a.replace("{tmp}", str(tmp)).replace("{model}", str(model)) for a in args]
        code = main([*argv, *workspace])
        captured = capsys.readouterr()
        assert code == 0, (argv, captured.err)


def test_every_cli_subcommand_is_covered() -> None:
    missing = [c for c in _commands() if c not in CLI_RUNS]
    assert not missing, (f"add runs for {missing} to CLI_RUNS in tests/test_no_network.py, so "
                         "the no-network proof covers them")


@pytest.mark.parametrize("command", sorted(set(CLI_RUNS) - {"report"}))
def test_cli_subcommand_makes_no_network_connection(command: str, tmp_path: Path,
                                                    offline: Callable[[], None],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    if command not in _commands():
        pytest.skip(f"`{command}` is not registered on this branch")
    _run(CLI_RUNS[command], tmp_path, capsys)
    offline()


def test_report_makes_no_network_connection(qapp: object, tmp_path: Path,
                                            offline: Callable[[], None],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The report hook: runs as soon as the `report` command is registered (branch `report`);
    until then `evaluate`, which builds the report's content, is covered above."""
    if "report" not in _commands():
        pytest.skip("`enclave report` is not merged yet; `evaluate` is covered meanwhile")
    _run(CLI_RUNS["report"], tmp_path, capsys)
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    offline()


# --- system-call level (opt-in) ---------------------------------------------------------------


def _strace(tmp_path: Path, *args: str) -> str:
    if os.environ.get("ENCLAVE_STRACE") != "1":
        pytest.skip("opt-in: set ENCLAVE_STRACE=1 (needs strace)")
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    log = tmp_path / f"strace-{len(list(tmp_path.glob('strace-*')))}.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "ENCLAVE_HOME": str(tmp_path / "home")}
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=socket,connect", "-o", str(log),
                           sys.executable, "-m", "app", *args,
                           "--workspace", str(tmp_path / "traced.sqlite")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return log.read_text(encoding="utf-8", errors="replace")


def _no_internet(trace: str) -> None:
    families = set(re.findall(r"\bsocket\((AF_\w+|\d+)", trace))
    assert not families & {"AF_INET", "AF_INET6"}, f"internet sockets opened: {families}"
    assert not re.search(r"sa_family=AF_INET6?\b", trace), "connected to a network address"


def test_strace_gui_smoke(tmp_path: Path) -> None:
    _no_internet(_strace(tmp_path, "--smoke"))


def test_strace_evaluate(tmp_path: Path) -> None:
    _no_internet(_strace(tmp_path, "evaluate", DEMO, "--draws", "2000"))


def test_the_strace_check_catches_an_internet_socket() -> None:
    _no_internet('123 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3\n')
    for line in ('7 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 5',
                 '7 connect(5, {sa_family=AF_INET, sin_port=htons(53)}, 16) = 0'):
        with pytest.raises(AssertionError):
            _no_internet(line)
