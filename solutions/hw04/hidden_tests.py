"""Hidden tests of homework 4 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw04.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises. Part 5 is checked by
properties (the constraint within its slack, and no domination by the
reference mixture), not by one exact answer. Everything here is
deterministic: no check depends on a random draw of the student's code.
See ``course_lib.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib.fairness import DemographicParity, ExponentiatedGradient
from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values

TOL = 1e-9
SLACK = 0.005  # allowed constraint violation above eps in part 5 (stated publicly)
ERROR_MARGIN = 0.01  # allowed excess error over the reference mixture (stated publicly)


def _floats(value, what: str, n: int | None = None) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail(f"{what} must be an array of numbers") from error
    if arr.ndim != 1 or (n is not None and len(arr) != n):
        shape = "(n,)" if n is None else f"({n},)"
        raise Fail(
            f"{what} must be a 1-D array of shape {shape}; got shape {arr.shape}"
        )
    return arr


def _pair(value, what: str) -> tuple:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise Fail(f"{what} must return a tuple of two arrays")
    return value[0], value[1]


def _close(got, want) -> bool:
    return bool(np.allclose(got, want, rtol=1e-9, atol=TOL))


# --------------------------------------------------------------------------
# Inputs shared by parts 1 and 2
# --------------------------------------------------------------------------


@functools.cache
def label_group_inputs() -> list[tuple]:
    rng = np.random.default_rng(20261121)
    n = 300
    g3 = rng.choice(np.array(["x", "y", "z"]), n, p=[0.5, 0.3, 0.2])
    y3 = (rng.random(n) < np.select([g3 == "x", g3 == "y"], [0.6, 0.3], 0.15)).astype(
        int
    )
    g_num = rng.integers(0, 2, 80)
    y_num = np.r_[[0, 1, 0, 1], rng.integers(0, 2, 76)]
    g_num[:4] = [0, 0, 1, 1]
    return [
        ([1, 1, 1, 0, 1, 0, 0, 0], ["a", "a", "a", "a", "b", "b", "b", "b"]),
        ([1, 0, 1, 0], ["a", "a", "b", "b"]),
        (y3, g3),
        (list(y_num), list(g_num)),
    ]


# --------------------------------------------------------------------------
# Part 1: reweighing_weights
# --------------------------------------------------------------------------


def _shares(y, groups):
    y = np.asarray(y)
    g = np.asarray(groups)
    p_g = np.array([np.mean(g == v) for v in g])
    p_y = np.array([np.mean(y == v) for v in y])
    p_gy = np.array([np.mean((g == a) & (y == b)) for a, b in zip(g, y, strict=True)])
    return p_g, p_y, p_gy


def reweighing_calls() -> list[Call]:
    return [Call("reweighing_weights", args) for args in label_group_inputs()]


def reweighing_check(outcomes: list[Outcome]) -> None:
    for value, (y, groups) in zip(
        returned_values(outcomes), label_group_inputs(), strict=True
    ):
        got = _floats(value, "reweighing_weights", len(y))
        p_g, p_y, p_gy = _shares(y, groups)
        want = p_g * p_y / p_gy
        if _close(got, want):
            continue
        if _close(got, p_gy / (p_g * p_y)):
            raise Fail("the weight is P(g) P(y) / P(g, y): yours is upside down")
        if _close(got, want / len(y)) or _close(got, want / want.sum()):
            raise Fail("do not normalise the weights to sum to 1 (they sum to n)")
        if _close(got, p_y / p_gy) or _close(got, p_g / p_gy):
            raise Fail("the numerator is the product P(g) P(y)")
        raise Fail("the weights do not match P(g) P(y) / P(g, y)")


# --------------------------------------------------------------------------
# Part 2: lagrangian_weights
# --------------------------------------------------------------------------


@functools.cache
def lagrangian_inputs() -> list[tuple]:
    (_, _), (y_a, g_a), (y3, g3), (y_num, g_num) = label_group_inputs()
    return [
        (y_a, g_a, {"a": 0.0, "b": 0.0}),
        (y_a, g_a, {"a": -1.0, "b": 1.0}),
        (y_a, g_a, {"a": 0.3, "b": 0.2}),
        (y3, g3, {"x": 0.4, "y": -0.25, "z": 0.1}),
        (y3, g3, {"x": -0.05, "y": 0.6, "z": -0.3}),
        (y_num, g_num, {0: 0.35, 1: -0.2}),
    ]


def lagrangian_reference(y, groups, mu, *, variant: str = "") -> np.ndarray:
    """Signed weights s_i; the variants are common mistakes."""
    y = np.asarray(y, dtype=float)
    g = list(np.asarray(groups).tolist())
    counts = {k: g.count(k) for k in set(g)}
    share = np.array([counts[k] / len(g) for k in g])
    own = np.array([mu[k] for k in g])
    total = sum(mu.values())
    if variant == "no_total":
        return (2 * y - 1) - own / share
    if variant == "counts":
        return (2 * y - 1) + total - own / (share * len(g))
    if variant == "sign":
        return (2 * y - 1) - total + own / share
    if variant == "no_share":
        return (2 * y - 1) + total - own
    return (2 * y - 1) + total - own / share


def lagrangian_calls() -> list[Call]:
    return [Call("lagrangian_weights", args) for args in lagrangian_inputs()]


def lagrangian_check(outcomes: list[Outcome]) -> None:
    for value, args in zip(returned_values(outcomes), lagrangian_inputs(), strict=True):
        labels, weights = _pair(value, "lagrangian_weights")
        n = len(args[0])
        labels = _floats(labels, "the labels", n)
        weights = _floats(weights, "the weights", n)
        signed = lagrangian_reference(*args)
        if not np.isin(labels, [0, 1]).all():
            raise Fail("the new labels must be 0 or 1")
        if _close(weights, signed) and not _close(weights, np.abs(signed)):
            raise Fail("the sample weight is the absolute value |s_i|")
        for variant, hint in [
            (
                "sign",
                "check the signs: a positive mu_g makes predicting 1 for group g costlier",
            ),
            ("no_total", "you left out the term sum_g mu_g, which every person gets"),
            ("counts", "divide mu_g by the share P(g) of the group, not by its count"),
            ("no_share", "divide mu_g by the share P(g) of the group"),
        ]:
            wrong = lagrangian_reference(*args, variant=variant)
            if not _close(wrong, signed) and _close(weights, np.abs(wrong)):
                raise Fail(hint)
        if not _close(weights, np.abs(signed)):
            raise Fail("the weights do not match |s_i|")
        decided = np.abs(signed) > 1e-9
        want = (signed > 0).astype(float)
        if not np.array_equal(labels[decided], want[decided]):
            y = np.asarray(args[0], dtype=float)
            if np.array_equal(labels[decided], y[decided]):
                raise Fail("relabel: the new label is 1 exactly when s_i > 0, not y_i")
            raise Fail("the new label is 1 exactly when s_i > 0")


# --------------------------------------------------------------------------
# Part 3: exponentiated_gradient_step
# --------------------------------------------------------------------------


@functools.cache
def step_inputs() -> list[tuple]:
    rng = np.random.default_rng(3)
    return [
        ([0.0, 0.0], [0.1, -0.1], 1.0, 10.0),
        (list(rng.normal(size=4)), list(rng.normal(scale=0.2, size=4)), 0.5, 100.0),
        (rng.normal(size=6), rng.normal(scale=0.1, size=6), 2.0, 20.0),
        (np.array([3.0, -2.0, 0.5]), np.array([0.0, 0.0, 0.0]), 0.1, 1.0),
    ]


def step_calls() -> list[Call]:
    return [Call("exponentiated_gradient_step", args) for args in step_inputs()]


def _softmax_lambda(theta: np.ndarray, B: float, one: float = 1.0) -> np.ndarray:
    e = np.exp(theta)
    return B * e / (one + e.sum())


def step_check(outcomes: list[Outcome]) -> None:
    for value, (theta, gamma, eta, B) in zip(
        returned_values(outcomes), step_inputs(), strict=True
    ):
        new_theta, lam = _pair(value, "exponentiated_gradient_step")
        theta = np.asarray(theta, dtype=float)
        gamma = np.asarray(gamma, dtype=float)
        new_theta = _floats(new_theta, "new_theta", len(theta))
        lam = _floats(lam, "new_lambda", len(theta))
        want_theta = theta + eta * gamma
        if not _close(new_theta, want_theta):
            if np.any(gamma) and _close(new_theta, theta - eta * gamma):
                raise Fail(
                    "theta moves towards violated constraints: theta + eta * gamma"
                )
            raise Fail("new_theta must be theta + eta * gamma")
        want = _softmax_lambda(want_theta, B)
        if _close(lam, want):
            continue
        if np.any(gamma) and _close(lam, _softmax_lambda(theta, B)):
            raise Fail("compute the multipliers from the updated theta")
        if _close(lam, _softmax_lambda(want_theta, B, one=0.0)):
            raise Fail(
                "the denominator is 1 + sum_j exp(theta_j): the 1 lets the total stay below B"
            )
        if _close(lam, _softmax_lambda(want_theta, 1.0)):
            raise Fail("multiply by the bound B")
        raise Fail("new_lambda does not match B exp(theta) / (1 + sum exp(theta))")


# --------------------------------------------------------------------------
# Part 4: mixture_predict_proba
# --------------------------------------------------------------------------


@functools.cache
def mixture_inputs() -> list[tuple]:
    rng = np.random.default_rng(44)
    square = rng.integers(0, 2, (4, 4))
    w4 = np.array([0.1, 0.2, 0.3, 0.4])
    return [
        ([[1, 0, 1], [0, 0, 1]], [0.25, 0.75]),
        (rng.integers(0, 2, (3, 7)), np.array([0.5, 0.3, 0.2])),
        (square, w4),
        (rng.integers(0, 2, (5, 40)).tolist(), [0.05, 0.05, 0.1, 0.2, 0.6]),
        ([[0, 1, 1, 0, 1]], [1.0]),
    ]


def mixture_calls() -> list[Call]:
    return [Call("mixture_predict_proba", args) for args in mixture_inputs()]


def mixture_check(outcomes: list[Outcome]) -> None:
    for value, (preds, weights) in zip(
        returned_values(outcomes), mixture_inputs(), strict=True
    ):
        preds = np.asarray(preds, dtype=float)
        weights = np.asarray(weights, dtype=float)
        got = _floats(value, "mixture_predict_proba", preds.shape[1])
        want = weights @ preds
        if _close(got, want):
            continue
        if _close(got, preds.mean(axis=0)):
            raise Fail(
                "weight each classifier by w_j: an unweighted mean ignores the weights"
            )
        if _close(got, (want >= 0.5).astype(float)) or _close(
            got, (want > 0.5).astype(float)
        ):
            raise Fail("return the probability, not a 0/1 vote of the mixture")
        if _close(got, preds[np.argmax(weights)]):
            raise Fail("the mixture uses every classifier, not just the heaviest one")
        if preds.shape[0] == preds.shape[1] and _close(got, preds @ weights):
            raise Fail("rows are classifiers and columns are people: sum over the rows")
        raise Fail("the probabilities do not match sum_j w_j h_j(x_i)")


# --------------------------------------------------------------------------
# Part 5: fair_probabilities
# --------------------------------------------------------------------------


def synthetic(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recipe of the notebook's public data set, with another seed and size."""
    rng = np.random.default_rng(seed)
    g = np.where(rng.random(n) < 0.4, "a", "b")
    shift = np.where(g == "a", -0.8, 0.5)
    X = np.column_stack(
        [rng.normal(size=n) + shift, rng.normal(size=n), rng.normal(size=n) + shift / 2]
    )
    logit = 1.5 * X[:, 0] + 0.8 * X[:, 1] - 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, g


@functools.cache
def fair_inputs() -> list[tuple]:
    X0, y0, g0 = synthetic(4, 1000)  # the public check's data
    X1, y1, g1 = synthetic(101, 1500)
    X2, y2, g2 = synthetic(202, 2000)
    return [
        (X0, y0, g0, 0.05),
        (X1, y1, g1, 0.02),
        (X1, y1, g1, 0.1),
        (X2, y2, g2, 0.03),
    ]


@functools.cache
def fair_reference(index: int) -> np.ndarray:
    X, y, g, eps = fair_inputs()[index]
    reference = ExponentiatedGradient(
        LogisticRegression(), DemographicParity(difference_bound=eps), eps=eps
    )
    return reference.fit(X, y, sensitive_features=g)._pmf_predict(X)[:, 1]


def _violation(p: np.ndarray, g: np.ndarray) -> float:
    return max(abs(p[g == v].mean() - p.mean()) for v in np.unique(g))


def fair_calls() -> list[Call]:
    return [Call("fair_probabilities", args) for args in fair_inputs()]


def fair_check(outcomes: list[Outcome]) -> None:
    values = returned_values(outcomes)
    for index, (value, (_, y, g, eps)) in enumerate(
        zip(values, fair_inputs(), strict=True)
    ):
        p = _floats(value, "fair_probabilities", len(y))
        if not np.all((p >= -TOL) & (p <= 1 + TOL)):
            raise Fail("return probabilities, between 0 and 1")
        violation = _violation(p, g)
        if violation > eps + SLACK:
            if np.isin(p, [0, 1]).all():
                raise Fail(
                    f"the constraint is violated (gap {violation:.3f} > eps + {SLACK}); "
                    "return the mixture's probabilities, not one random draw or a 0/1 rule"
                )
            raise Fail(
                f"the constraint is violated: a group's mean probability is "
                f"{violation:.3f} from the overall mean, above eps + {SLACK} = "
                f"{eps + SLACK:.3f}"
            )
        error = float(np.mean(np.abs(y - p)))
        best = float(np.mean(np.abs(y - fair_reference(index))))
        if error > best + ERROR_MARGIN:
            raise Fail(
                f"the result is dominated: its expected error {error:.3f} is more than "
                f"{ERROR_MARGIN} above that of the exponentiated-gradient mixture "
                f"({best:.3f}) with a violation at most eps = {eps}; did you use eps?"
            )


TESTS = {
    "test_reweighing_weights": Test(reweighing_calls, reweighing_check),
    "test_lagrangian_weights": Test(lagrangian_calls, lagrangian_check),
    "test_exponentiated_gradient_step": Test(step_calls, step_check),
    "test_mixture_predict_proba": Test(mixture_calls, mixture_check),
    "test_fair_probabilities": Test(fair_calls, fair_check),
}
