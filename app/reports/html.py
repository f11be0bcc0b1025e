"""A `Report` as the HTML subset QTextDocument reads (Qt-free, so it is tested without Qt).

Every text from the report passes through `esc` exactly once; markup is only ever written here.
Charts become marker paragraphs (`chart_marker(i)`) that the PDF renderer replaces with vector
chart objects; section headings carry anchors `sec-<id>` and the contents' page-number cells
anchors `toc-<id>`, where the renderer prints the page numbers once the document is laid out.
"""

from __future__ import annotations

import html as _html

from app.reports.model import (
    Block,
    Bullets,
    Chart,
    Fields,
    Heading,
    KpiGrid,
    PageBreak,
    Paragraph,
    Report,
    SignOff,
    Table,
)

MARK = "\ue000"  # private-use character: never survives `esc`, so user text cannot forge it
INK = "#17202b"
MUTED = "#5f6b7a"
ACCENT = "#1f4e8c"
RULE = "#c9d0d9"
HEAD_BG = "#eef2f7"
STATUS_STYLE = {
    "pass": ("#1b5e20", "#e8f5e9"),
    "good": ("#1b5e20", ""),
    "warn": ("#8a5a00", "#fff4dc"),
    "fail": ("#b71c1c", "#fdecea"),
    "bad": ("#b71c1c", ""),
    "total": ("", ""),
}

STYLE_SHEET = f"""
body {{ color: {INK}; }}
h1 {{ font-size: 17pt; color: {ACCENT}; margin-top: 0px; margin-bottom: 8px; }}
h2 {{ font-size: 11.5pt; color: {INK}; margin-top: 14px; margin-bottom: 5px; }}
h3 {{ font-size: 10pt; color: {INK}; margin-top: 10px; margin-bottom: 4px; }}
h4 {{ font-size: 9pt; color: {INK}; margin-top: 9px; margin-bottom: 3px; }}
h5 {{ font-size: 9pt; color: {INK}; margin-top: 9px; margin-bottom: 2px; }}
p {{ margin-top: 3px; margin-bottom: 5px; }}
p.lead {{ font-size: 10.5pt; }}
p.note {{ color: {MUTED}; font-size: 8pt; }}
p.small {{ font-size: 8pt; }}
p.caption {{ color: {MUTED}; font-size: 7.5pt; margin-top: 1px; margin-bottom: 8px; }}
th {{ background-color: {HEAD_BG}; font-weight: bold; }}
li {{ margin-bottom: 2px; }}
"""


def esc(text: str) -> str:
    """Escape for HTML and drop the marker character; newlines become line breaks."""
    cleaned = str(text).replace(MARK, "")
    return _html.escape(cleaned, quote=True).replace("\n", "<br/>")


def chart_marker(index: int) -> str:
    return f"{MARK}chart:{index}{MARK}"


def toc_anchor(section_id: str) -> str:
    """The contents' page-number cell: an anchor the renderer finds and prints the number at
    (printing it there, rather than editing the text, saves laying the document out again)."""
    return f'<a name="toc-{esc(section_id)}">&nbsp;</a>'


def _paragraph(p: Paragraph) -> str:
    cls = p.style if p.style in ("lead", "note", "small") else ""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{esc(p.text)}</p>"


def _heading(h: Heading) -> str:
    level = min(max(h.level, 2), 3)
    style = ' style="page-break-before: always;"' if h.new_page else ""
    return f"<h{level}{style}>{esc(h.text)}</h{level}>"


def _bullets(b: Bullets) -> str:
    size = ' style="font-size: 8pt;"' if b.style == "small" else ""
    items = "".join(f"<li>{esc(i)}</li>" for i in b.items)
    return f"<ul{size}>{items}</ul>"


def _kpis(g: KpiGrid) -> str:
    cols = max(1, g.columns)
    width = 100 // cols
    cells = []
    for k in g.items:
        colour = STATUS_STYLE.get(k.status, (INK, ""))[0]
        detail = (f'<br/><span style="font-size: 7.5pt; color: {MUTED};">{esc(k.detail)}</span>'
                  if k.detail else "")
        cells.append(
            f'<td width="{width}%" bgcolor="#f4f6fa" style="padding: 6px;">'
            f'<span style="font-size: 7.5pt; color: {MUTED};">{esc(k.label)}</span><br/>'
            f'<span style="font-size: 12pt; font-weight: bold; color: {colour};">'
            f"{esc(k.value)}</span>{detail}</td>")
    rows = ["".join(cells[i:i + cols]) for i in range(0, len(cells), cols)]
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return (f'<table width="100%" cellspacing="4" cellpadding="0" '
            f'style="margin-top: 4px; margin-bottom: 6px;">{body}</table>')


def _fields(f: Fields) -> str:
    rows = "".join(
        f'<tr><td width="30%" style="color: {MUTED}; padding: 2px 6px 2px 0px;">{esc(k)}</td>'
        f'<td style="padding: 2px 0px;">{esc(v)}</td></tr>' for k, v in f.rows)
    return (f'<table width="100%" cellspacing="0" cellpadding="0" '
            f'style="margin-top: 4px; margin-bottom: 6px;">{rows}</table>')


def _cell(text: str, align: str, status: str, tag: str = "td") -> str:
    colour, background = STATUS_STYLE.get(status, ("", ""))
    style = f"border-bottom: 1px solid {RULE}; padding: 3px 4px;"
    if colour:
        style += f" color: {colour};"
    if status in ("pass", "warn", "fail", "total"):
        style += " font-weight: bold;"
    bg = f' bgcolor="{background}"' if background else ""
    return f'<{tag} align="{align}"{bg} style="{style}">{esc(text)}</{tag}>'


def _table(tbl: Table) -> str:
    size = "7.5pt" if tbl.font == "small" else "8.5pt"
    head = []
    for c in tbl.columns:
        width = f' width="{c.width_pct}%"' if c.width_pct else ""
        head.append(f'<th{width} align="{c.align}" bgcolor="{HEAD_BG}" style="border-bottom: '
                    f'1px solid {INK}; padding: 3px 4px;">{esc(c.name)}</th>')
    body = []
    for row in tbl.rows:
        cells = "".join(_cell(cell.text, col.align, cell.status)
                        for cell, col in zip(row, tbl.columns, strict=True))
        body.append(f"<tr>{cells}</tr>")
    title = f"<h4>{esc(tbl.title)}</h4>" if tbl.title else ""
    note = f'<p class="caption">{esc(tbl.note)}</p>' if tbl.note else ""
    return (f'{title}<table width="{tbl.width_pct}%" cellspacing="0" cellpadding="0" '
            f'style="border-collapse: collapse; font-size: {size};">'
            f'<thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f"{note}")


def _chart(c: Chart, index: int) -> str:
    # The chart draws its own title; h5 keeps a printed title (if any) with its chart.
    title = f"<h5>{esc(c.title)}</h5>" if c.title and not c.titled else ""
    caption = f'<p class="caption">{esc(c.caption)}</p>' if c.caption else ""
    return f'{title}<p align="center" style="margin: 0px;">{chart_marker(index)}</p>{caption}'


def _signoff(s: SignOff) -> str:
    statement = f"<p>{esc(s.statement)}</p>" if s.statement else ""
    head = "".join(
        f'<th align="left" width="{w}%" bgcolor="{HEAD_BG}" style="border-bottom: 1px solid '
        f'{INK}; padding: 3px 4px;">{n}</th>'
        for n, w in (("role", 28), ("name", 24), ("signature", 30), ("date", 18)))
    rows = "".join(
        f'<tr><td style="border-bottom: 1px solid {RULE}; padding: 26px 4px 6px 4px;">'
        f"{esc(role)}</td>"
        + "".join(f'<td style="border-bottom: 1px solid {RULE}; padding: 26px 4px 6px 4px;">'
                  "&nbsp;</td>" for _ in range(3))
        + "</tr>" for role in s.roles)
    return (f'{statement}<table width="100%" cellspacing="0" cellpadding="0" '
            f'style="border-collapse: collapse;"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def block_html(block: Block, charts: list[Chart]) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, Bullets):
        return _bullets(block)
    if isinstance(block, KpiGrid):
        return _kpis(block)
    if isinstance(block, Fields):
        return _fields(block)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        charts.append(block)
        return _chart(block, len(charts) - 1)
    if isinstance(block, SignOff):
        return _signoff(block)
    if isinstance(block, PageBreak):
        return '<p style="page-break-after: always; margin: 0px;"></p>'
    raise TypeError(f"unknown block {type(block).__name__}")


def title_page(report: Report) -> str:
    facts = "".join(
        f'<tr><td width="26%" style="color: {MUTED}; padding: 3px 8px 3px 0px;">{esc(k)}</td>'
        f'<td style="padding: 3px 0px;">{esc(v)}</td></tr>' for k, v in report.facts)
    toc = "".join(
        f'<tr><td style="padding: 2px 0px; border-bottom: 1px dotted {RULE};">{i + 1}&nbsp;&nbsp;'
        f'{esc(s.title)}</td><td align="right" width="12%" style="padding: 2px 0px; '
        f'border-bottom: 1px dotted {RULE};">{toc_anchor(s.id)}</td></tr>'
        for i, s in enumerate(report.sections))
    return (
        f'<p style="font-size: 9pt; color: {MUTED}; margin-top: 60px;">ENCLAVE · DEPLOYMENT '
        "PLAN</p>"
        f'<p style="font-size: 22pt; font-weight: bold; color: {ACCENT}; margin-top: 6px; '
        f'margin-bottom: 6px;">{esc(report.title)}</p>'
        f'<p style="font-size: 11pt; color: {MUTED}; margin-bottom: 26px;">'
        f"{esc(report.subtitle)}</p>"
        f'<table width="100%" cellspacing="0" cellpadding="0" style="margin-top: 18px;">'
        f"{facts}</table>"
        f'<p style="font-size: 12pt; font-weight: bold; margin-top: 30px; margin-bottom: 6px;">'
        f'Contents</p><table width="100%" cellspacing="0" cellpadding="0">{toc}</table>'
        f'<p class="note" style="margin-top: 24px;">Prepared offline with Enclave. Every figure '
        "is computed from the inputs in the assumptions register, with the sources and dates "
        "given there and the formulas in the method notes.</p>"
    )


def report_html(report: Report) -> tuple[str, list[Chart]]:
    """The whole document and its charts in marker order."""
    charts: list[Chart] = []
    parts = [title_page(report)]
    for number, section in enumerate(report.sections, start=1):
        style = ' style="page-break-before: always;"' if section.new_page or number == 1 else \
            ' style="margin-top: 22px;"'
        parts.append(f'<h1{style}><a name="sec-{esc(section.id)}"></a>{number}&nbsp;&nbsp;'
                     f"{esc(section.title)}</h1>")
        parts.extend(block_html(b, charts) for b in section.blocks)
    return f"<html><body>{''.join(parts)}</body></html>", charts
