"""The scenario editor: every input of a scenario, by section, with units and rules.

Each field commits on Enter, on leaving it, or on picking an item; the editor turns the text
into the format's value (`field_input.parse_input`) and runs `scenario_edit.edit_field` through
the undo history, so every accepted edit is one Ctrl+Z step and is saved at once. A refused
edit shows its rule under the field and changes nothing; problems the evaluation finds (a
price the catalog lacks, a workload kind not sized yet) are shown at their field too.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable
from typing import Any, get_args, get_type_hints

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.scenario import SECTION_TEMPLATES, Workload
from app.errors import UserError
from app.operations import scenario_edit
from app.operations.field_input import parse_input
from app.operations.scenario_edit import FieldRefused, NothingChanged, Problem, get_path
from app.operations.scenario_fields import FieldInfo, field_info
from app.operations.scenario_templates import template_workload, templates
from app.storage import scenario_store
from app.ui import messages
from app.ui.context import ScreenContext
from app.ui.views.field_editors import BoolRow, ChoiceRow, FieldRow, TextRow
from app.ui.views.range_editor import RangeEditor
from app.ui.views.screen_parts import FoldToggle

WORKLOAD_FIELDS = (
    "name", "template", "model", "weights", "kv_cache", "users", "requests_per_user_per_day",
    "input_tokens", "output_tokens", "active_hours_per_day", "active_days_per_year",
    "peak_factor", "ttft_target_ms", "tpot_target_ms", "slo_percentile", "growth_per_year",
    "cloud_api",
)
# What a workload kind does not use is left out of its tab: a fine-tune has no request stream;
# encoders have no output stream or TPOT, answer one request at a time (no SLO percentile) and
# are not priced against a cloud API. Growth stays: the evaluation notes that it is not staged
# for these kinds, and the field is where to clear it.
_ENCODER_UNUSED = frozenset({"output_tokens", "tpot_target_ms", "slo_percentile", "cloud_api"})
UNUSED_FIELDS: dict[str, frozenset[str]] = {
    "embedding": _ENCODER_UNUSED,
    "reranker": _ENCODER_UNUSED,
    "guard": _ENCODER_UNUSED - {"output_tokens"},  # a guard writes its verdict tokens
    "finetune": frozenset({"users", "requests_per_user_per_day", "input_tokens",
                           "output_tokens", "active_hours_per_day", "active_days_per_year",
                           "peak_factor", "ttft_target_ms", "tpot_target_ms", "slo_percentile",
                           "cloud_api"}),
}
_ENCODER_LABELS = {"input_tokens": "Query tokens", "ttft_target_ms": "Latency target"}
KIND_LABELS: dict[str, dict[str, str]] = {
    "embedding": _ENCODER_LABELS,
    "reranker": _ENCODER_LABELS,
    "guard": {"input_tokens": "Tokens per check", "output_tokens": "Verdict tokens",
              "ttft_target_ms": "Latency target"},
}
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("scenario", "Scenario", ("name", "description")),
    ("deployment", "Hardware and serving", (
        "deployment.accelerator", "deployment.gpu_count", "deployment.server",
        "deployment.gpus_per_server", "deployment.tp", "deployment.pp", "deployment.engine",
        "deployment.redundancy", "deployment.gpu_sharing", "deployment.whole_servers",
        "deployment.scale_with_growth")),
    ("costs", "Costs of owning", (
        "costs.horizon_months", "costs.gpu_price_usd", "costs.server_price_usd",
        "costs.network_usd_per_server", "costs.storage_usd", "costs.integration_usd",
        "costs.facility_usd", "costs.capex_treatment", "costs.hardware_life_years",
        "costs.residual_fraction", "costs.refresh_at_end_of_life",
        "costs.financing_rate_per_year", "costs.financing_term_months",
        "costs.discount_rate_per_year", "costs.gpu_power_w", "costs.server_base_power_w",
        "costs.load_factor", "costs.pue", "costs.energy_usd_per_kwh",
        "costs.hosting_usd_per_kw_month", "costs.support_fraction_per_year",
        "costs.software_usd_per_gpu_month", "costs.staff_fte",
        "costs.staff_loaded_usd_per_year", "costs.other_usd_per_month")),
    ("alternatives", "Alternatives compared", (
        "alternatives.cloud_api", "alternatives.api_input_usd_per_mtok",
        "alternatives.api_output_usd_per_mtok", "alternatives.api_cached_input_usd_per_mtok",
        "alternatives.api_cached_input_fraction", "alternatives.gpu_rental",
        "alternatives.rental_pricing", "alternatives.rental_usd_per_gpu_hour",
        "alternatives.rental_hours_per_month", "alternatives.rental_includes_operations")),
    ("requirements", "Requirements", (
        "requirements.deployment_mode", "requirements.data_classification",
        "requirements.jurisdiction", "requirements.allowed_licences",
        "requirements.allowed_model_origins", "requirements.allowed_hardware_vendors",
        "requirements.allowed_hardware_origins", "requirements.export_control_exposure",
        "requirements.use_restriction_exposure", "requirements.vendor_support_region",
        "requirements.commercial_use")),
)
COLLAPSED = ("alternatives", "requirements")
PLACEHOLDERS = {
    "gpu_count": "automatic: sized from the workloads",
    "gpus_per_server": "the server's slots",
    "tp": "automatic: smallest that fits",
    "gpu_price_usd": "catalog price",
    "server_price_usd": "catalog price",
    "gpu_power_w": "catalog TDP",
    "server_base_power_w": "catalog value",
    "ttft_target_ms": "no target",
    "tpot_target_ms": "no target",
    "api_input_usd_per_mtok": "catalog price",
    "api_output_usd_per_mtok": "catalog price",
    "api_cached_input_usd_per_mtok": "catalog price",
    "rental_usd_per_gpu_hour": "catalog rate",
    "allowed_licences": "any (comma-separated names)",
    "allowed_model_origins": "any (country codes, comma-separated)",
    "allowed_hardware_vendors": "any (comma-separated)",
    "allowed_hardware_origins": "any (country codes, comma-separated)",
    "data_classification": "e.g. confidential",
    "jurisdiction": "e.g. DE, EU, US",
    "vendor_support_region": "none needed",
    "description": "what this scenario is for",
    "users": "none (fine-tuning)",
    "requests_per_user_per_day": "none (fine-tuning)",
    "dimension": "the model's",
    "optimizer": "the method's usual",
    "deadline_hours": "no deadline",
}
NONE_TEXT = {
    "server": "— generic server —",
    "optimizer": "— the method's usual —",
    "cloud_api": "— none —",
    "gpu_rental": "— none —",
}
CATALOG_FIELDS = {"model", "weights", "kv_cache", "accelerator", "server", "cloud_api",
                  "gpu_rental"}


_UNSET = object()


class Section(QWidget):
    """A titled part of the form that folds away."""

    def __init__(self, title: str, body: QWidget, expanded: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = FoldToggle(body, title, expanded)
        self.toggle.setSizePolicy(self.toggle.sizePolicy().horizontalPolicy().Expanding,
                                  self.toggle.sizePolicy().verticalPolicy())
        self.body = body
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toggle)
        layout.addWidget(body)

    def expand(self) -> None:
        self.toggle.setChecked(True)


def _form() -> tuple[QFrame, QFormLayout]:
    frame = QFrame()
    frame.setObjectName("formSection")
    form = QFormLayout(frame)
    form.setContentsMargins(10, 8, 10, 8)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(6)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return frame, form


class ScenarioEditor(QWidget):
    """The form for one stored scenario (see the module docstring).

    edited(path): an edit was accepted and stored. refused(path, rule): an edit was refused.
    """

    edited = Signal(str)
    refused = Signal(str, str)

    def __init__(self, ctx: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = ctx.workspace
        self.scenario_id: int | None = None
        self.data: dict[str, Any] = {}
        self.rows: dict[str, FieldRow] = {}
        self.sections: dict[str, Section] = {}
        self._row_section: dict[str, str] = {}
        self._workload_count = -1
        self._workload_templates: tuple[str, ...] = ()
        self._shown_values: dict[str, Any] = {}
        self._problem: Problem | None = None
        self._missing: tuple[str, ...] = ()

        self.content = QWidget()
        self.content.setObjectName("editorContent")
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(4, 4, 10, 12)
        self.column.setSpacing(8)
        for key, title, paths in SECTIONS:
            frame, form = _form()
            for path in paths:
                self._add_row(form, path, key)
            self._add_section(key, title, frame)
            if key == "scenario":
                self._build_workloads()
        self.ranges = RangeEditor(self._numeric_paths, self._current_value, self.ctx)
        self.ranges.range_committed.connect(self._commit_range)
        self.ranges.range_removed.connect(self._remove_range)
        self._add_section("uncertainty", "Uncertainty ranges", self.ranges)
        self.column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.content)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.setEnabled(False)

    # --- building ---------------------------------------------------------------------------

    def _add_section(self, key: str, title: str, body: QWidget) -> None:
        section = Section(title, body, expanded=key not in COLLAPSED)
        section.setObjectName(f"section-{key}")
        self.sections[key] = section
        self.column.addWidget(section)

    def _build_workloads(self) -> None:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.workload_tabs = QTabWidget()
        self.workload_tabs.setObjectName("workloadTabs")
        self.workload_tabs.setDocumentMode(True)
        bar = QHBoxLayout()
        self.add_workload_button = QPushButton(messages.EDITOR_ADD_WORKLOAD)
        menu = QMenu(self.add_workload_button)
        for t in templates():
            action = menu.addAction(t.name)
            action.setToolTip(t.description)
            action.triggered.connect(functools.partial(self.add_workload, t.id))
        self.add_workload_button.setMenu(menu)
        self.remove_workload_button = QPushButton(messages.EDITOR_REMOVE_WORKLOAD)
        self.remove_workload_button.clicked.connect(
            lambda: self.remove_workload(self.workload_tabs.currentIndex()))
        bar.addWidget(self.add_workload_button)
        bar.addWidget(self.remove_workload_button)
        bar.addStretch(1)
        layout.addWidget(self.workload_tabs)
        layout.addLayout(bar)
        self._add_section("workloads", "Workloads", box)

    def _add_row(self, form: QFormLayout, path: str, section: str) -> FieldRow:
        info = field_info(path)
        row = self._make_row(info)
        row.committed.connect(self._commit)
        form.addRow(row.label, row)
        self.rows[path] = row
        self._row_section[path] = section
        return row

    def _make_row(self, info: FieldInfo) -> FieldRow:
        placeholder = PLACEHOLDERS.get(info.name, "")
        if info.kind == "bool":
            return BoolRow(info)
        if info.choices or info.name in CATALOG_FIELDS:
            row = ChoiceRow(info, placeholder)
            self._fill_choices(row)
            return row
        return TextRow(info, placeholder)

    def _fill_choices(self, row: ChoiceRow) -> None:
        info = row.info
        catalog = self.workspace.catalog
        items: list[tuple[str, str]]
        if info.name == "model":
            items = sorted(((m.id, m.name) for m in catalog.models.values()),
                           key=lambda x: x[1].lower())
        elif info.name in ("weights", "kv_cache"):
            items = [(q.id, q.name) for q in catalog.quantizations.values()]
        elif info.name == "accelerator":
            items = sorted(((a.id, a.name) for a in catalog.accelerators.values()),
                           key=lambda x: x[1].lower())
        elif info.name == "server":
            items = [(s.id, s.name) for s in catalog.servers.values()]
        elif info.name == "cloud_api":
            items = [(a.id, a.name) for a in catalog.cloud_apis.values()]
        elif info.name == "gpu_rental":
            items = [(r.id, r.name) for r in catalog.gpu_rentals.values()]
        else:
            items = [(c, c) for c in info.choices]
        none_text = ""
        if info.optional:
            none_text = ("— the scenario's API —" if info.path.startswith("workloads")
                         and info.name == "cloud_api" else NONE_TEXT.get(info.name, "— none —"))
        row.set_items(items, none_text, searchable=len(items) > 12)
        for i in range(row.combo.count()):
            value = row.combo.itemData(i)
            if isinstance(value, str) and info.name in CATALOG_FIELDS and not value.startswith(
                    "\x00"):
                row.combo.setItemData(i, value, Qt.ItemDataRole.ToolTipRole)

    def _section_fields(self, template: str) -> tuple[str, ...]:
        """The fields of a workload kind's own section (`workloads[i].<template>.*`)."""
        if template not in SECTION_TEMPLATES:
            return ()
        hints = get_type_hints(Workload)
        inner = [a for a in get_args(hints[template]) if a is not type(None)]
        spec_cls = inner[0] if inner else None
        if spec_cls is None or not dataclasses.is_dataclass(spec_cls):
            return ()
        return tuple(f.name for f in dataclasses.fields(spec_cls))

    def _rebuild_workload_tabs(self, templates_now: tuple[str, ...]) -> None:
        count = len(templates_now)
        self._shown_values = {p: v for p, v in self._shown_values.items()
                              if not p.startswith("workloads[")}
        current = self.workload_tabs.currentIndex()
        for path in [p for p in self.rows if p.startswith("workloads[")]:
            del self.rows[path]
            del self._row_section[path]
        while self.workload_tabs.count():
            page = self.workload_tabs.widget(0)
            self.workload_tabs.removeTab(0)
            if page is not None:
                page.hide()
                page.deleteLater()
        for i in range(count):
            frame, form = _form()
            template = templates_now[i]
            unused = UNUSED_FIELDS.get(template, frozenset())
            labels = KIND_LABELS.get(template, {})
            for name in WORKLOAD_FIELDS:
                if name in unused:
                    continue
                row = self._add_row(form, f"workloads[{i}].{name}", "workloads")
                if name in labels:
                    row.label.setText(labels[name])
            section = self._section_fields(template)
            if section:
                title = QLabel(messages.EDITOR_WORKLOAD_SECTION.format(kind=template))
                title.setObjectName("formSubheading")
                form.addRow(title)
                for name in section:
                    self._add_row(form, f"workloads[{i}].{template}.{name}", "workloads")
            self.workload_tabs.addTab(frame, f"Workload {i + 1}")
        self._workload_count = count
        self._workload_templates = templates_now
        self.workload_tabs.setCurrentIndex(min(max(current, 0), max(count - 1, 0)))
        self.remove_workload_button.setEnabled(count > 1)

    # --- showing a scenario -----------------------------------------------------------------

    def load(self, scenario_id: int | None) -> None:
        """Show scenario `scenario_id` (None: nothing to edit)."""
        self.scenario_id = scenario_id
        self.refresh()

    def refresh(self) -> None:
        """Re-read the stored scenario and show every value (errors cleared)."""
        data: dict[str, Any] = {}
        if self.scenario_id is not None:
            try:
                data = scenario_store.get(self.workspace.db, self.scenario_id)
            except UserError:
                self.scenario_id = None
        self.data = data
        self.setEnabled(self.scenario_id is not None and not self.workspace.read_only)
        workloads = data.get("workloads") if isinstance(data.get("workloads"), list) else []
        count = max(len(workloads or []), 1)
        templates_now = tuple(str(get_path(data, f"workloads[{i}].template", "chat") or "chat")
                              for i in range(count))
        if templates_now != self._workload_templates:
            self._rebuild_workload_tabs(templates_now)
        for i in range(count):
            name = str(get_path(data, f"workloads[{i}].name", "") or f"Workload {i + 1}")
            if self.workload_tabs.tabText(i) != name:  # setting it lays out and repaints the tabs
                self.workload_tabs.setTabText(i, name)
        for path, row in self.rows.items():
            value = self._current_value(path)
            if self._shown_values.get(path, _UNSET) != value or row.has_error:
                row.set_value(value)  # only the fields that changed: an edit touches one
                self._shown_values[path] = value
            row.clear_error()
        ranges = data.get("uncertainty")
        self.ranges.set_ranges(ranges if isinstance(ranges, dict) else {})
        # marks of the previous evaluation are gone; the next evaluation marks again
        self._problem = None
        self._missing = ()

    def _current_value(self, path: str) -> Any:
        missing = object()
        value = get_path(self.data, path, missing)
        if value is missing:
            try:
                return field_info(path).default
            except KeyError:
                return None
        return value

    def _numeric_paths(self) -> list[tuple[str, str]]:
        out = []
        for path, row in self.rows.items():
            info = row.info
            if info.kind in ("int", "float") and info.meta.get("uncertain", True):
                label = info.label
                if path.startswith("workloads[") and self._workload_count > 1:
                    index = int(path.split("[")[1].split("]")[0])
                    label = f"{self.workload_tabs.tabText(index)}: {label}"
                out.append((path, label))
        return out

    def row(self, path: str) -> FieldRow | None:
        return self.rows.get(path)

    def show_problem(self, problem: Problem | None) -> None:
        """Mark the field a problem concerns (from the evaluation); None clears the mark."""
        previous = self._problem
        self._problem = problem
        if previous is not None and (problem is None or previous.path != problem.path):
            old = self.rows.get(previous.path)
            if old is not None:
                old.clear_error()
            self.ranges.clear_problem()
        if problem is None:
            return
        row = self.rows.get(problem.path)
        if row is not None:
            row.show_error(problem.rule)
            self.reveal(problem.path)
        elif problem.path.startswith("uncertainty"):
            self.ranges.show_problem(problem)
            self.sections["uncertainty"].expand()

    def show_missing(self, paths: tuple[str, ...]) -> None:
        """Mark cost fields the evaluation needed but neither the scenario nor the catalog
        gives (their previous marks are cleared)."""
        for path in self._missing:
            row = self.rows.get(path)
            if row is not None and path not in paths and row.error.text() == \
                    messages.EDITOR_MISSING_COST:
                row.clear_error()
        self._missing = tuple(paths)
        for path in paths:
            row = self.rows.get(path)
            if row is not None and not row.has_error:
                row.show_error(messages.EDITOR_MISSING_COST)

    def reveal(self, path: str) -> None:
        """Unfold the section holding `path` and scroll to it."""
        section = self._row_section.get(path)
        if section is None:
            return
        self.sections[section].expand()
        row = self.rows[path]
        if path.startswith("workloads["):
            self.workload_tabs.setCurrentIndex(int(path.split("[")[1].split("]")[0]))
        QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(row, 10, 40))

    # --- edits ------------------------------------------------------------------------------

    def _run(self, path: str, operation: Callable[[], Any]) -> bool:
        """Run an undoable edit; a refusal is shown at `path` (False), success True."""
        row = self.rows.get(path)
        try:
            self.ctx.undo.run(operation)
        except NothingChanged:
            if row is not None:
                row.clear_error()
            return False
        except FieldRefused as exc:
            # an item of a list field (`lora_targets[1]`) is refused at the list's field
            rule = exc.rule if exc.path == path or exc.path.startswith(f"{path}[") else str(exc)
            if row is not None:
                row.show_error(rule)
            self.refused.emit(path, rule)
            return False
        except UserError as exc:
            if row is not None:
                row.show_error(str(exc))
            self.refused.emit(path, str(exc))
            return False
        self.edited.emit(path)
        return True

    def _commit(self, path: str, text: str) -> None:
        if self.scenario_id is None:
            return
        row = self.rows[path]
        scenario_id = self.scenario_id
        try:
            if isinstance(row, ChoiceRow) and row.info.name in CATALOG_FIELDS and text:
                known = {str(row.combo.itemData(i)) for i in range(row.combo.count())}
                if text not in known:
                    raise FieldRefused(path, messages.EDITOR_NOT_IN_CATALOG.format(value=text))
            value = True if text == "true" and isinstance(row, BoolRow) else (
                False if isinstance(row, BoolRow) else parse_input(row.info, text))
        except FieldRefused as exc:
            row.show_error(exc.rule)
            self.refused.emit(path, exc.rule)
            return
        self._run(path, lambda: scenario_edit.edit_field(self.workspace, scenario_id, path,
                                                         value))

    def edit(self, path: str, text: str) -> bool:
        """Type `text` into the field at `path` and commit it (tests, keyboard macros)."""
        row = self.rows[path]
        if isinstance(row, TextRow):
            row.type_text(text)
        elif isinstance(row, ChoiceRow):
            row.choose(text or None)
        elif isinstance(row, BoolRow):
            row.check.setChecked(text == "true")
        return not row.has_error

    def add_workload(self, template_id: str) -> None:
        if self.scenario_id is None:
            return
        t = next(t for t in templates() if t.id == template_id)
        workload = template_workload(t, self.workspace.catalog)
        scenario_id = self.scenario_id
        if self._run("workloads", lambda: scenario_edit.add_workload(self.workspace, scenario_id,
                                                                     workload)):
            self.workload_tabs.setCurrentIndex(self.workload_tabs.count() - 1)

    def remove_workload(self, index: int) -> None:
        if self.scenario_id is None:
            return
        scenario_id = self.scenario_id
        self._run("workloads", lambda: scenario_edit.remove_workload(self.workspace, scenario_id,
                                                                     index))

    def _commit_range(self, path: str, low: float, likely: float | None, high: float,
                      distribution: str) -> None:
        if self.scenario_id is None:
            return
        scenario_id = self.scenario_id
        try:
            self.ctx.undo.run(lambda: scenario_edit.set_range(
                self.workspace, scenario_id, path, low, high, likely, distribution))
        except FieldRefused as exc:
            self.ranges.show_problem(Problem(exc.path, exc.rule))
        except UserError as exc:
            self.ranges.show_problem(Problem(f'uncertainty["{path}"]', str(exc)))

    def _remove_range(self, path: str) -> None:
        if self.scenario_id is None:
            return
        scenario_id = self.scenario_id
        try:
            self.ctx.undo.run(lambda: scenario_edit.remove_range(self.workspace, scenario_id,
                                                                 path))
        except UserError as exc:
            self.ranges.show_problem(Problem(f'uncertainty["{path}"]', str(exc)))

    def paths(self) -> Iterable[str]:
        return self.rows.keys()

