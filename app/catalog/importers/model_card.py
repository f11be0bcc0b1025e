"""The licence named in a Hugging Face model card's YAML front matter (`README.md`).

Model cards start with `---`, YAML metadata, `---`. Only the top-level scalar keys `license`,
`license_name` and `license_link` are read (first 64 KiB, line by line, no YAML library):
enough to record the licence a local copy declares, never more than it says.
"""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 64 * 1024
KEYS = ("license", "license_name", "license_link")


def card_licence(folder: Path) -> dict[str, str]:
    """{key: value} for the licence keys found in `folder/README.md`, else {}."""
    path = folder / "README.md"
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return {}
    lines = head.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    found: dict[str, str] = {}
    for line in lines[1:]:
        if line.strip() == "---":
            return found
        key, sep, value = line.partition(":")
        value = value.strip().strip("'\"").strip()
        if sep and key in KEYS and value and not line.startswith((" ", "\t")):
            found[key] = value[:200]
    return {}  # no closing `---`: not front matter
