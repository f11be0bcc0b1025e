"""Reports: the PDF summary and the table/chart exports.

Content is data first, Qt second:

- `model` declares the blocks a report is made of (paragraphs, KPI grids, tables, charts,
  notes, sign-off), all plain text: nothing here is HTML, so nothing a user typed can be
  mistaken for markup.
- `content.build_report(...)` turns evaluation results into a `Report` (sections chosen by id,
  see `sections.SECTIONS`); `sentences` writes the executive summary from the numbers,
  `register` the assumptions register, `method` the method notes. All Qt-free and tested
  without a display.
- `html` turns a `Report` into the HTML subset QTextDocument reads, escaping every text once.
- `export_tables` writes any table block as CSV or XLSX (the OOXML zip written directly).
- Qt lives only in `pdf` (QPdfWriter, QTextDocument, manual pagination with header, footer
  and "page i of N", embedded DejaVu fonts) and `chart_pictures` (charts drawn once on the GUI
  thread into vector `QPicture`s, replayed into the PDF from any thread). An import contract
  in pyproject.toml keeps the rest Qt-free.
"""
