"""Argument checks shared by every randomised part of the library."""

from __future__ import annotations

from typing import Any

import numpy as np


def check_rng(rng: Any) -> np.random.Generator:
    """Return ``rng`` if it is a numpy Generator; else raise a TypeError that says so.

    Examples
    --------
    >>> import numpy as np
    >>> isinstance(check_rng(np.random.default_rng(0)), np.random.Generator)
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (e.g. "
            f"numpy.random.default_rng(0)); got {type(rng).__name__}"
        )
    return rng
