"""Tests for course_lib.fairness._moments: exact agreement with fairlearn 0.15.

Data: tests/fairness/reductions_data.py.
"""

from __future__ import annotations

import warnings

import fairlearn.reductions as flr
import numpy as np
import pandas as pd
import pytest

import course_lib.fairness as cr

from .reductions_data import adult_subsample


@pytest.fixture(scope="module")
def data() -> dict:
    return adult_subsample()


# --------------------------------------------------------------------------
# Moments: exact agreement with fairlearn's arithmetic
# --------------------------------------------------------------------------

MOMENTS = [
    "DemographicParity",
    "EqualizedOdds",
    "TruePositiveRateParity",
    "FalsePositiveRateParity",
    "ErrorRateParity",
]


@pytest.mark.parametrize("name", MOMENTS)
@pytest.mark.parametrize("kw", [{}, {"ratio_bound": 0.8, "ratio_bound_slack": 0.01}])
def test_moment_matches_fairlearn(data, name, kw):
    rng = np.random.default_rng(1)
    X, y, s = data["X"][:3000], data["y"][:3000], data["race"][:3000]
    pred = rng.random(3000)
    ours = getattr(cr, name)(**kw)._load(y, s)
    theirs = getattr(flr, name)(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.load_data(X, y, sensitive_features=s)
    assert list(ours.index) == list(theirs.index)
    np.testing.assert_allclose(
        ours.gamma(pred), theirs.gamma(lambda _: pred).to_numpy(), atol=1e-12
    )
    np.testing.assert_allclose(ours.bound(), theirs.bound().to_numpy())
    lam = rng.random(len(ours.index)) * 3
    lam_s = pd.Series(lam, index=theirs.index)
    np.testing.assert_allclose(
        ours.signed_weights(lam),
        theirs.signed_weights(lam_s).to_numpy(),
        rtol=1e-10,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        ours.project_lambda(lam),
        theirs.project_lambda(lam_s).to_numpy(dtype=float),
        atol=1e-12,
    )


def test_moment_parameter_errors():
    with pytest.raises(ValueError, match="only one of difference_bound"):
        cr.DemographicParity(difference_bound=0.1, ratio_bound=0.8)
    with pytest.raises(
        ValueError, match=r"ratio_bound must be a finite number in \(0, 1\]; got 1.5"
    ):
        cr.EqualizedOdds(ratio_bound=1.5)
    with pytest.raises(ValueError, match="difference_bound must be"):
        cr.DemographicParity(difference_bound=-0.1)
    with pytest.raises(TypeError, match="ratio_bound must be a real number; got str"):
        cr.DemographicParity(ratio_bound="0.8")
    with pytest.raises(ValueError, match="costs must be"):
        cr.ErrorRate(costs={"fp": -1.0, "fn": 1.0})
    assert cr.DemographicParity().eps == 0.01
