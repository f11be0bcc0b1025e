"""A bounded, hashing reader for binary headers.

Every read states how many bytes it needs; a read that would run past the end of the file is
refused with the file's name, before anything is allocated for it. The bytes read are hashed
(SHA-256), so the caller gets a fingerprint of exactly the header it parsed.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from app.catalog.importers.errors import HEADER_TOO_LARGE, TRUNCATED, UNREADABLE, fail

_CHUNK = 1 << 20
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")


class BoundedReader:
    """Sequential little-endian reads from the start of a file, never past its end."""

    def __init__(self, path: Path, label: str, limit: int | None = None) -> None:
        self.label = label
        self.limit = limit
        try:
            self._handle: BinaryIO = path.open("rb")
            self.size = path.stat().st_size
        except OSError as exc:
            fail(label, UNREADABLE, reason=exc.strerror or type(exc).__name__)
        self.pos = 0
        self._hash = hashlib.sha256()

    def __enter__(self) -> BoundedReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._handle.close()

    @property
    def remaining(self) -> int:
        return self.size - self.pos

    def sha256(self) -> str:
        """Hex SHA-256 of every byte read so far."""
        return self._hash.hexdigest()

    def read(self, count: int, what: str) -> bytes:
        """Exactly `count` bytes, or `ModelFileError` naming `what` if the file ends first."""
        self._check(count, what)
        data = self._handle.read(count)
        if len(data) != count:  # the file shrank while we read it
            fail(self.label, TRUNCATED, what=what, need=count, at=self.pos, size=self.size)
        self.pos += count
        self._hash.update(data)
        return data

    def skip(self, count: int, what: str) -> None:
        """Read past `count` bytes in small chunks (hashed, never held in memory at once)."""
        self._check(count, what)
        while count:
            chunk = self.read(min(count, _CHUNK), what)
            count -= len(chunk)

    def _check(self, count: int, what: str) -> None:
        if count < 0 or count > self.remaining:
            fail(self.label, TRUNCATED, what=what, need=count, at=self.pos, size=self.size)
        if self.limit is not None and self.pos + count > self.limit:
            fail(self.label, HEADER_TOO_LARGE, limit=self.limit // (1 << 20))

    def u32(self, what: str) -> int:
        value: int = _U32.unpack(self.read(4, what))[0]
        return value

    def u64(self, what: str) -> int:
        value: int = _U64.unpack(self.read(8, what))[0]
        return value
