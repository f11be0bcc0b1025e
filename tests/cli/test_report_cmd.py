"""`enclave report`: writes the PDF (and XLSX), and refuses bad input in one line, exit 2."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app.cli import main

SCENARIOS = ["secure-chat-h100", "code-assistant-rtx-pro-6000"]


def _ws(tmp_path: Path) -> list[str]:
    return ["--workspace", str(tmp_path / "ws.sqlite")]


def test_writes_pdf_and_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "summary.pdf"
    book = tmp_path / "tables.xlsx"
    code = main([*_ws(tmp_path), "report", *SCENARIOS, "--out", str(out), "--xlsx", str(book),
                 "--draws", "500", "--sections", "summary,tco,comparison"])
    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out} (") and "3 sections" in printed
    assert out.read_bytes().startswith(b"%PDF")
    assert book.read_bytes().startswith(b"PK")
    if os.name == "posix":
        assert (out.stat().st_mode & 0o777) == 0o600  # user files are private
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Executive summary" in text and "Comparison" in text
        assert "Deployment\n" not in text


def test_unknown_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.pdf"
    assert main([*_ws(tmp_path), "report", "no-such-scenario", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "scenario 'no-such-scenario'" in err
    assert not out.exists()


@pytest.mark.parametrize("where", ["missing-folder/x.pdf", "folder-is-a-file/x.pdf", "dir.pdf"])
def test_unwritable_out(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    (tmp_path / "folder-is-a-file").write_text("x")
    (tmp_path / "dir.pdf").mkdir()
    code = main([*_ws(tmp_path), "report", SCENARIOS[0], "--out", str(tmp_path / where)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("enclave: --out ") and err.count("\n") == 1


def test_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*_ws(tmp_path), "report", SCENARIOS[0], "--out",
                 str(tmp_path / "x.txt")]) == 2
    assert "must end in .pdf" in capsys.readouterr().err
    assert main([*_ws(tmp_path), "report", SCENARIOS[0], "--out", str(tmp_path / "x.pdf"),
                 "--sections", "summary,nope"]) == 2
    assert "unknown section 'nope'" in capsys.readouterr().err
    assert main([*_ws(tmp_path), "report", SCENARIOS[0], "--out", str(tmp_path / "x.pdf"),
                 "--draws", "0"]) == 2


def test_exporting_again_reuses_the_cached_results(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A workspace scenario is evaluated once; the second export reads the results cache."""
    from app.operations.workspace_ops import open_workspace
    from app.storage import results_store, scenario_store

    with open_workspace(tmp_path / "ws.sqlite") as ws:
        names = [r.name for r in scenario_store.list_rows(ws.db)
                 if r.name.startswith(("Secure chat", "Complete RAG"))]
    assert len(names) == 2
    args = [*_ws(tmp_path), "report", *names, "--sections", "summary,workloads"]
    assert main([*args, "--draws", "300", "--out", str(tmp_path / "first.pdf")]) == 0
    with open_workspace(tmp_path / "ws.sqlite") as ws:
        assert results_store.count(ws.db) == 2

    def no_evaluation(*_: object, **__: object) -> None:
        raise AssertionError("evaluated although the results were cached")

    monkeypatch.setattr("app.reports.prepare.evaluate", no_evaluation)
    assert main([*args, "--draws", "300", "--out", str(tmp_path / "second.pdf")]) == 0
    assert "wrote" in capsys.readouterr().out
    # another draw count is other inputs: evaluated again
    assert main([*args, "--draws", "301", "--out", str(tmp_path / "third.pdf")]) != 0
    assert "evaluated although the results were cached" in capsys.readouterr().err


def test_evaluate_then_report_evaluates_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`enclave evaluate NAME` keeps the result; the report of NAME reads it back, and the
    JSON of the cached result is the JSON of the evaluated one."""
    from app.operations.workspace_ops import open_workspace
    from app.storage import scenario_store

    with open_workspace(tmp_path / "ws.sqlite") as ws:
        name = next(r.name for r in scenario_store.list_rows(ws.db)
                    if r.name.startswith("Complete RAG"))
    assert main([*_ws(tmp_path), "evaluate", name, "--draws", "300", "--json"]) == 0
    fresh = capsys.readouterr().out

    def no_evaluation(*_: object, **__: object) -> None:
        raise AssertionError("evaluated although the results were cached")

    monkeypatch.setattr("app.reports.prepare.evaluate", no_evaluation)
    monkeypatch.setattr("app.operations.results_cache.evaluate", no_evaluation)
    assert main([*_ws(tmp_path), "evaluate", name, "--draws", "300", "--json"]) == 0
    assert capsys.readouterr().out == fresh
    assert main([*_ws(tmp_path), "report", name, "--draws", "300", "--sections", "summary",
                 "--out", str(tmp_path / "r.pdf")]) == 0
