"""Shared random inputs of hidden tests: every rate defined, the rates asked for."""

from __future__ import annotations

import numpy as np

from course_tools.grading.checks import binomial_ok
from course_tools.grading.inputs import group_confusion


def test_every_cell_of_the_confusion_matrix_is_filled_whatever_the_draw():
    for seed in range(50):
        rng = np.random.default_rng(seed)
        y, p = group_confusion(rng, int(rng.integers(4, 30)), 0.0, 1.0, 0.0)
        assert {(a, b) for a, b in zip(y[:4], p[:4], strict=True)} == {
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
        }
        assert set(np.unique(y)) <= {0, 1} and set(np.unique(p)) <= {0, 1}


def test_the_draws_have_the_rates_asked_for():
    """Exact binomial tests at 1e-9 each, three of them: a false failure once in 300 million."""
    y, p = group_confusion(np.random.default_rng(7), 200_004, 0.3, 0.8, 0.2)
    y, p = y[4:], p[4:]
    assert len(y) == 200_000
    assert binomial_ok(int(y.sum()), y.size, 0.3, 1e-9)
    assert binomial_ok(int(p[y == 1].sum()), int((y == 1).sum()), 0.8, 1e-9)
    assert binomial_ok(int(p[y == 0].sum()), int((y == 0).sum()), 0.2, 1e-9)
    # Power: the same counts do not fit rates two points off.
    assert not binomial_ok(int(y.sum()), y.size, 0.32, 1e-9)
    assert not binomial_ok(int(p[y == 1].sum()), int((y == 1).sum()), 0.78, 1e-9)
