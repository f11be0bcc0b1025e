"""How an Enclave workspace file identifies itself."""

from __future__ import annotations

APPLICATION_ID = 0x454E434C  # "ENCL", in PRAGMA application_id
SQLITE_MAGIC = b"SQLite format 3\x00"
