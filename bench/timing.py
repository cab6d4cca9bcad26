"""The one timing rule of the library benchmarks: warm up once, report the median."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Warm up once, then return (median seconds over ``repeats``, result)."""
    result = func()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
