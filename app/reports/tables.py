"""Small helpers to build `Table`s: typed cells that keep the raw value for exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.reports import fmt
from app.reports.model import Cell, Column, Table


def text(value: str, status: str = "") -> Cell:
    return Cell(value, None, status)


def number(value: float | None, printer: Callable[[float | None], str] = fmt.num,
           status: str = "") -> Cell:
    """A numeric cell: printed with `printer`, exported as the number (None → empty)."""
    return Cell(printer(value), "" if value is None else value, status)


def money(value: float | None, status: str = "") -> Cell:
    return number(value, fmt.usd, status)


def table(key: str, title: str, columns: Sequence[Column | str],
          rows: Sequence[Sequence[Cell]], note: str = "", font: str = "normal",
          width_pct: int = 100) -> Table:
    cols = tuple(c if isinstance(c, Column) else Column(c) for c in columns)
    return Table(key=key, title=title, columns=cols, rows=tuple(tuple(r) for r in rows),
                 note=note, font=font, width_pct=width_pct)


def right(name: str, unit: str = "", width_pct: int | None = None) -> Column:
    return Column(name, "right", width_pct, unit)


def left(name: str, width_pct: int | None = None, unit: str = "") -> Column:
    return Column(name, "left", width_pct, unit)


def slug(text_: str, limit: int = 40) -> str:
    """A file- and sheet-name-safe key: lower-case letters, digits and dashes."""
    out = []
    for ch in text_.lower():
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    s = "-".join(p for p in "".join(out).split("-") if p)
    return s[:limit].rstrip("-") or "table"
