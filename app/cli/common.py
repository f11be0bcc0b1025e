"""Helpers shared by subcommands."""

from __future__ import annotations

import argparse

from app.engine.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
from app.errors import UserError
from app.operations.workspace_ops import open_workspace
from app.storage.workspace import Workspace

MAX_DRAWS = 2_000_000


def add_workspace_option(parser: argparse.ArgumentParser) -> None:
    """Accept `--workspace FILE` after the subcommand too (the top-level one still works)."""
    parser.add_argument("--workspace", metavar="FILE", default=argparse.SUPPRESS,
                        help="workspace file (default: per-user)")


def workspace_from(args: argparse.Namespace) -> Workspace:
    """The workspace named by `--workspace`, or the user's default (created on first use)."""
    return open_workspace(getattr(args, "workspace", None))


def add_draws_options(parser: argparse.ArgumentParser) -> None:
    """`--draws N` and `--seed S`: the Monte Carlo of a command that evaluates scenarios."""
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS,
                        help=f"Monte Carlo draws (default {DEFAULT_DRAWS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")


def check_draws(args: argparse.Namespace) -> None:
    """Refuse a `--draws` outside 1..MAX_DRAWS before any work is done."""
    if not 1 <= args.draws <= MAX_DRAWS:
        raise UserError(f"--draws: must be between 1 and {MAX_DRAWS:,}")
