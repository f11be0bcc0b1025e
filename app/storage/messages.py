"""Every message the workspace layer shows a user, declared once.

Tests match these by name (`messages.READ_ONLY_WRITE`), so wording can change in one place.
Placeholders are filled with `str.format`; `{path}` is always the workspace or backup file.
"""

from __future__ import annotations

# Why a workspace is open read-only (fills `{reason}` below).
REASON_REQUESTED = "you asked to open it read-only"
REASON_FILE_READ_ONLY = "the file is read-only"
REASON_FOLDER_READ_ONLY = "its folder is read-only"
REASON_OPEN_ELSEWHERE = "it is open for editing in another Enclave window or process{holder}"
REASON_DAMAGED = "it failed its integrity check, so some data may be missing"

NOTICE_READ_ONLY = (
    "Opened read-only because {reason}. Changes cannot be saved here; "
    "use \u201cSave a copy as\u2026\u201d to edit a copy."
)
NOTICE_TEMPORARY_COPY = (
    " It is shown from a temporary copy because its folder cannot hold SQLite's journal files."
)
READ_ONLY_WRITE = "This workspace is open read-only ({reason}); save a copy to edit"
BUSY = (
    "{path}: is busy: another program kept it locked for more than {timeout_s:g} s; "
    "try again, or close the other program"
)

# Opening.
IS_FOLDER = "{path}: is a folder, not a workspace file"
CANNOT_READ = "{path}: cannot be read ({detail})"
NOT_SQLITE = "{path}: is not an Enclave workspace (not an SQLite file)"
FOREIGN = "{path}: is an SQLite file of another program, not a workspace"
NEWER = (
    "{path}: was saved by a newer Enclave (workspace version {found}, this version reads up to "
    "{supported}); it was not opened or changed"
)
OLDER_READ_ONLY = (
    "{path}: was saved by an older Enclave (workspace version {found}) and must be upgraded, "
    "but {reason}; copy it to a writable folder first"
)
CANNOT_CREATE = "{path}: cannot be created ({detail})"
CANNOT_OPEN = "{path}: cannot be opened ({detail})"
UPGRADE_FAILED = "{path}: could not be upgraded ({detail}); it was left as it was"
UPGRADE_BACKUP_FAILED = (
    "{path}: was not upgraded because the backup before the upgrade could not be written "
    "({detail}); it was left as it was"
)
ROUTINE_BACKUP_FAILED = "The routine backup could not be written ({detail}); work is not affected."
DAMAGED = "{path}: is damaged ({detail}). {options}"
DAMAGED_OPTIONS = (
    "You can restore a backup ({backups}), open it read-only to look at what is readable, "
    "or salvage its readable data into a new workspace."
)
DAMAGED_TEXT = "it holds text that is not valid UTF-8"
DAMAGED_NO_BACKUPS = "none found in {folder}"
DAMAGED_BACKUPS = "{count} in {folder}, newest {newest}"

# Backups, restore, copies.
BACKUP_INVALID = "{path}: is not a usable backup ({detail})"
RESTORE_FAILED = "{path}: could not be restored ({detail}); it was left as it was"
REPLACE_OPEN_ELSEWHERE = (
    "{path}: is open in another Enclave window or process; close it before replacing the file"
)
COPY_EXISTS = "{path}: already exists; choose another name"
COPY_IS_WORKSPACE = "{path}: is the open workspace itself; choose another file"
COPY_FAILED = "{path}: the copy could not be written ({detail})"
SALVAGE_UNREADABLE = "{path}: nothing can be salvaged: its table list is unreadable ({detail})"

# Scenarios.
SCENARIO_NAME_EMPTY = "name: must not be empty"
SCENARIO_NAME_TOO_LONG = "name: must be at most {limit} characters"
SCENARIO_NAME_TAKEN = "name: a scenario called '{name}' already exists"
SCENARIO_MISSING = "scenario #{id}: does not exist in this workspace"
