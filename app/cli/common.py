"""Helpers shared by subcommands."""

from __future__ import annotations

import argparse

from app.operations.workspace_ops import open_workspace
from app.storage.workspace import Workspace


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    """Accept `--workspace FILE` after the subcommand too (the top-level one still works)."""
    parser.add_argument("--workspace", metavar="FILE", default=argparse.SUPPRESS,
                        help="workspace file (default: per-user)")


def workspace_from(args: argparse.Namespace) -> Workspace:
    """The workspace named by `--workspace`, or the user's default (created on first use)."""
    return open_workspace(getattr(args, "workspace", None))
