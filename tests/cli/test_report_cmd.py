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
