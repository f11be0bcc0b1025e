"""Test-wide guards: headless Qt, a private data folder, and no network, ever.

Any attempt to open an internet socket fails the test that made it (the suite also runs inside
`unshare -n` in CI, which covers code that bypasses Python's socket module).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_INTERNET = {socket.AF_INET, socket.AF_INET6}
NETWORK_ATTEMPTS: list[str] = []


class _GuardedSocket(socket.socket):
    def connect(self, address: object) -> None:
        if self.family in _INTERNET:
            NETWORK_ATTEMPTS.append(f"connect {address!r}")
            raise OSError(f"Enclave tests forbid network connections (tried {address!r})")
        super().connect(address)  # type: ignore[arg-type]

    def connect_ex(self, address: object) -> int:
        if self.family in _INTERNET:
            NETWORK_ATTEMPTS.append(f"connect_ex {address!r}")
            raise OSError(f"Enclave tests forbid network connections (tried {address!r})")
        return super().connect_ex(address)  # type: ignore[arg-type]

    def bind(self, address: object) -> None:
        if self.family in _INTERNET:
            NETWORK_ATTEMPTS.append(f"bind {address!r}")
            raise OSError(f"Enclave tests forbid network sockets (tried to bind {address!r})")
        super().bind(address)  # type: ignore[arg-type]


socket.socket = _GuardedSocket  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own user data folder, so nothing touches the real one."""
    home = tmp_path_factory.mktemp("enclave-home")
    monkeypatch.setenv("ENCLAVE_HOME", str(home))
    yield home
