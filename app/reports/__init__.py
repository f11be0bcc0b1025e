"""Reports: the PDF summary, the table and chart exports, and the charts they share.

Content is data first, Qt second:

- `model` declares the blocks a report is made of (paragraphs, KPI grids, tables, charts,
  notes, sign-off), all plain text: nothing here is HTML, so nothing a user typed can be
  mistaken for markup.
- `content.build_report(...)` turns evaluation results into a `Report` (sections chosen by id);
  `sentences` writes the executive summary from the numbers, `register` the assumptions
  register, `method` the method notes. All Qt-free and tested without a display.
- `html` turns a `Report` into the HTML subset QTextDocument reads, escaping every text once.
- `export_tables` writes any table block as CSV or XLSX (the OOXML zip written directly).
- `charts` holds the chart widgets (pyqtgraph) shared by the dashboard, Compare and the PDF.
- Qt lives only in `charts`, `pdf` (QPdfWriter, QTextDocument, manual pagination with header,
  footer and "page i of N", embedded DejaVu fonts), `chart_pictures` (charts drawn once on the
  GUI thread as vector pictures, replayed into the PDF from any thread) and `render`. An import
  contract in pyproject.toml keeps the rest Qt-free.
"""
