"""User-facing messages: declared once in app/ui/messages.py, well-formed, and all in use."""

from __future__ import annotations

import string
from pathlib import Path

from app.ui import messages

ROOT = Path(__file__).resolve().parents[2]


def _declared() -> dict[str, str]:
    return {name: value for name, value in vars(messages).items()
            if name.isupper() and isinstance(value, str)}


def test_messages_are_non_empty_and_their_placeholders_parse() -> None:
    declared = _declared()
    assert len(declared) > 50
    for name, text in declared.items():
        assert text.strip(), name
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        assert all(f.isidentifier() for f in fields if f), (name, fields)


def test_every_message_is_used_by_the_app() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "app" / "ui").rglob("*.py")
                        if p.name != "messages.py")
    unused = [name for name in _declared() if f"messages.{name}" not in sources]
    assert unused == []


def test_count_noun() -> None:
    assert messages.count_noun(1, "scenario") == "1 scenario"
    assert messages.count_noun(0, "scenario") == "0 scenarios"
    assert messages.count_noun(1200, "server platform") == "1,200 server platforms"
