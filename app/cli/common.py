"""Helpers shared by subcommands."""

from __future__ import annotations

import argparse

from app.operations.workspace_ops import open_workspace
from app.storage.workspace import Workspace


def workspace_from(args: argparse.Namespace) -> Workspace:
    """The workspace named by `--workspace`, or the user's default (created on first use)."""
    return open_workspace(getattr(args, "workspace", None))
