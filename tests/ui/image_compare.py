"""Compare a rendered image with a baseline PNG, with a tolerance (STYLE rule 9).

Usage in a test (charts: render at a fixed size, device pixel ratio 1, shipped fonts):

    from tests.ui.image_compare import assert_image_matches
    assert_image_matches(chart.grab().toImage(), "tco-chart")

`tests/ui/baselines/<name>.png` is the expected picture. A pixel differs when any RGBA channel
differs by more than `pixel_tolerance` (0-255); the test fails when more than
`max_differing_fraction` of the pixels differ, or the sizes differ. On failure the actual image,
the baseline and a diff (differing pixels in red over a faded copy) are written to
`$ENCLAVE_IMAGE_FAILURES` (default: `<tmp>/enclave-image-failures/<name>/`) and the message
gives the numbers and the folder.

`ENCLAVE_UPDATE_BASELINES=1 pytest ...` writes the current rendering as the new baseline instead
of comparing (look at the PNGs before committing them). A missing baseline fails with that hint.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PySide6.QtGui import QImage

BASELINES = Path(__file__).resolve().parent / "baselines"
UPDATE_ENV = "ENCLAVE_UPDATE_BASELINES"
FAILURES_ENV = "ENCLAVE_IMAGE_FAILURES"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Comparison:
    """How two images differ: `differing_fraction` of pixels beyond the tolerance, the
    largest channel difference seen, and whether the sizes match at all."""

    size_matches: bool
    differing_fraction: float
    max_channel_delta: int
    mask: NDArray[np.bool_] | None = None


def image_to_array(image: QImage) -> NDArray[np.uint8]:
    """(height, width, 4) RGBA bytes of a QImage (copied, so the image can go away)."""
    rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
    height, width = rgba.height(), rgba.width()
    buffer = np.frombuffer(rgba.constBits(), dtype=np.uint8, count=rgba.sizeInBytes())
    rows = buffer.reshape(height, rgba.bytesPerLine())
    return rows[:, : width * 4].reshape(height, width, 4).copy()


def compare_arrays(actual: NDArray[np.uint8], expected: NDArray[np.uint8],
                   pixel_tolerance: int) -> Comparison:
    if actual.shape != expected.shape:
        return Comparison(False, 1.0, 255)
    delta = np.abs(actual.astype(np.int16) - expected.astype(np.int16)).max(axis=2)
    mask = delta > pixel_tolerance
    return Comparison(True, float(mask.mean()) if mask.size else 0.0, int(delta.max(initial=0)),
                      mask)


def _diff_image(actual: NDArray[np.uint8], mask: NDArray[np.bool_]) -> QImage:
    faded = (actual.astype(np.float32) * 0.3 + 255 * 0.7).astype(np.uint8)
    faded[..., 3] = 255
    faded[mask] = (255, 0, 0, 255)
    height, width = mask.shape
    data = np.ascontiguousarray(faded)
    return QImage(data.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


def failures_dir(name: str) -> Path:
    root = Path(os.environ.get(FAILURES_ENV) or Path(tempfile.gettempdir())
                / "enclave-image-failures")
    return root / name


def assert_image_matches(image: QImage, name: str, *, pixel_tolerance: int = 16,
                         max_differing_fraction: float = 0.002,
                         baselines: Path = BASELINES) -> Comparison:
    """Fail the test unless `image` matches `baselines/<name>.png` within the tolerance."""
    if not _NAME.match(name):
        raise ValueError(f"baseline name {name!r}: use lower-case letters, digits, - and _")
    if image.isNull():
        pytest.fail(f"image for baseline '{name}' is empty (was the widget laid out and shown?)")
    baseline = baselines / f"{name}.png"
    if os.environ.get(UPDATE_ENV) == "1":
        baselines.mkdir(parents=True, exist_ok=True)
        if not image.save(str(baseline)):
            pytest.fail(f"could not write baseline {baseline}")
        return Comparison(True, 0.0, 0)
    if not baseline.exists():
        pytest.fail(f"no baseline {baseline}; render it with {UPDATE_ENV}=1, look at it, "
                    "and commit it")
    expected_image = QImage(str(baseline))
    actual = image_to_array(image)
    expected = image_to_array(expected_image)
    result = compare_arrays(actual, expected, pixel_tolerance)
    if result.size_matches and result.differing_fraction <= max_differing_fraction:
        return result
    folder = failures_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    image.save(str(folder / "actual.png"))
    expected_image.save(str(folder / "expected.png"))
    if result.mask is not None:
        _diff_image(actual, result.mask).save(str(folder / "diff.png"))
    if not result.size_matches:
        pytest.fail(f"image '{name}' is {image.width()}×{image.height()} px, baseline is "
                    f"{expected_image.width()}×{expected_image.height()} px; see {folder}")
    pytest.fail(f"image '{name}' differs from its baseline: {result.differing_fraction:.3%} of "
                f"pixels beyond ±{pixel_tolerance} (allowed {max_differing_fraction:.3%}), "
                f"largest channel difference {result.max_channel_delta}; see {folder}")
