"""Render resources/icons/enclave.svg to the PNG sizes desktops ask for (uses Qt's SVG renderer).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

Run it after editing the SVG and commit the PNGs; tests/packaging checks they are all there.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter on QImage needs an application
    renderer = QSvgRenderer(str(ICONS / "enclave.svg"))
    if not renderer.isValid():
        print("render_icons: enclave.svg is not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
        finally:
            painter.end()
        out = ICONS / f"enclave-{size}.png"
        if not image.save(str(out), "PNG"):
            print(f"render_icons: could not write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out.relative_to(ICONS.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
