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
SCENARIO_NAME_TAKEN = "name: a scenario called '{name}' already exists"
SCENARIO_NAME_EMPTY = "name: must not be empty"

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
