"""CSV and XLSX exports: raw numbers, units in headers, formulas neutralised, a valid workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from xml.etree import ElementTree

from app.reports.export_tables import (
    column_letter,
    sheet_names,
    table_csv,
    workbook_bytes,
)
from app.reports.model import Cell, Column, Table
from app.reports.subject import ReportSubject

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _table(key: str = "costs") -> Table:
    return Table(key=key, title="t", columns=(Column("category"), Column("usd", "right",
                                                                         unit="USD")),
                 rows=((Cell("=HYPERLINK(\"x\")"), Cell("$1,234", 1234.5)),
                       (Cell("<b>x</b>&"), Cell("n/a", None)),
                       (Cell("yes", True), Cell("−$5", -5))))


def read_workbook(data: bytes) -> dict[str, list[list[str]]]:
    """Sheet name → rows of cell texts, read back with the standard library only."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        names = [s.get("name", "") for s in book.iterfind("m:sheets/m:sheet", NS)]
        out = {}
        for i, name in enumerate(names):
            sheet = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{i + 1}.xml"))
            rows = []
            for row in sheet.iterfind("m:sheetData/m:row", NS):
                cells = []
                for c in row.iterfind("m:c", NS):
                    t = c.find("m:is/m:t", NS)
                    v = c.find("m:v", NS)
                    cells.append((t.text if t is not None else v.text if v is not None else "")
                                 or "")
                rows.append(cells)
            out[name] = rows
        return out


def test_csv_has_units_raw_numbers_and_no_formulas() -> None:
    rows = list(csv.reader(io.StringIO(table_csv(_table()))))
    assert rows[0] == ["category", "usd (USD)"]
    assert rows[1] == ["'=HYPERLINK(\"x\")", "1234.5"]
    assert rows[2] == ["<b>x</b>&", "n/a"]
    assert rows[3] == ["true", "-5"]


def test_workbook_reads_back() -> None:
    data = workbook_bytes([_table(), _table("costs")])
    book = read_workbook(data)
    assert list(book) == ["costs", "costs (2)"]
    assert book["costs"][0] == ["category", "usd (USD)"]
    assert book["costs"][1] == ["=HYPERLINK(\"x\")", "1234.5"]  # inline text, never a formula
    assert book["costs"][2][0] == "<b>x</b>&"
    assert workbook_bytes([_table()]) == workbook_bytes([_table()])  # deterministic


def test_sheet_names_are_legal() -> None:
    long = Table(key="x" * 40 + "[a]:b", title="", columns=(Column("a"),), rows=())
    names = sheet_names([long, long])
    assert all(len(n) <= 31 for n in names)
    assert names[0] != names[1]
    assert not any(ch in names[0] for ch in "[]:*?/\\")
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_report_tables_export(demo_subjects: list[ReportSubject]) -> None:
    from app.reports.content import build_report
    from tests.reports.conftest import FIXED

    report = build_report(demo_subjects, FIXED)
    book = read_workbook(workbook_bytes(report.tables()))
    assert len(book) == len(report.tables())
    breakdown = book["s1-breakdown"]
    assert breakdown[0][:3] == ["category", "kind", "year 1 (USD)"]
    total = next(r for r in breakdown if r[0] == "total")
    assert abs(float(total[-2]) - (demo_subjects[0].result.kpis.tco_usd or 0)) < 1


def test_kpi_table_has_every_kpi_per_scenario(demo_subjects: list[ReportSubject]) -> None:
    from app.reports.kpi_table import kpi_table

    table = kpi_table([s.result for s in demo_subjects])
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows[0][:2] == ["kpi", "unit"] and len(rows[0]) == 2 + len(demo_subjects)
    by_name = {r[0]: r for r in rows[1:]}
    assert float(by_name["tco_usd"][2]) == demo_subjects[0].result.kpis.tco_usd
    assert by_name["tco_usd"][1] == "USD"
    assert by_name["rental_tco_usd"][3] == ""  # no rental in the RAG demo: empty, not 0
    assert by_name["break_even_month_vs_api"][4] == str(
        demo_subjects[2].result.kpis.break_even_month_vs_api)


def test_workloads_tables_export_with_numbers(rag_subject: ReportSubject) -> None:
    """The RAG report's workloads and fine-tune tables export numbers in their units."""
    from app.reports.content import build_report
    from tests.reports.conftest import FIXED

    tables = {t.key: t for t in build_report([rag_subject], FIXED).tables()}
    rows = list(csv.reader(io.StringIO(table_csv(tables["s1-workloads"]))))
    head = rows[0]
    assert head[:4] == ["workload", "kind", "model", "GPU share: slots (GPUs)"]
    assert "cost share (USD)" in head and "memory (bytes)" in head
    by_name = {r[0]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert float(by_name["answers"]["GPU share: slots (GPUs)"]) == 6.0
    total = sum(float(r["cost share (USD)"]) for r in by_name.values())
    assert abs(total - (rag_subject.result.kpis.tco_usd or 0)) < 1
    memory = list(csv.reader(io.StringIO(table_csv(tables["s1-finetune-3"]))))
    assert memory[0] == ["component", "per GPU (bytes)", "of capacity (fraction)"]


def test_kpi_table_has_the_calibration_bands(rag_subject: ReportSubject) -> None:
    from app.reports.kpi_table import kpi_table

    rows = {r[0]: r for r in csv.reader(io.StringIO(table_csv(kpi_table([rag_subject.result]))))}
    band = rag_subject.result.basis["error_bands"]["tpot_ms"]
    assert rows["tpot_ms_band_low"][1] == "ms"
    assert float(rows["tpot_ms_band_low"][2]) == band["low"]
    assert float(rows["tpot_ms_band_high"][2]) == band["high"]
    assert rows["output_tokens_per_s_band_high"][1] == "tokens/s"
