"""Hidden tests of homework 4 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw04.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises. Part 5 is checked by
properties (the constraint within its slack, and no domination by the
reference mixture), not by one exact answer. Everything here is
deterministic: no check depends on a random draw of the student's code.

Every part draws its synthetic inputs per submission from the ``rng`` the
grader passes to ``calls``: the labels and groups of parts 1 and 2 (with part
2's multipliers), the theta, gamma, eta and B of part 3, the predictions and
weights of part 4, and the data sets and slacks of part 5. The checks compute
their references (part 5's exponentiated-gradient mixture included) from the
calls that were made. The public checks' cases (the notebook's data set of
part 5 among them) and the hand-written edge cases stay fixed.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib.fairness import DemographicParity, ExponentiatedGradient
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

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
# Inputs shared by several parts
# --------------------------------------------------------------------------


def synthetic(
    rng: np.random.Generator, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recipe of the notebook's public data set, drawn from ``rng``.

    Returns
    -------
    X : ndarray of shape (n, 3)
        Three features, two of them shifted by group.
    y : ndarray of int
        Labels from a logistic model of the first two features.
    g : ndarray of str
        Group ``"a"`` (about 40%) or ``"b"``.
    """
    g = np.where(rng.random(n) < 0.4, "a", "b")
    shift = np.where(g == "a", -0.8, 0.5)
    X = np.column_stack(
        [rng.normal(size=n) + shift, rng.normal(size=n), rng.normal(size=n) + shift / 2]
    )
    logit = 1.5 * X[:, 0] + 0.8 * X[:, 1] - 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, g


@functools.cache
def public_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The notebook's ``X_small``, ``y_small`` and ``g_small`` (seed 4, 1000 rows)."""
    return synthetic(np.random.default_rng(4), 1000)


#: The groups of the three-group draws, their shares, and the fewest people
#: with each label in every group of a draw.
GROUPS = np.array(["x", "y", "z"])
SHARES = [0.5, 0.3, 0.2]
MIN_LABEL = 5


def three_groups(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Labels and string groups with drawn size and base rates.

    Redrawn from ``rng`` until every group has at least ``MIN_LABEL`` people
    with each label (the notebook lets students assume both labels occur).
    """
    n = int(rng.integers(250, 401))
    base_rates = rng.uniform(0.1, 0.7, size=len(GROUPS))
    while True:
        index = rng.choice(len(GROUPS), size=n, p=SHARES)
        y = (rng.random(n) < base_rates[index]).astype(int)
        counts = np.array(
            [np.bincount(y[index == k], minlength=2) for k in range(len(GROUPS))]
        )
        if counts.min() >= MIN_LABEL:
            return y, GROUPS[index]


def two_numeric_groups(rng: np.random.Generator) -> tuple[list, list]:
    """Labels and groups 0 and 1, as lists; both labels occur in both groups.

    Four people, one of each (group, label), are put in by construction and
    the rows shuffled.
    """
    n = int(rng.integers(60, 101))
    y = np.r_[[0, 1, 0, 1], rng.integers(0, 2, n - 4)]
    g = np.r_[[0, 0, 1, 1], rng.integers(0, 2, n - 4)]
    order = rng.permutation(n)
    return list(y[order]), list(g[order])


# --------------------------------------------------------------------------
# Part 1: reweighing_weights
# --------------------------------------------------------------------------


def reweighing_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public checks' cases, an edge case, and two draws."""
    _, y_small, g_small = public_data()
    return [
        ([1, 1, 1, 0, 1, 0, 0, 0], ["a", "a", "a", "a", "b", "b", "b", "b"]),
        (y_small, g_small),
        ([1, 0, 1, 0], ["a", "a", "b", "b"]),
        three_groups(rng),
        two_numeric_groups(rng),
    ]


def _shares(y, groups):
    y = np.asarray(y)
    g = np.asarray(groups)
    p_g = np.array([np.mean(g == v) for v in g])
    p_y = np.array([np.mean(y == v) for v in y])
    p_gy = np.array([np.mean((g == a) & (y == b)) for a, b in zip(g, y, strict=True)])
    return p_g, p_y, p_gy


def reweighing_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("reweighing_weights", args) for args in reweighing_inputs(rng)]


def reweighing_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        y, groups = call.args
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


def multipliers(rng: np.random.Generator, y, groups, scale: float) -> dict:
    """A net multiplier in [-scale, scale] for every group, that relabels someone.

    Redrawn from ``rng`` until at least one person's new label (decided, with
    s_i away from 0) differs from their label, so that keeping the labels
    fails on every draw. Two groups of about equal shares relabel only when
    their multipliers differ by more than 1: they need a larger ``scale``.
    """
    labels = sorted(set(np.asarray(groups).tolist()))
    y = np.asarray(y)
    while True:
        values = rng.uniform(-scale, scale, len(labels))
        mu = {k: float(v) for k, v in zip(labels, values, strict=True)}
        signed = lagrangian_reference(y, groups, mu)
        decided = np.abs(signed) > 1e-6
        if np.any((signed > 0)[decided] != (y == 1)[decided]):
            return mu


def lagrangian_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public checks' cases, an edge case, and two draws with drawn mu."""
    y_a, g_a = [1, 0, 1, 0], ["a", "a", "b", "b"]
    y3, g3 = three_groups(rng)
    y_num, g_num = two_numeric_groups(rng)
    return [
        (y_a, g_a, {"a": 0.0, "b": 0.0}),
        (y_a, g_a, {"a": -1.0, "b": 1.0}),
        (y_a, g_a, {"a": 0.3, "b": 0.2}),
        (y3, g3, multipliers(rng, y3, g3, 0.6)),
        (y3, g3, multipliers(rng, y3, g3, 0.6)),
        (y_num, g_num, multipliers(rng, y_num, g_num, 1.5)),
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


def lagrangian_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("lagrangian_weights", args) for args in lagrangian_inputs(rng)]


def lagrangian_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        args = call.args
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


def random_step(rng: np.random.Generator, k: int) -> tuple:
    """theta, gamma, eta and B of one update with ``k`` constraints.

    Every gamma_k is at least 0.02 from 0 and B at least 2, so that the old
    and the new theta, the two signs of the step, and B and 1 all give
    different multipliers.
    """
    theta = rng.normal(size=k)
    gamma = rng.choice([-1.0, 1.0], size=k) * rng.uniform(0.02, 0.4, size=k)
    return theta, gamma, float(rng.uniform(0.2, 2.5)), float(rng.uniform(2.0, 100.0))


def step_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public check's case, an edge case (gamma = 0), and two draws."""
    theta, gamma, eta, B = random_step(rng, int(rng.integers(2, 6)))
    return [
        ([0.0, 0.0], [0.1, -0.1], 1.0, 10.0),
        (list(theta), list(gamma), eta, B),
        random_step(rng, int(rng.integers(5, 9))),
        (np.array([3.0, -2.0, 0.5]), np.array([0.0, 0.0, 0.0]), 0.1, 1.0),
    ]


def step_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("exponentiated_gradient_step", args) for args in step_inputs(rng)]


def _softmax_lambda(theta: np.ndarray, B: float, one: float = 1.0) -> np.ndarray:
    e = np.exp(theta)
    return B * e / (one + e.sum())


def step_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        theta, gamma, eta, B = call.args
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


def _mixture_mistakes(preds: np.ndarray, weights: np.ndarray) -> list[np.ndarray]:
    """What the common mistakes of part 4 return (transposed only if square)."""
    want = weights @ preds
    mistakes = [
        preds.mean(axis=0),
        (want >= 0.5).astype(float),
        (want > 0.5).astype(float),
        preds[np.argmax(weights)],
    ]
    if preds.shape[0] == preds.shape[1]:
        mistakes.append(preds @ weights)
    return mistakes


def random_mixture(rng: np.random.Generator, m: int, n: int) -> tuple:
    """0/1 predictions of shape (m, n) and weights that tell every mistake apart.

    The weights are drawn from a flat Dirichlet; both are redrawn from ``rng``
    until the heaviest classifier is heavier than the next by 0.02 and the
    mixture's probabilities differ from every result of
    :func:`_mixture_mistakes`.
    """
    while True:
        preds = rng.integers(0, 2, (m, n))
        weights = rng.dirichlet(np.ones(m))
        top = np.sort(weights)[-2:]
        if top[1] - top[0] < 0.02:
            continue
        want = weights @ preds
        if not any(_close(want, wrong) for wrong in _mixture_mistakes(preds, weights)):
            return preds, weights


def mixture_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public check's case, one classifier, and three draws (one square)."""
    wide, wide_weights = random_mixture(rng, 5, int(rng.integers(30, 51)))
    return [
        ([[1, 0, 1], [0, 0, 1]], [0.25, 0.75]),
        random_mixture(rng, 3, int(rng.integers(6, 11))),
        random_mixture(rng, 4, 4),
        (wide.tolist(), wide_weights.tolist()),
        ([[0, 1, 1, 0, 1]], [1.0]),
    ]


def mixture_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("mixture_predict_proba", args) for args in mixture_inputs(rng)]


def mixture_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        preds, weights = call.args
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


#: The fewest people in each group, and with each label in each group, of a
#: drawn data set of part 5.
MIN_GROUP = 200
MIN_FIT_LABEL = 40


def fair_data(rng: np.random.Generator, n: int) -> tuple:
    """A data set of :func:`synthetic`'s recipe, with both groups well filled.

    Redrawn from ``rng`` until each group has at least ``MIN_GROUP`` people
    and ``MIN_FIT_LABEL`` of each label, so that every fit is well posed.
    """
    while True:
        X, y, g = synthetic(rng, n)
        counts = [np.bincount(y[g == v], minlength=2) for v in ("a", "b")]
        if min(len(y[g == v]) for v in ("a", "b")) >= MIN_GROUP and (
            np.min(counts) >= MIN_FIT_LABEL
        ):
            return X, y, g


def fair_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public check's case, and two drawn data sets with drawn slacks.

    The first draw is fitted with a small and a large eps: ignoring eps shows
    at one of the two.
    """
    X0, y0, g0 = public_data()
    X1, y1, g1 = fair_data(rng, int(rng.integers(1200, 2001)))
    X2, y2, g2 = fair_data(rng, int(rng.integers(1200, 2001)))
    return [
        (X0, y0, g0, 0.05),
        (X1, y1, g1, round(float(rng.uniform(0.02, 0.04)), 3)),
        (X1, y1, g1, round(float(rng.uniform(0.08, 0.12)), 3)),
        (X2, y2, g2, round(float(rng.uniform(0.03, 0.06)), 3)),
    ]


def fair_reference(X, y, g, eps: float) -> np.ndarray:
    """The probabilities of the exponentiated-gradient mixture of the notebook."""
    reference = ExponentiatedGradient(
        LogisticRegression(), DemographicParity(difference_bound=eps), eps=eps
    )
    return reference.fit(X, y, sensitive_features=g)._pmf_predict(X)[:, 1]


def _violation(p: np.ndarray, g: np.ndarray) -> float:
    return max(abs(p[g == v].mean() - p.mean()) for v in np.unique(g))


def fair_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("fair_probabilities", args) for args in fair_inputs(rng)]


def fair_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        X, y, g, eps = call.args
        y, g = np.asarray(y), np.asarray(g)
        p = _floats(value, "fair_probabilities", len(y))
        if not np.all((p >= -TOL) & (p <= 1 + TOL)):
            raise Fail("return probabilities, between 0 and 1")
        reference = fair_reference(X, y, g, eps)
        # The stated bound; should the reference mixture itself exceed eps on
        # some draw (beyond rounding), its own violation is allowed instead:
        # doing what the notebook asks never fails.
        reference_violation = _violation(reference, g)
        bound = eps if reference_violation <= eps + TOL else reference_violation
        violation = _violation(p, g)
        if violation > bound + SLACK:
            allowed = (
                f"eps + {SLACK} = {eps + SLACK:.3f}"
                if bound == eps
                else (f"{bound + SLACK:.3f}")
            )
            if np.isin(p, [0, 1]).all():
                raise Fail(
                    f"the constraint is violated (gap {violation:.3f} > {allowed}); "
                    "return the mixture's probabilities, not one random draw or a 0/1 rule"
                )
            raise Fail(
                f"the constraint is violated: a group's mean probability is "
                f"{violation:.3f} from the overall mean, above {allowed}"
            )
        error = float(np.mean(np.abs(y - p)))
        best = float(np.mean(np.abs(y - reference)))
        if error > best + ERROR_MARGIN:
            raise Fail(
                f"the result is dominated: its expected error {error:.3f} is more than "
                f"{ERROR_MARGIN} above that of the exponentiated-gradient mixture "
                f"({best:.3f}) with a violation at most eps = {eps}; did you use eps?"
            )


# --------------------------------------------------------------------------
# Part 6: best_mixture
# --------------------------------------------------------------------------

#: The public check's case: h1 is perfect but violates parity by 0.125, h2 and
#: h3 predict the same for everyone; the best mixture is h1 and h2 half-half.
MIXTURE_PUBLIC = (
    [[1, 1, 0, 0, 1, 0, 0, 0], [0] * 8, [1] * 8],
    [1, 1, 0, 0, 1, 0, 0, 0],
    ["a"] * 4 + ["b"] * 4,
    0.0625,
)


def random_classifiers(rng: np.random.Generator, n_groups: int) -> tuple:
    """Threshold classifiers of one noisy score, on groups with different base rates.

    Returns (predictions, y, groups): rows are "score >= t" for 4 to 9 drawn
    thresholds, some of them shifted for one group, then the constant 0 rule
    (which meets every constraint), shuffled. The groups' base rates differ,
    so the most accurate rules violate demographic parity and the best
    mixture of a binding constraint mixes two or more rules.
    """
    n = int(rng.integers(300, 701))
    labels = np.array(["p", "q", "r"][:n_groups])
    groups = labels[
        rng.choice(n_groups, size=n, p=rng.dirichlet(np.full(n_groups, 4.0)))
    ]
    base = rng.uniform(0.2, 0.7, size=n_groups)
    index = np.searchsorted(labels, groups)
    y = (rng.random(n) < base[index]).astype(int)
    score = y * rng.uniform(1.0, 2.0) + rng.normal(size=n)
    rows = []
    for _ in range(int(rng.integers(4, 10))):
        t = rng.uniform(-0.5, 2.0)
        shift = np.where(
            groups == labels[rng.integers(n_groups)], rng.normal(0, 0.5), 0.0
        )
        rows.append((score >= t + shift).astype(int))
    rows.append(np.zeros(n, dtype=int))
    order = rng.permutation(len(rows))
    return np.array(rows)[order], y, groups


def _mixture_rates(predictions, y, groups) -> tuple[np.ndarray, np.ndarray]:
    """Each classifier's error, and its selection rate in each group minus overall."""
    preds = np.asarray(predictions, dtype=float)
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    error = (preds != y).mean(axis=1)
    overall = preds.mean(axis=1)
    gaps = np.array(
        [preds[:, g == label].mean(axis=1) - overall for label in np.unique(g)]
    )
    return error, gaps


def best_mixture_error(predictions, y, groups, eps: float) -> float:
    """The least error of a mixture that meets the constraint (a linear programme)."""
    from scipy.optimize import linprog

    error, gaps = _mixture_rates(predictions, y, groups)
    result = linprog(
        error,
        A_ub=np.vstack([gaps, -gaps]),
        b_ub=np.full(2 * len(gaps), eps),
        A_eq=np.ones((1, len(error))),
        b_eq=[1.0],
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0, result.message
    return float(result.fun)


def best_mixture_inputs(rng: np.random.Generator) -> list[tuple]:
    """The public case, and draws with two and three groups and drawn slacks."""
    cases = [MIXTURE_PUBLIC, (*MIXTURE_PUBLIC[:3], 0.0), (*MIXTURE_PUBLIC[:3], 0.2)]
    for n_groups, low, high in [
        (2, 0.01, 0.05),
        (3, 0.01, 0.05),
        (3, 0.05, 0.1),
        (2, 0.0, 0.0),
    ]:
        preds, y, g = random_classifiers(rng, n_groups)
        eps = float(rng.uniform(low, high))
        cases.append((preds, y, g, eps))
    preds, y, g = random_classifiers(rng, 2)
    cases.append((preds.tolist(), list(y), list(g), float(rng.uniform(0.01, 0.05))))
    return cases


def best_mixture_calls(rng: np.random.Generator) -> list[Call]:
    return [Call("best_mixture", args) for args in best_mixture_inputs(rng)]


def best_mixture_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """Check the properties the part asks for, so that any optimal mixture passes.

    The weights must be non-negative and sum to 1 (to 1e-6), the mixture must
    meet the constraint to 1e-6, and its error must be within 1e-6 of the least
    error of the linear programme. Everything is exact, so the false-failure
    rate is zero.
    """
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        predictions, y, groups, eps = call.args
        m = len(predictions)
        w = _floats(value, "the weights", m)
        if not np.isfinite(w).all() or w.min() < -1e-9 or abs(w.sum() - 1) > 1e-6:
            raise Fail("the weights must be non-negative numbers that sum to 1")
        error, gaps = _mixture_rates(predictions, y, groups)
        violation = float(np.abs(gaps @ w).max())
        if violation > eps + 1e-6:
            raise Fail(
                "the mixture violates the constraint: in some group its expected "
                "selection rate differs from the overall one by more than eps"
            )
        best = best_mixture_error(predictions, y, groups, eps)
        got = float(error @ w)
        if got <= best + 1e-6:
            continue
        feasible = np.abs(gaps).max(axis=0) <= eps + 1e-12
        if np.isclose(got, error[feasible].min(), atol=1e-9):
            raise Fail(
                "the best single classifier that meets the constraint is not the best "
                "mixture: mixing an accurate unfair classifier with a fair one can do better"
            )
        raise Fail("the mixture meets the constraint but another one has a lower error")


TESTS = {
    "test_reweighing_weights": Test(reweighing_calls, reweighing_check),
    "test_lagrangian_weights": Test(lagrangian_calls, lagrangian_check),
    "test_exponentiated_gradient_step": Test(step_calls, step_check),
    "test_mixture_predict_proba": Test(mixture_calls, mixture_check),
    "test_fair_probabilities": Test(fair_calls, fair_check),
    "test_best_mixture": Test(best_mixture_calls, best_mixture_check),
}
