"""Every user-facing text of the desktop app that is not a field label, declared once.

Tests refer to these names, so a reworded message stays covered. Placeholders use
`str.format` names. Messages raised by the Qt-free layers (`UserError` subclasses) are declared
in their own modules and shown as they are.
"""

from __future__ import annotations


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """`1 scenario`, `3 scenarios`, `0 scenarios` (thousands separated)."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"

APP_NAME = "Enclave"
APP_SUBTITLE = "LLM deployment planner"
WINDOW_TITLE = "Enclave — {workspace}"
WINDOW_TITLE_READ_ONLY = " (read-only)"

# Status bar
STATUS_WORKSPACE = "Workspace: {path}"
STATUS_CATALOG = "Catalog {version}"
STATUS_OFFLINE = "Offline"
STATUS_OFFLINE_TIP = "Enclave makes no network connections, ever"
STATUS_UNDONE = "Undone: {what}"
STATUS_REDONE = "Redone: {what}"
STATUS_DONE = "{what}"
STATUS_OPENED = "Opened {path}"
CATALOG_REFRESHED = ("Reference catalog updated to {version} (entries refreshed: {updated}, "
                     "added: {added}; your edits kept: {kept})")
STATUS_COPY_SAVED = "Saved a copy of the workspace as {path}"
STATUS_EXPORTED = "Exported {count} to {path}"
STATUS_IMPORTED = "Imported {count} from {name} (Ctrl+Z undoes it)"
STATUS_TASK_CANCELLED = "{title}: cancelled"

# Workspace files
OPEN_WORKSPACE_TITLE = "Cannot open the workspace"
NEW_WORKSPACE_TITLE = "Cannot create the workspace"
SAVE_COPY_TITLE = "Cannot save a copy"
WORKSPACE_MISSING = "{path}: does not exist (it may have been moved or deleted)"
WORKSPACE_EXISTS = ("{path}: already exists; choose a new file name, or use File → Open "
                    "workspace… to open it")
OPEN_DIALOG_TITLE = "Open workspace"
NEW_DIALOG_TITLE = "New workspace"
SAVE_COPY_DIALOG_TITLE = "Save a copy of the workspace"
WORKSPACE_FILE_FILTER = "Enclave workspaces (*.enclave.sqlite *.sqlite);;All files (*)"
NO_RECENT_WORKSPACES = "No recent workspaces"
CLEAR_RECENT = "Clear the list"

# Workspace care: restore, integrity, audit log, recovery
RESTORE_DIALOG_TITLE = "Restore from backup"
RESTORE_INTRO = ("Backups of {path}, newest first. Restoring replaces the workspace's content "
                 "with the backup's. A backup of the current content is written first, so a "
                 "restore can itself be taken back by restoring that one.")
RESTORE_NO_BACKUPS = ("No backups yet. Enclave writes one on the first open of each day, before "
                      "every upgrade and before every restore.")
RESTORE_BUTTON = "&Restore…"
RESTORE_CONFIRM_TITLE = "Restore this backup?"
RESTORE_CONFIRM_TEXT = "Replace the content of {path} with the backup taken {label}?"
RESTORE_CONFIRM_DETAIL = ("Every change made since then is replaced. A backup of the current "
                          "content is written first (“before a restore”), and the undo "
                          "history is cleared.")
RESTORE_CONFIRM_BUTTON = "Restore"
RESTORE_FAILED_TITLE = "Cannot restore the backup"
STATUS_RESTORED = "Restored the backup of {label}; the content it replaced is kept as {safety}"
BACKUP_REASONS = {"daily": "routine (first open of the day)", "manual": "made by you",
                  "before-restore": "before a restore"}
BACKUP_REASON_MIGRATION = "before the upgrade to version {version}"
INTEGRITY_TITLE = "Integrity check"
INTEGRITY_OK = ("No problems found: {path} passed SQLite's full integrity and foreign-key checks "
                "({seconds:.1f} s).")
INTEGRITY_PROBLEMS = ("{path} has {count}:\n{problems}\n\nRestore a backup (File → Restore "
                      "from backup…), or save a copy and salvage it.")
AUDIT_TITLE = "Audit log — {workspace}"
AUDIT_ENTITY = "&Entity:"
AUDIT_ACTION = "&Action:"
AUDIT_PERIOD = "&When:"
AUDIT_ALL = "All"
AUDIT_ANY_TIME = "Any time"
AUDIT_PERIODS = (("Last 24 hours", 1), ("Last 7 days", 7), ("Last 30 days", 30))
AUDIT_SHOWN = "{count} shown, newest first (at most {limit}). Times are UTC."
RECOVERY_TITLE = "The workspace is damaged"
RECOVERY_INTRO = ("{name} failed its integrity check, so Enclave did not open it for editing. "
                  "Nothing in it has been changed. Choose how to continue.")
RECOVERY_BACKUPS = "Its backups (restoring one keeps the damaged file in the backups folder):"
RECOVERY_NO_BACKUPS = "It has no backups; open it read-only, or salvage what is readable."
RECOVERY_RESTORE = "Restore the selected backup"
RECOVERY_READ_ONLY = "Open read-only"
RECOVERY_SALVAGE = "Salvage into a new workspace"
RECOVERY_FAILED_TITLE = "Cannot recover the workspace"
SCREEN_UNREADABLE = ("This screen cannot be shown: {reason}\n\nThe other screens show what is "
                     "readable. File → Open workspace… on the damaged file offers to salvage "
                     "its readable data into a new workspace.")
STATUS_REPLACED = ("Restored {path} from the backup of {label}; the damaged file is kept in the "
                   "backups folder as {kept}")
STATUS_SALVAGED = "Salvaged {source} into {target}: {summary}"

# Errors
INTERNAL_ERROR_TITLE = "Something went wrong"
INTERNAL_ERROR_TEXT = ("Enclave hit an internal error while {doing}. Your workspace is safe: "
                       "every change already saved is kept.")
INTERNAL_ERROR_DETAILS_HINT = "Show Details… gives the technical report for a bug report."
DOING_AN_ACTION = "responding to that action"
DOING_UNDO = "undoing or redoing a change"
TASK_FAILED_TITLE = "{title}: not done"
UNDO_FAILED_TITLE = "Cannot undo or redo"
UNDO_FAILED_TEXT = ("{error}\n\nThe undo history was cleared, because the workspace no longer "
                    "matches it. Nothing else was changed.")

# Background tasks
TASK_CANCEL = "Cancel"
TASK_CANCEL_TIP = "Stop {title}; nothing is saved from a cancelled task"

# Catalog screen
CATALOG_SUMMARY = ("{count} · every value has a source and an as-of date · "
                   "blue rows are local edits, additions or imports")
CATALOG_SEARCH_PLACEHOLDER = "Search name, vendor, licence, source…"
CATALOG_NO_SELECTION = "Select an entry to see every field with its source and as-of date."
CATALOG_OVERRIDE_NOTE = ("Local override of a shipped entry. Revert to shipped restores the "
                         "values that came with the catalog.")
CATALOG_ADDED_NOTE = "Added in this workspace; not part of the shipped catalog."
CATALOG_IMPORTED_NOTE = "Imported from a catalog pack into this workspace."
CATALOG_FIELD_OWN_SOURCE = "source"
CATALOG_CHANGED_FROM_SHIPPED = "changed from the shipped value {shipped}"
CATALOG_MORE_FIELDS = "More from the catalog"
IMPORT_PACK_TITLE = "Import catalog pack"
IMPORT_PACK_FAILED_TITLE = "Cannot import the pack"
IMPORT_PACK_FILTER = "Catalog packs (*.json *.csv);;JSON packs (*.json);;CSV packs (*.csv)"
IMPORT_TASK_TITLE = "Reading {name}"
EXPORT_PACK_TITLE = "Export {kind_label}"
EXPORT_PACK_FAILED_TITLE = "Cannot export the pack"
EXPORT_FILTER_JSON = "JSON pack (*.json)"
EXPORT_FILTER_CSV = "CSV table (*.csv)"
CATALOG_ACTION_FAILED_TITLE = "Cannot change the catalog"

# Catalog entry form
ENTRY_DIALOG_ADD = "Add {kind_singular}"
ENTRY_DIALOG_EDIT = "Edit {kind_singular} — {name}"
ENTRY_DIALOG_DUPLICATE = "Duplicate {kind_singular} — {name}"
ENTRY_DIALOG_INTRO = ("Fields marked * are required. Leave a value empty when no source gives "
                      "it; Enclave never guesses. Units are in the labels.")
ENTRY_DIALOG_OVERRIDE_INTRO = ("This entry ships with Enclave: saving keeps your values as a "
                               "local override, and Revert to shipped brings the shipped ones "
                               "back.")
ENTRY_FIX_FIELDS = "Fix {count} marked in red to save: {fields}"
ENTRY_FILL_IN = "To save, fill in: {fields}"
ENTRY_READY = "Ready to save."
DISCARD_TITLE = "Discard your changes?"
DISCARD_TEXT = "The values typed in this form have not been saved."
FIELD_SOURCES_TITLE = "Per-field sources (a value that comes from a different document)"
FIELD_SOURCES_ADD = "Add a per-field source"
FIELD_SOURCES_REMOVE = "Remove"
FIELD_SOURCE_FIELD = "Field"
FIELD_SOURCE_SOURCE = "Source"
FIELD_SOURCE_AS_OF = "As of"
FIELD_SOURCE_OF = "source of {field}"
EMPTY_MEANS_NULL = "empty = no sourced value"
BOOLEAN_UNKNOWN = "— (no sourced value)"
BOOLEAN_YES = "yes"
BOOLEAN_NO = "no"

# Scenarios screen
SCENARIOS_SUMMARY = "{count} in this workspace. Double-click one to open it."
SCENARIOS_EMPTY = ("No scenarios in this workspace yet. New… (Ctrl+N) creates one; "
                   "the scenario editor fills in its workload, model, hardware and costs.")
SCENARIO_PREVIEW_TITLE = "{name} — stored content (read-only)"
SCENARIOS_EMPTY_PREVIEW = "Select a scenario to see its content."
SCENARIOS_FILTER_PLACEHOLDER = "Filter scenarios by any column…"
SCENARIO_NEW_TITLE = "New scenario"
SCENARIO_RENAME_TITLE = "Rename scenario"
SCENARIO_NAME_LABEL = "Name:"
SCENARIO_NAME_DEFAULT = "New scenario"
SCENARIO_ACTION_FAILED_TITLE = "Cannot change the scenario"

# Report screen
REPORT_INTRO = ("Tick the scenarios and the sections, then preview the PDF summary or export it. "
                "Every figure is computed again from the saved scenarios, with the sources and "
                "dates of the assumptions register.")
REPORT_SCENARIOS = "Scenarios"
REPORT_SECTIONS = "Sections"
REPORT_TITLE_PLACEHOLDER = "Title (default: the scenario's name)"
REPORT_PREVIEW = "Preview"
REPORT_EXPORT_PDF = "Export PDF…"
REPORT_EXPORT_XLSX = "Export tables (XLSX)…"
REPORT_EXPORT_CSV = "Export tables (CSV folder)…"
REPORT_EXPORT_CHARTS = "Export charts (SVG + PNG folder)…"
REPORT_NOTHING_YET = "Choose scenarios and sections, then Preview."
REPORT_CHOOSE_SCENARIO = "Tick at least one scenario for the report"
REPORT_WORKING = "Preparing the report…"
REPORT_EVALUATING = "Evaluating the scenarios"
REPORT_RENDERING = "Rendering the report"
REPORT_LAYING_OUT = "Laying out the pages"
REPORT_PREVIEW_PAGE = "Preview of page {page}"
REPORT_PREVIEW_STATUS = "{pages}, {sections}, {size}"
REPORT_MORE_PAGES = " (the preview shows the first pages; the PDF holds {count} more)"
REPORT_FAILED_TITLE = "Cannot make the report"
REPORT_EXPORT_FAILED_TITLE = "Cannot export"
PDF_FILTER = "PDF documents (*.pdf)"
XLSX_FILTER = "Excel workbooks (*.xlsx)"
# Explorer screen
EXPLORER_SUMMARY = ("Sweeps every accelerator × GPU count × weight format × KV-cache format × "
                    "parallel layout × batch for one workload, and keeps the Pareto front: the "
                    "configurations no other beats on cost per 1M output tokens, TPOT and TTFT "
                    "at once, among those the filters allow.")
EXPLORER_SOURCE_LABEL = "Sweep for:"
EXPLORER_SOURCE_MODEL = "A model and token lengths (no scenario)"
EXPLORER_NO_SCENARIOS = "No scenarios yet: sweep for a model and token lengths"
EXPLORER_WORKLOAD_LABEL = "Workload:"
EXPLORER_MODEL_LABEL = "Model:"
EXPLORER_TOKENS_IN = "Tokens in:"
EXPLORER_TOKENS_OUT = "out:"
EXPLORER_TTFT_TARGET = "TTFT ≤"
EXPLORER_TPOT_TARGET = "TPOT ≤"
EXPLORER_NO_TARGET = "none"
EXPLORER_TARGET_TIP = ("Latency target in ms (the scenario's, until you change it); changing "
                       "it re-filters at once, without sweeping again")
EXPLORER_ENGINE_LABEL = "Engine:"
EXPLORER_ENGINE_ALL = "All engines"
EXPLORER_ENGINE_SCENARIO = "{engine} (the scenario's)"
EXPLORER_RUN = "Run sweep"
EXPLORER_RUN_TIP = "Evaluate every configuration (Ctrl+R); runs in the background, cancellable"
EXPLORER_TASK_TITLE = "Sweeping {model}"
EXPLORER_FILTER_FIT = "Fits in memory"
EXPLORER_FILTER_SLO = "Latency targets:"
EXPLORER_FILTER_PRICED = "Sourced GPU prices only"
EXPLORER_FILTER_PRICED_TIP = ("Leave out accelerators without a purchase price (their GPU-hour "
                              "rate is a rental rate or the fallback; hollow in the chart)")
EXPLORER_FILTER_CONSTRAINTS = "Constraints:"
EXPLORER_CONSTRAINTS_CHOICES = (
    ("allowed", "Allowed"),
    ("clean", "Every rule passes"),
    ("any", "Any (failing flagged)"),
)
EXPLORER_CONSTRAINTS_TIP = ("Allowed: no rule of the site's requirements fails (warnings are "
                            "kept and drawn as triangles). Any: failing options too, drawn as "
                            "crosses, to see what the requirements cost.")
EXPLORER_FILTER_VENDOR = "Vendor:"
EXPLORER_ALL_VENDORS = "All vendors"
EXPLORER_FILTER_MAX_GPUS = "Max GPUs at peak:"
EXPLORER_NO_LIMIT = "no limit"
EXPLORER_EMPTY = ("Pick a scenario (or a model and token lengths) and press Run sweep "
                  "(Ctrl+R). The front appears here as a chart and a table.")
EXPLORER_EMPTY_FRONT = ("No configuration passes the filters. The Excluded tab says why; "
                        "loosen a filter to see more.")
EXPLORER_RESULT = ("{configs} evaluated in {seconds:.2f} s ({rate:,.0f}/s) · {front} on the "
                   "front · {excluded} excluded by the site's requirements")
EXPLORER_RESULT_FOR = "Results for {what}"
EXPLORER_STALE = " — the choices above changed: run the sweep again to update"
EXPLORER_TAB_POINT = "Selected point"
EXPLORER_TAB_EXCLUDED = "Excluded"
EXPLORER_NO_POINT = "Select a point in the chart or the table to see its basis."
EXPLORER_CREATE = "Create scenario from this point"
EXPLORER_CREATE_TIP = ("A copy of the scenario with this accelerator, layout, engine and formats "
                       "(Ctrl+Z undoes it)")
EXPLORER_CREATE_NEEDS_SCENARIO = "Sweep for a scenario to create a scenario from a point"
EXPLORER_CREATED = "Created {name} (Ctrl+Z undoes it)"
EXPLORER_CREATE_FAILED_TITLE = "Cannot create the scenario"
EXPLORER_SCENARIO_INVALID = "{name}: cannot be swept yet ({error})"
EXPLORER_STATUS_TEXT = ("pass", "warn", "fail")
EXPLORER_AXIS_COST = "Cost per 1M output tokens"
EXPLORER_AXIS_TPOT = "TPOT"
EXPLORER_AXIS_TTFT = "TTFT (ms)"
EXPLORER_LEGEND_PASS = "every rule passes"
EXPLORER_LEGEND_WARN = "allowed with warnings"
EXPLORER_LEGEND_FAIL = "fails a rule"
EXPLORER_LEGEND_ESTIMATED = "hollow: GPU price estimated"
EXPLORER_LEGEND_TRADEOFF = "cost–TPOT trade-off"
EXPLORER_TIP = ("{name}\n{gpus} GPUs (tp {tp} × pp {pp}), {weights}/{kv}, {engine}, batch {batch}"
                "\n${cost:,.2f} per 1M output tokens{estimated}\nTPOT {tpot:,.1f} ms · "
                "TTFT {ttft:,.0f} ms\n{tokens:,.0f} tokens/s · {fleet:,} GPUs at peak · "
                "constraints: {status}")
# Validation screen and benchmark import
VALIDATION_SUMMARY = ("{published} published measurements from {sources} sources"
                      "{site}, predicted with {factors}")
VALIDATION_SITE_POINTS = " and {count} from this site's benchmark logs"
VALIDATION_LOADING = "Predicting every measurement with this workspace's factors…"
VALIDATION_TASK_TITLE = "Predicting the measurements"
VALIDATION_AXIS_MEASURED = "Measured {metric}"
VALIDATION_AXIS_PREDICTED = "Predicted {metric}"
VALIDATION_NO_POINTS = "No measurements of this metric match the filters"
VALIDATION_ALL = "All {what}"
VALIDATION_DETAIL_EMPTY = ("Hover a point for its source; click it to keep its details here. "
                           "Lines: measured = predicted, ±25 % (dashed) and 2× (dotted).")
VALIDATION_SHOW_BEFORE = "Show site points with the shipped factors too"
VALIDATION_TABLE_TITLE = "Error by source and metric ({count} points shown)"
VALIDATION_UNRESOLVED = "{count} not predicted (the catalog cannot resolve them): {examples}"
IMPORT_BENCH_ACTION = "Import benchmark results…"
IMPORT_BENCH_TITLE = "Import benchmark results"
IMPORT_BENCH_INTRO = (
    "Reads vLLM bench serve / benchmark_serving.py results (JSON), llama-bench output "
    "(JSON, JSONL, CSV or markdown) and CSVs in the estimate column format with metric and "
    "value. A log records the load and the figures; give here what it does not say. Left on "
    "“from the log”, a field is read from the log where the log records it.")
IMPORT_BENCH_FILE_FILTER = ("Benchmark logs (*.json *.jsonl *.csv *.md *.txt);;All files (*)")
IMPORT_BENCH_CHOOSE = "Choose a benchmark log"
IMPORT_BENCH_NO_FILE = "choose the benchmark log to import"
IMPORT_BENCH_NOT_FOUND = "{path}: does not exist"
IMPORT_BENCH_FROM_LOG = "— from the log —"
IMPORT_BENCH_DEFAULT_HINT = "empty = default"
IMPORT_BENCH_TASK_TITLE = "Importing {name}"
IMPORT_BENCH_RUNNING = "Reading {name} and refitting…"
IMPORT_BENCH_DONE_TITLE = "Benchmark results imported"
IMPORT_BENCH_FAILED = "Fix the marked field to import."
STATUS_CALIBRATED = "Imported {count} from {name}; {groups} (Ctrl+Z undoes it)"
# Scenario bundles
IMPORT_BUNDLE_TITLE = "Import scenarios"
IMPORT_BUNDLE_FILTER = ("Scenario bundles and files (*.enclave.zip *.enclave.json *.json *.zip);;"
                        "All files (*)")
IMPORT_BUNDLE_FAILED_TITLE = "Cannot import the scenarios"
IMPORT_BUNDLE_WARNINGS_TITLE = "Imported, with notes"
EXPORT_BUNDLE_TITLE = "Export scenarios"
EXPORT_BUNDLE_FAILED_TITLE = "Cannot export the scenarios"
BUNDLE_FILTER_ZIP = "Scenario bundle (*.enclave.zip)"
BUNDLE_FILTER_JSON = "Scenario bundle, one JSON document (*.enclave.json)"
SCENARIO_FILE_FILTER = "One scenario file (*.json)"
CLASH_TITLE = "Scenario names already in use"
CLASH_TEXT = ("{count} in {name} have the names of scenarios in this workspace. Import them "
              "under new names, replace the existing ones, or skip them?")
CLASH_MORE = "… and {count} more"
CLASH_RENAME = "Import with new names"
CLASH_REPLACE = "Replace existing"
CLASH_SKIP = "Skip those"

# About
ABOUT_TITLE = "About Enclave"
ABOUT_TAGLINE = "Plans self-hosted LLM deployments on secure workstations."
ABOUT_OFFLINE_HEADING = "Offline, always"
ABOUT_OFFLINE = (
    "Enclave never connects to a network. It makes no internet requests, sends no telemetry, "
    "checks for no updates and downloads no models. Everything it knows ships with it or is "
    "typed in by you, and everything you enter stays in your workspace file on this computer."
)
ABOUT_FONTS = ("Text is set in the DejaVu fonts, shipped with Enclave so that screens and "
               "reports look the same everywhere. DejaVu is free software: Bitstream Vera "
               "licence with public-domain changes (see the full licence below).")
ABOUT_SHOW_LICENCE = "Show the font licence"

# Charts
CHART_EXPORT_PNG = "Export as PNG image…"
CHART_EXPORT_SVG = "Export as SVG vector image…"
CHART_EXPORT_TITLE = "Export chart"
CHART_EXPORT_FAILED_TITLE = "Cannot export the chart"
CHART_PNG_FILTER = "PNG image (*.png)"
CHART_SVG_FILTER = "SVG vector image (*.svg)"
STATUS_CHART_EXPORTED = "Saved the chart as {path}"
CHART_MENU_TIP = "Export this chart (also on right-click)"

# Scenario editor
EDITOR_ADD_WORKLOAD = "Add workload ▾"
EDITOR_REMOVE_WORKLOAD = "Remove this workload"
EDITOR_NOT_IN_CATALOG = "'{value}' is not in the catalog: pick an entry from the list"
EDITOR_WORKLOAD_SECTION = "{kind} settings"
EDITOR_MISSING_COST = ("needed for the costs: the catalog has no sourced value for it, so "
                      "enter yours")
RANGES_EMPTY = ("No ranges yet. Give uncertain inputs a low and a high value: the dashboard "
                "then shows P10–P90 bands, the tornado and the TCO distribution.")
RANGE_ADD = "Add a range"
RANGE_PICK_PLACEHOLDER = "Input to give a range…"
RANGE_PICK_FIRST = "Pick an input from the list first."
RANGE_REMOVE_TIP = "Remove this range (the input keeps its value)"

# Dashboard
DASHBOARD_NO_SCENARIO = ("No scenario open. Pick one above, double-click one on the Scenarios "
                         "screen, or create one with New from template… (Ctrl+N on Scenarios).")
DASHBOARD_PICK_SCENARIO = "Scenario:"
DASHBOARD_EVALUATING = "Evaluating {name}"
DASHBOARD_FULL_TASK = "Evaluating {name} with {draws} draws"
DASHBOARD_FULL = "Full precision"
DASHBOARD_FULL_TIP = ("Re-run the Monte Carlo with {draws} draws (editing uses {editing} for "
                      "speed); Cancel in the status bar stops it")
DASHBOARD_HIDE_EDITOR = "Hide editor"
DASHBOARD_SHOW_EDITOR = "Show editor"
DASHBOARD_STATUS = "Evaluated with {draws} Monte Carlo draws in {ms} ms"
DASHBOARD_STATUS_STALE = "Showing the last results that could be evaluated"
DASHBOARD_PROBLEM = "Not evaluated — {field}: {rule}"
DASHBOARD_PROBLEM_HINT = "Fix the field marked in red in the editor; results update at once."
DASHBOARD_NOTES = "Notes ({count})"
DASHBOARD_CONSTRAINTS = "Constraint checks: {passed} pass · {warned} warn · {failed} fail"
DASHBOARD_NO_CONSTRAINTS = "Constraint checks: none apply to this scenario"
DASHBOARD_CHART_WORKLOAD = "Memory and load of:"
DASHBOARD_WORKLOADS = "Workloads and shared fleet:"
DASHBOARD_POOL_FACTS = "The shared fleet"

# New scenario from a template
NEW_SCENARIO_TEMPLATE = "Use case:"
NEW_SCENARIO_MODEL = "Model:"
NEW_SCENARIO_ACCELERATOR = "Accelerator:"
NEW_SCENARIO_HINT = ("The use case fills in typical requests, token lengths, peak and latency "
                     "targets (labelled as assumptions): replace them with your site's figures "
                     "in the editor. Prices the catalog has no source for are left for you.")

# Compare
COMPARE_HINT = "Tick two to four scenarios to compare them side by side."
COMPARE_PICK = "Scenarios to compare (two to four):"
COMPARE_TOO_MANY = "At most {count} scenarios at a time: untick one first."
COMPARE_TASK = "Comparing scenarios"
COMPARE_RUNNING = "Evaluating {count} scenarios…"
COMPARE_SUMMARY = ("{count} scenarios, {draws} Monte Carlo draws each. Differences are from "
                   "the first column.")
COMPARE_LEGEND = ("Green: the best value of the row; red: the worst (by the KPI's direction: "
                  "lower cost and latency, higher throughput and probability).")
COMPARE_BEST = "Best of the compared scenarios ({direction} is better)"
COMPARE_WORST = "Worst of the compared scenarios ({direction} is better)"
