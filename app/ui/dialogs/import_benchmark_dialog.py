"""ImportBenchmarkDialog: a benchmark log and the facts it cannot give, each checked at its field.

The file field must name an existing file; every fact is checked against the catalog as it is
typed (`check_site_facts`) and a problem shows under its field. Import hands the file and the
facts to `submit`; the caller reads and refits off the GUI thread and then calls `failed(exc)`
(the message goes to the field it names, or to the file) or `accept()`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalog.benchmark_logs import FORMATS, SiteFacts
from app.catalog.benchmark_logs.site import FACTS, check_site_facts
from app.catalog.loader import Catalog
from app.errors import UserError
from app.ui import messages
from app.ui.style import repolish

FILE = "file"
LABELS = {FILE: "Benchmark log *", "format": "Format", "model": "Model *",
          "gpu": "Accelerator *", "gpu_count": "GPU count", "tp": "Tensor parallel",
          "pp": "Pipeline parallel", "engine": "Serving engine", "weights": "Weight format",
          "kv_cache": "KV-cache format"}
Submit = Callable[["ImportBenchmarkDialog", Path, SiteFacts, str], None]


class ImportBenchmarkDialog(QDialog):
    def __init__(self, catalog: Catalog, engines: Collection[str], aliases: Mapping[str, str],
                 submit: Submit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importBenchmarkDialog")
        self.setWindowTitle(messages.IMPORT_BENCH_TITLE)
        self.catalog = catalog
        self.engines = tuple(sorted(engines))
        self.aliases = aliases
        self._submit = submit
        self.busy = False
        intro = QLabel(messages.IMPORT_BENCH_INTRO)
        intro.setObjectName("hint")
        intro.setWordWrap(True)

        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("fileEdit")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        self.format = QComboBox()
        for key, label in FORMATS.items():
            self.format.addItem(label, key)
        self.model = self._catalog_combo(
            [(m.id, f"{m.name} ({m.id})") for m in catalog.models.values() if m.kind == "llm"])
        self.gpu = self._catalog_combo(
            [(a.id, f"{a.name} ({a.id})") for a in catalog.accelerators.values()])
        self.gpu_count = QLineEdit(placeholderText="1")
        self.tp = QLineEdit(placeholderText=messages.IMPORT_BENCH_DEFAULT_HINT)
        self.pp = QLineEdit(placeholderText="1")
        self.engine = self._choice(self.engines)
        self.weights = self._choice(tuple(catalog.quantizations))
        self.kv_cache = self._choice(tuple(catalog.quantizations))
        self.fields: dict[str, QWidget] = {
            FILE: self.file_edit, "format": self.format, "model": self.model, "gpu": self.gpu,
            "gpu_count": self.gpu_count, "tp": self.tp, "pp": self.pp, "engine": self.engine,
            "weights": self.weights, "kv_cache": self.kv_cache}
        self.errors: dict[str, QLabel] = {}
        self.form = QFormLayout()
        self.form.setVerticalSpacing(6)
        for name, widget in self.fields.items():
            self.form.addRow(LABELS[name], file_row if widget is self.file_edit else widget)
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            self.errors[name] = error
            self.form.addRow("", error)
            self.form.setRowVisible(error, False)
        self.summary = QLabel()
        self.summary.setObjectName("errorSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("Import",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)
        # The dialog grows and shrinks with the messages under its fields.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        intro.setMinimumWidth(560)
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _=None: self.validate(quiet_file=True))
            elif isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(lambda _=None: self.validate(quiet_file=True))
        self.validate(quiet_file=True)

    # --- fields -----------------------------------------------------------------------------

    def _catalog_combo(self, items: list[tuple[str, str]]) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItem("", "")
        for key, label in sorted(items, key=lambda kv: kv[1].lower()):
            combo.addItem(label, key)
        combo.setCurrentIndex(0)
        combo.setMaxVisibleItems(20)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(40)
        combo.view().setMinimumWidth(420)
        return combo

    def _choice(self, keys: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItem(messages.IMPORT_BENCH_FROM_LOG, "")
        for key in keys:
            combo.addItem(key, key)
        return combo

    @staticmethod
    def _value(combo: QComboBox) -> str:
        """The catalog id chosen, or the text typed when it matches no item."""
        text = combo.currentText().strip()
        index = combo.findText(text)
        if index >= 0:
            return str(combo.itemData(index) or "")
        return text

    def facts(self) -> SiteFacts:
        return SiteFacts(
            model=self._value(self.model) or None, gpu=self._value(self.gpu) or None,
            gpu_count=self.gpu_count.text().strip() or None, tp=self.tp.text().strip() or None,
            pp=self.pp.text().strip() or None, engine=self._value(self.engine) or None,
            weights=self._value(self.weights) or None,
            kv_cache=self._value(self.kv_cache) or None)

    def path(self) -> Path:
        return Path(self.file_edit.text().strip())

    def log_format(self) -> str:
        return str(self.format.currentData() or "auto")

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, messages.IMPORT_BENCH_CHOOSE,
                                              str(Path.home()), messages.IMPORT_BENCH_FILE_FILTER)
        if name:
            self.file_edit.setText(name)

    # --- checking ---------------------------------------------------------------------------

    def show_problem(self, field: str, problem: str | None) -> None:
        """Show `problem` under `field` (clear it with None) and mark the field."""
        label = self.errors[field]
        label.setText(problem or "")
        self.form.setRowVisible(label, bool(problem))
        widget = self.fields[field]
        if bool(widget.property("invalid")) != bool(problem):
            widget.setProperty("invalid", bool(problem))
            repolish(widget)

    def validate(self, quiet_file: bool = False) -> bool:
        """Check every field now; with `quiet_file`, an empty file field is not yet an error."""
        _, problems = check_site_facts(self.facts(), self.catalog, self.engines, self.aliases)
        text = self.file_edit.text().strip()
        if not text:
            file_problem = None if quiet_file else messages.IMPORT_BENCH_NO_FILE
        elif not self.path().is_file():
            file_problem = messages.IMPORT_BENCH_NOT_FOUND.format(path=text)
        else:
            file_problem = None
        self.show_problem(FILE, file_problem)
        for name in FACTS:
            self.show_problem(name, problems.get(name))
        ok = not problems and file_problem is None
        self.summary.setText("" if ok else messages.IMPORT_BENCH_FAILED)
        self.summary.setVisible(not ok and not (quiet_file and not problems and not text))
        self.import_button.setEnabled(not self.busy and not problems)
        return ok and bool(text)

    # --- import -----------------------------------------------------------------------------

    def start_import(self) -> None:
        if self.busy or not self.validate():
            return
        self.set_busy(True)
        self.summary.setObjectName("hint")
        repolish(self.summary)
        self.summary.setText(messages.IMPORT_BENCH_RUNNING.format(name=self.path().name))
        self.summary.show()
        self._submit(self, self.path(), self.facts(), self.log_format())

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.import_button.setEnabled(not busy)
        for widget in self.fields.values():
            widget.setEnabled(not busy)

    def failed(self, exc: UserError) -> None:
        """Show a refusal at the field it names (the file when it names none)."""
        self.set_busy(False)
        field = getattr(exc, "field", None)
        self.show_problem(field if field in self.fields else FILE, str(exc))
        self.summary.setObjectName("errorSummary")
        repolish(self.summary)
        self.summary.setText(messages.IMPORT_BENCH_FAILED)
        self.summary.show()
