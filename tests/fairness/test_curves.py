"""Tests for course_lib.fairness._curves (the trade-off curves' upper hulls).

The curves themselves are checked against fairlearn through
:class:`~course_lib.fairness.ThresholdOptimizer` in test_threshold_optimizer.py.
"""

from __future__ import annotations

import numpy as np

from course_lib.fairness._curves import _upper_hulls


def _monotone_chain(x, y):
    """fairlearn's upper hull, one point at a time (the reference)."""
    kept: list[int] = []
    for i in range(len(x)):
        while len(kept) >= 2:
            a, b = kept[-2], kept[-1]
            if (y[b] - y[a]) * (x[i] - x[a]) <= (y[i] - y[a]) * (x[b] - x[a]):
                kept.pop()
            else:
                break
        kept.append(i)
    return kept


def test_upper_hulls_match_the_monotone_chain():
    rng = np.random.default_rng(9)
    m = 3000
    # A long concave run ending below a high point: the case that needs the
    # far-partner rounds (plain neighbour rounds would remove one per round).
    concave = np.sqrt(np.linspace(0, 0.9, m)) * 0.5
    cases = [
        (np.r_[np.linspace(0, 0.9, m), 1.0], np.r_[concave, 1.0]),
        (np.linspace(0, 1, 50), np.round(rng.random(50), 1)),  # ties, collinear
        (np.linspace(0, 1, 7), np.linspace(0, 1, 7)),  # all collinear
        (
            np.r_[0.0, 0.0, np.sort(rng.random(500)), 1.0],
            np.r_[0.0, 0.3, rng.random(500), 1.0],
        ),  # two points at x = 0
    ]
    for x, y in cases:
        order = np.lexsort((y, x))
        x, y = x[order], y[order]
        group = np.zeros(len(x), dtype=np.intp)
        expected = _monotone_chain(x, y)
        np.testing.assert_array_equal(_upper_hulls(group, x, y), expected)
        # Several groups at once give each group its own hull.
        both = _upper_hulls(np.r_[group, group + 1], np.r_[x, x], np.r_[y, y])
        np.testing.assert_array_equal(both, np.r_[expected, np.add(expected, len(x))])
