"""The blocks a report is made of: plain data, no markup, no Qt.

Every text here is plain text as the user or the numbers gave it; the HTML writer escapes it
once (`app.reports.html`), so a scenario called `<b>x</b>&` prints literally. Tables keep both
the printed text and the raw value of each cell, so the same table exports to CSV/XLSX with
numbers, not formatted strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("pass", "warn", "fail", "good", "bad", "")
ALIGNS = ("left", "right", "center")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `style` is body, lead (larger, for the summary), note (muted) or small."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Heading:
    """A heading inside a section (the section title itself is level 1)."""

    text: str
    level: int = 2
    new_page: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    style: str = "body"


@dataclass(frozen=True)
class Kpi:
    """One headline figure: `status` good/bad colours it, `detail` is a muted second line."""

    label: str
    value: str
    detail: str = ""
    status: str = ""


@dataclass(frozen=True)
class KpiGrid:
    items: tuple[Kpi, ...]
    columns: int = 4


@dataclass(frozen=True)
class Fields:
    """Label/value pairs (title page, deployment facts)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Column:
    name: str
    align: str = "left"
    width_pct: int | None = None
    unit: str = ""  # for exports: the header becomes "name (unit)"


@dataclass(frozen=True)
class Cell:
    """A printed text, the raw value behind it (for exports) and an optional status colour."""

    text: str
    value: str | float | int | bool | None = None
    status: str = ""

    @property
    def export_value(self) -> str | float | int | bool | None:
        return self.text if self.value is None else self.value


@dataclass(frozen=True)
class Table:
    """A table whose header repeats on every page it spans.

    `key` names it in exports (file names, XLSX sheet names); `font` is normal or small.
    """

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    font: str = "normal"
    width_pct: int = 100

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key}: a row has {len(row)} cells, "
                                 f"{len(self.columns)} columns expected")


@dataclass(frozen=True)
class Chart:
    """A chart drawn as vectors: `kind` picks the chart class, `data` is its chart data.

    `width_pct` of the text width; `aspect` is height / width.
    """

    key: str
    kind: str
    title: str
    data: Any
    caption: str = ""
    width_pct: int = 88
    aspect: float = 0.5625
    titled: bool = True  # the chart draws `title` itself; the document does not repeat it


@dataclass(frozen=True)
class SignOff:
    """Signature lines: one row per role, with name, signature and date to fill in by hand."""

    roles: tuple[str, ...]
    statement: str = ""


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Heading | Bullets | KpiGrid | Fields | Table | Chart | SignOff | PageBreak


@dataclass(frozen=True)
class Section:
    """One selectable section: `id` is what `--sections` names, `title` its printed heading."""

    id: str
    title: str
    blocks: tuple[Block, ...]
    new_page: bool = True


@dataclass(frozen=True)
class Report:
    """A whole report: the title page facts, then the sections in order."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    header: str = ""
    footer: str = ""
    scenario_names: tuple[str, ...] = field(default_factory=tuple)

    def tables(self) -> list[Table]:
        """Every table in the report, in order (for the table exports)."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)
