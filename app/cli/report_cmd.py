"""`enclave report NAME|FILE... --out FILE.pdf [--sections LIST] [--xlsx FILE]`.

Evaluates each scenario (a file, a scenario saved in the workspace, or a demo) with the
workspace's catalog and efficiency factors and writes the PDF summary atomically; the result of
a workspace scenario is kept in the workspace's results cache, so exporting it again skips the
evaluation; `--xlsx` also writes every table of
the report as one workbook. Bad input (unknown scenario or section, an --out that cannot be
written) is one line on stderr and exit code 2, checked before any work is done.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from app.cli.common import add_draws_options, add_workspace_option, check_draws, workspace_from
from app.errors import UserError
from app.reports.content import SECTION_IDS, ReportOptions, build_report, parse_sections
from app.reports.prepare import evaluate_subjects, find_subjects, store_results
from app.storage.files import PROBE_SUFFIX, save_user_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write the PDF summary of one or more scenarios",
        description="Write the PDF summary of one or more scenarios.")
    parser.add_argument("scenarios", nargs="+", metavar="NAME|FILE",
                        help="scenario files, scenario names in the workspace, or demo names")
    parser.add_argument("--out", metavar="FILE.pdf", required=True, help="the PDF to write")
    parser.add_argument("--sections", metavar="LIST",
                        help=f"comma-separated sections (default all): {','.join(SECTION_IDS)}")
    parser.add_argument("--title", metavar="TEXT", default="", help="title of the report")
    parser.add_argument("--xlsx", metavar="FILE.xlsx", help="also write the report's tables")
    add_draws_options(parser)
    add_workspace_option(parser)
    parser.set_defaults(func=run)


def check_writable(path: Path, option: str) -> None:
    """Fail fast, before the evaluation, when the output cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder")
    if not folder.is_dir():
        raise UserError(f"{option} {path}: folder {folder} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"{option} {path}: cannot be written (permission denied)")
    try:  # os.access says yes to root everywhere; creating a file is the real test
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PROBE_SUFFIX, dir=folder)
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot be written ({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def run(args: argparse.Namespace) -> int:
    check_draws(args)
    sections = parse_sections(args.sections) if args.sections else SECTION_IDS
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UserError(f"--out {out}: must end in .pdf")
    check_writable(out, "--out")
    xlsx = Path(args.xlsx) if args.xlsx else None
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            raise UserError(f"--xlsx {xlsx}: must end in .xlsx")
        check_writable(xlsx, "--xlsx")
    with workspace_from(args) as ws:
        catalog = ws.catalog
        found = find_subjects(ws.db, args.scenarios, catalog=catalog, draws=args.draws,
                              seed=args.seed)
        workspace_name = str(ws.path)
        subjects = evaluate_subjects(found, catalog, draws=args.draws, seed=args.seed)
        store_results(ws.db, found, subjects)
    report = build_report(subjects, ReportOptions(sections=sections, title=args.title,
                                                  workspace=workspace_name,
                                                  catalog_version=catalog.version))
    from app.reports.render import ensure_app, render_pdf

    ensure_app()
    rendered = render_pdf(report)
    save_user_file(out, rendered.pdf)
    if xlsx is not None:
        from app.reports.export_tables import workbook_bytes

        save_user_file(xlsx, workbook_bytes(report.tables()))
    print(f"wrote {out} ({rendered.pages} pages, {len(report.sections)} sections)")
    return 0
