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
SCENARIO_NAME_TAKEN = "name: a scenario called '{name}' already exists"
SCENARIO_NAME_EMPTY = "name: must not be empty"

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
