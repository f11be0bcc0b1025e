"""The image-baseline helper the chart tests use (and one real baseline: the state badge)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from app.ui.style import STATE_COLOURS
from app.ui.views.state_badge import paint_badge
from tests.ui.image_compare import (
    FAILURES_ENV,
    UPDATE_ENV,
    assert_image_matches,
    image_to_array,
)


def _picture(shade: int = 200, spot: bool = False) -> QImage:
    image = QImage(40, 30, QImage.Format.Format_RGBA8888)
    image.fill(QColor(shade, shade, shade))
    if spot:
        painter = QPainter(image)
        try:
            painter.fillRect(0, 0, 10, 10, QColor("red"))
        finally:
            painter.end()
    return image


def test_matching_and_near_matching_images_pass(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    assert_image_matches(_picture(), "grey", baselines=tmp_path)
    monkeypatch.delenv(UPDATE_ENV)
    assert (tmp_path / "grey.png").exists()
    assert assert_image_matches(_picture(), "grey", baselines=tmp_path).differing_fraction == 0
    assert assert_image_matches(_picture(205), "grey", baselines=tmp_path).max_channel_delta == 5


def test_a_different_image_fails_and_leaves_a_diff(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    assert_image_matches(_picture(), "grey", baselines=tmp_path)
    monkeypatch.delenv(UPDATE_ENV)
    monkeypatch.setenv(FAILURES_ENV, str(tmp_path / "failures"))
    with pytest.raises(pytest.fail.Exception, match=r"8\.333% of pixels beyond ±16"):
        assert_image_matches(_picture(spot=True), "grey", baselines=tmp_path)
    diff = image_to_array(QImage(str(tmp_path / "failures" / "grey" / "diff.png")))
    assert (diff[..., 0] == 255).sum() >= 100 and (diff[:10, :10, 1] == 0).all()
    assert assert_image_matches(_picture(spot=True), "grey", baselines=tmp_path,
                                max_differing_fraction=0.1).differing_fraction == pytest.approx(
                                    100 / 1200)
    with pytest.raises(pytest.fail.Exception, match="is 20×30 px, baseline is 40×30 px"):
        assert_image_matches(_picture().copy(0, 0, 20, 30), "grey", baselines=tmp_path)
    with pytest.raises(pytest.fail.Exception, match="no baseline"):
        assert_image_matches(_picture(), "missing", baselines=tmp_path)


def test_image_to_array_reads_rgba_rows() -> None:
    array = image_to_array(_picture(spot=True))
    assert array.shape == (30, 40, 4)
    assert tuple(array[0, 0]) == (255, 0, 0, 255)
    assert tuple(array[29, 39]) == (200, 200, 200, 255)
    assert array.dtype == np.uint8


def test_override_badge_looks_as_approved() -> None:
    image = QImage(120, 28, QImage.Format.Format_RGBA8888)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setFont(QFont("DejaVu Sans", 9))
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        paint_badge(painter, QRectF(0, 0, 120, 28), "override", STATE_COLOURS["override"])
    finally:
        painter.end()
    assert image.pixelColor(10, 14) == QColor(STATE_COLOURS["override"])
    assert image.pixelColor(115, 14) == QColor(Qt.GlobalColor.white)
    assert_image_matches(image, "state-badge-override")
