"""Enclave's command line: the GUI by default, headless subcommands for scripting and tests.

Each subcommand lives in its own module with `register(subparsers)`, which adds its parser and
sets `func(args) -> int`. Bad input raises `UserError`: one line on stderr, exit code 2, and no
file is changed. Any other error is reported in one line as an internal error (exit 1), with the
traceback only when `ENCLAVE_DEBUG=1`.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from app import __version__
from app.errors import UserError

COMMAND_MODULES = (
    "app.cli.calibrate_cmd",
    "app.cli.catalog_cmd",
    "app.cli.estimate_cmd",
    "app.cli.evaluate_cmd",
    "app.cli.report_cmd",
    "app.cli.sweep_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(prog="enclave", description="Plan self-hosted LLM deployments, offline.")
    parser.add_argument("--version", action="version", version=f"enclave {__version__}")
    parser.add_argument("--workspace", metavar="FILE", help="workspace file (default: per-user)")
    parser.add_argument("--smoke", action="store_true", help="open every screen, then exit 0")
    parser.add_argument("--screenshots", metavar="DIR", help="with --smoke: save a PNG per screen")
    subparsers = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if args.command is None:
            from app.ui.launch import run_gui

            return run_gui(args)
        result: int = args.func(args)
        return result
    except UserError as exc:
        print(f"enclave: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("enclave: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("ENCLAVE_DEBUG") == "1":
            traceback.print_exc()
        print(
            f"enclave: internal error ({type(exc).__name__}: {exc}); "
            "set ENCLAVE_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 1
