"""Array types and unit constants shared by the engine modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]

GIB = float(2**30)  # bytes in a GiB
