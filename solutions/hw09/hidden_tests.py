"""Hidden tests of homework 9 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw09.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Parts 1, 2 and 4 are deterministic and compared with references at a
tolerance of 1e-9 (false-failure rate zero).

Hidden inputs drawn per submission: every test cell keeps the cases of the
notebook's public checks and a few small hand-written edge cases fixed, and
draws its synthetic random data from the ``rng`` the grader seeds for each
submission (``calls(rng)``): the random batches of part 1, the gradient matrix
and the thresholds of part 2, every batch ``(X, y, w)`` of part 3 and the seeds
of the Generators handed to the student's function, and the random losses of
part 4. Each check computes its references from the calls it receives
(``check(outcomes, calls)``), and every draw is valid by construction: both
labels occur in every batch, part 2 always has rows far below and far above
each threshold, part 3's noiseless batch is redrawn until its clipped sum is
clearly apart from the batch-clipped, unclipped and averaged sums, and part 4
has unequal group sizes and ties where its hints need them.

Part 3 (``noisy_gradient_sum``) is randomised. Each statistical call returns a
sum over d >= 2,000 coordinates; the check subtracts the exact sum of clipped
gradients and tests that the d residuals are i.i.d. N(0, s^2) with
s = noise_multiplier * clip_norm: their mean (z-test), their variance (chi-square
test), their distribution (Kolmogorov-Smirnov against the exact normal CDF) and
the number of distinct values. Each test has false-failure rate at most 5e-8
for ANY inputs (given the batch, the residuals of a correct answer are exactly
N(0, s^2) up to rounding), so also over the random batches; there are 4 tests
on each of 3 calls, so a correct answer fails the cell with probability at
most 12 * 5e-8 = 6e-7 (Bonferroni). The noiseless call is compared exactly
(1e-6). Two more calls on one small batch, with Generators of two different
seeds, must return different vectors (the public check that the noise comes
from ``rng``); two independent N(0, 1) vectors of 200 coordinates are never
within ``np.allclose`` of each other, so this adds nothing measurable. Only
distributions are tested, never one order of draws: any correct way of drawing
the noise from ``rng`` passes.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from course_lib.privacy import clip_gradients
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

ATOL = 1e-9
ALPHA = 5e-8  # per statistical test; 12 tests per cell -> 6e-7 in total


def _close(got, want, atol: float = ATOL) -> bool:
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=float)
    return got.shape == want.shape and np.allclose(got, want, atol=atol, rtol=1e-9)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _gradients(X, y, w) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    residual = _sigmoid(X @ np.asarray(w, dtype=float)) - np.asarray(y, dtype=float)
    return X * residual[:, None]


def _labels(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """n labels in {0, 1}, about ``share`` of them 1 and always both present.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator of this submission's inputs.
    n : int
        Number of labels, at least 2.
    share : float
        Expected share of 1s, in (0, 1).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        A random arrangement of k ones, k drawn binomially and kept in [1, n-1].
    """
    k = int(np.clip(rng.binomial(n, share), 1, n - 1))
    return (rng.permutation(n) < k).astype(int)


# --------------------------------------------------------------------------
# Part 1: per_example_gradients
# --------------------------------------------------------------------------

# The public check's case and a hand-written one; the rest is drawn.
GRAD_FIXED = [
    ([[1.0, 2.0], [0.5, -1.0]], [1, 0], [0.0, 0.0]),
    ([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]], [1, 0, 1], [0.3, -0.2]),
]


def grad_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Random batches ``(X, y, w)``: a small one, as arrays and as lists, a large
    one with boolean labels, and the large one's first row alone.

    The small batch has 30-79 examples of 3-8 features and the large one
    250-349 of 15-29, so no gradient matrix is square (the transposed-result
    hint needs n != d).
    """
    n, d = int(rng.integers(30, 80)), int(rng.integers(3, 9))
    X, y, w = rng.normal(size=(n, d)), _labels(rng, n, 0.4), rng.normal(size=d)
    nb, db = int(rng.integers(250, 350)), int(rng.integers(15, 30))
    Xb = rng.normal(size=(nb, db)) * 3
    yb, wb = _labels(rng, nb, 0.5), rng.normal(size=db)
    return [
        (X, y, w),
        (X.tolist(), y.tolist(), w.tolist()),
        (Xb, yb.astype(bool), wb),
        (Xb[:1], yb[:1], wb),
    ]


def grad_calls(rng: np.random.Generator) -> list[Call]:
    inputs = GRAD_FIXED + grad_random_inputs(rng)
    return [Call("per_example_gradients", args) for args in inputs]


def grad_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        X, y, w = call.args
        want = _gradients(X, y, w)
        if _close(value, want):
            continue
        got = np.asarray(value, dtype=float)
        if got.shape == want.shape[::-1] and want.shape[0] != want.shape[1]:
            raise Fail("return one ROW per example: shape (n, d), not (d, n)")
        if got.shape != want.shape:
            if got.shape in ((want.shape[1],), (1, want.shape[1])):
                raise Fail(
                    "return the gradient of EACH example (a matrix with one row "
                    "per example), not their sum or mean"
                )
            raise Fail(f"the result must have shape {want.shape}; got {got.shape}")
        if _close(got, -want):
            raise Fail(
                "the sign is wrong: the residual is sigma(w.x) - y, not y - sigma(w.x)"
            )
        Xa = np.asarray(X, dtype=float)
        no_sigmoid = (
            Xa * (Xa @ np.asarray(w, dtype=float) - np.asarray(y, float))[:, None]
        )
        if _close(got, no_sigmoid):
            raise Fail("apply the sigmoid to w.x before subtracting y")
        raise Fail("the gradients are wrong")


# --------------------------------------------------------------------------
# Part 2: clip_each
# --------------------------------------------------------------------------

# The public checks' cases and hand-written ones; the rest is drawn.
CLIP_FIXED = [
    ([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], 1.0),
    ([[6.0, 8.0]], 5.0),
    ([[6.0, 8.0], [-0.6, 0.8], [1.0, -1.0]], 2.0),
    (np.zeros((3, 4)), 0.5),
]
# Row norms of the random matrix: log-uniform in [0.05, 50], and one row in
# each of [0.1, 0.4] and [20, 50], below and above every threshold drawn in
# [0.5, 8].
CLIP_NORMS = (0.05, 50.0)


def clip_random_matrix(rng: np.random.Generator) -> np.ndarray:
    """A (300-499, 20-39) gradient matrix whose row norms span [0.05, 50].

    Random directions scaled to log-uniform norms; two rows (at random
    positions) are forced to norms in [0.1, 0.4] and [20, 50], so every
    threshold in [0.5, 8] leaves some rows unchanged and scales others down.
    """
    n, d = int(rng.integers(300, 500)), int(rng.integers(20, 40))
    directions = rng.normal(size=(n, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    norms = np.exp(rng.uniform(*np.log(CLIP_NORMS), size=n))
    norms[:2] = rng.uniform(0.1, 0.4), rng.uniform(20.0, 50.0)
    return (directions * norms[:, None])[rng.permutation(n)]


def clip_random_column(rng: np.random.Generator, n: int, c: float) -> np.ndarray:
    """n one-feature gradients (shape (n, 1)) of random signs: half of them
    shorter than c (0.01 c to 0.9 c), half longer (1.1 c to 5 c), shuffled."""
    short = rng.uniform(0.01, 0.9, size=n // 2)
    long = rng.uniform(1.1, 5.0, size=n - n // 2)
    sizes = rng.permutation(np.concatenate([short, long])) * c
    return (rng.choice([-1.0, 1.0], size=n) * sizes)[:, None]


def clip_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """The random matrix at a small (0.5-2) and a large (3-8) threshold, and a
    random column at a threshold of 0.3-1."""
    big = clip_random_matrix(rng)
    small_c, large_c = float(rng.uniform(0.5, 2.0)), float(rng.uniform(3.0, 8.0))
    c = float(rng.uniform(0.3, 1.0))
    return [(big, small_c), (big, large_c), (clip_random_column(rng, len(big), c), c)]


def clip_calls(rng: np.random.Generator) -> list[Call]:
    return [
        Call("clip_each", (np.array(g, dtype=float), c), observe_args=True)
        for g, c in CLIP_FIXED + clip_random_inputs(rng)
    ]


def clip_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for outcome, call in zip(outcomes, calls, strict=True):
        if not outcome.ok:
            raise Fail(f"Your function raised an error: {outcome.error}")
        g, c = call.args
        g = np.asarray(g, dtype=float)
        want = clip_gradients(g, c)
        value = outcome.value
        if outcome.args is not None and not _close(outcome.args[0], g):
            raise Fail("clip_each must not modify grads: work on a copy")
        if _close(value, want):
            continue
        got = np.asarray(value, dtype=float)
        if got.shape != want.shape:
            raise Fail(
                f"the result must have the shape of grads {want.shape}; got {got.shape}"
            )
        if np.isnan(got).any():
            raise Fail("a row of zeros must stay zero (no division by zero)")
        if _close(got, np.clip(g, -c, c)):
            raise Fail(
                "clip the L2 norm of each ROW (scale the whole row), not each "
                "coordinate separately"
            )
        norms = np.linalg.norm(g, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            normalised = np.where(norms[:, None] > 0, g * (c / norms)[:, None], 0.0)
        if _close(got, normalised):
            raise Fail(
                "rows shorter than max_norm must stay unchanged: scale only the "
                "rows whose norm exceeds max_norm"
            )
        total = np.linalg.norm(g)
        if total > 0 and _close(got, g * min(1.0, c / total)):
            raise Fail("clip each row (each example) separately, not the whole matrix")
        raise Fail("the clipped rows are wrong")


# --------------------------------------------------------------------------
# Part 3: noisy_gradient_sum (statistical)
# --------------------------------------------------------------------------

# (n, d, clip_norm, noise_multiplier); the batches (X, y, w) and the seed of
# the student's Generator are drawn per submission (under a million normal
# draws in all, a few hundredths of a second). The last case is (almost)
# noiseless and checks the clipped sum exactly.
NOISY_CASES = [
    (100, 4000, 0.5, 1.0),
    (50, 3000, 2.0, 0.7),
    (150, 2000, 0.1, 3.0),
    (150, 50, 0.8, 1e-12),
]
NOISELESS = 1e-6  # noise multipliers below this are checked exactly
# In the noiseless case the clipped sum must differ from the batch-clipped,
# unclipped and averaged sums by at least this much in some coordinate, far
# above the check's tolerance of 1e-6.
SEPARATION = 1e-2
# Two more calls on one small batch (n, d, clip_norm, noise_multiplier) with
# two Generators of different seeds, as in the public check "different
# generators must give different noise": an answer that ignores rng returns
# the same vector twice. Only their difference is checked, not their
# distribution (so the 12 statistical tests above stay the only ones).
PAIR_CASE = (40, 200, 1.0, 1.0)


def noisy_batch(
    rng: np.random.Generator, n: int, d: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A logistic batch: rows of random length (many clipped, some not),
    both labels, weights of norm about 1."""
    X = rng.standard_normal(size=(n, d))
    X *= rng.exponential(size=(n, 1))
    return X, _labels(rng, n, 0.5), rng.normal(size=d) / np.sqrt(d)


def noisy_sums(X, y, w, clip_norm: float) -> dict[str, np.ndarray]:
    """The right sum of clipped gradients and what the common mistakes give.

    Returns
    -------
    dict
        ``"clipped"`` (the reference), ``"batch"`` (the summed gradient
        clipped as a whole), ``"raw"`` (not clipped) and ``"mean"`` (the
        clipped sum over the batch size).
    """
    grads = _gradients(X, y, w)
    clipped = clip_gradients(grads, clip_norm).sum(axis=0)
    raw = grads.sum(axis=0)
    batch = raw * min(1.0, clip_norm / np.linalg.norm(raw))
    return {"clipped": clipped, "batch": batch, "raw": raw, "mean": clipped / len(X)}


def _separated(sums: dict[str, np.ndarray]) -> bool:
    """Whether every mistake is at least SEPARATION away from the clipped sum."""
    want = sums["clipped"]
    return all(
        np.abs(sums[k] - want).max() >= SEPARATION for k in ("batch", "raw", "mean")
    )


def noisy_calls(rng: np.random.Generator) -> list[Call]:
    calls = []
    for n, d, c, sigma in NOISY_CASES:
        X, y, w = noisy_batch(rng, n, d)
        while sigma < NOISELESS and not _separated(noisy_sums(X, y, w, c)):
            X, y, w = noisy_batch(rng, n, d)
        student_rng = np.random.default_rng(int(rng.integers(2**63)))
        calls.append(Call("noisy_gradient_sum", (X, y, w, c, sigma, student_rng)))
    n, d, c, sigma = PAIR_CASE
    X, y, w = noisy_batch(rng, n, d)
    first = int(rng.integers(2**63))
    second = first
    while second == first:
        second = int(rng.integers(2**63))
    for seed in (first, second):
        student_rng = np.random.default_rng(seed)
        calls.append(Call("noisy_gradient_sum", (X, y, w, c, sigma, student_rng)))
    return calls


def _looks_normal(r: np.ndarray, s: float) -> str | None:
    """None if the residuals r pass all four tests of N(0, s^2), else a reason."""
    d = r.size
    if np.unique(r).size < d // 2:
        return "distinct"
    z = stats.norm.isf(ALPHA / 2)
    if abs(r.mean()) > z * s / np.sqrt(d):
        return "mean"
    stat = (d - 1) * r.var(ddof=1) / s**2
    if not stats.chi2.ppf(ALPHA / 2, d - 1) <= stat <= stats.chi2.isf(ALPHA / 2, d - 1):
        return "variance"
    if stats.kstest(r / s, "norm").pvalue < ALPHA:
        return "shape"
    return None


def _noiseless_check(got: np.ndarray, sums: dict[str, np.ndarray]) -> None:
    """With (almost) no noise, the result must be the clipped sum itself."""
    if np.allclose(got, sums["clipped"], atol=1e-6, rtol=1e-9):
        return
    if np.allclose(got, sums["batch"], atol=1e-6):
        raise Fail(
            "clip each example's gradient before summing, not the summed "
            "(batch) gradient"
        )
    if np.allclose(got, sums["raw"], atol=1e-6):
        raise Fail("clip each example's gradient to norm clip_norm before summing")
    if np.allclose(got, sums["mean"], atol=1e-6):
        raise Fail(
            "return the SUM of the clipped gradients (plus noise), not their mean"
        )
    raise Fail("with no noise, the result is not the sum of the clipped gradients")


def _noisy_vector(value, d: int) -> np.ndarray:
    """The returned value as a finite vector of d numbers, or Fail."""
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise Fail("noisy_gradient_sum must return a vector of numbers") from error
    if got.shape != (d,):
        raise Fail(
            f"return one noisy coordinate per weight: shape ({d},); got {got.shape}"
        )
    if not np.all(np.isfinite(got)):
        raise Fail("the result has NaN or infinite values")
    return got


def _statistical_check(
    got: np.ndarray, sums: dict[str, np.ndarray], n: int, c: float, sigma: float
) -> None:
    """The residuals around the clipped sum must look like N(0, (sigma c)^2).

    Raises
    ------
    Fail
        With a hint naming the first mistake whose residuals do look normal.
    """
    want, s = sums["clipped"], sigma * c
    r = got - want
    reason = _looks_normal(r, s)
    if reason is None:
        return
    if np.unique(r).size < r.size // 2:
        raise Fail(
            "draw independent noise for every coordinate: one draw reused "
            "across coordinates is not the Gaussian mechanism"
        )
    if (
        _looks_normal(got - sums["batch"], s) is None
        or _looks_normal(got - sums["raw"], s) is None
    ):
        raise Fail(
            "clip each example's gradient before summing; clipping the summed "
            "(batch) gradient, or not clipping, does not bound one person's influence"
        )
    if _looks_normal(got - sums["mean"], s / n) is None or np.allclose(
        (got - sums["mean"]).std() * n, s, rtol=0.2
    ):
        raise Fail("return the SUM of the clipped gradients plus noise, not their mean")
    if _looks_normal(r, np.sqrt(n) * s) is None:
        raise Fail(
            "add the noise once to the SUM, not to each example's gradient "
            "(that multiplies the noise variance by the batch size)"
        )
    if _looks_normal(r, sigma) is None:
        raise Fail(
            "the noise standard deviation is noise_multiplier * clip_norm "
            "(the sensitivity of the clipped sum), not noise_multiplier alone"
        )
    if _looks_normal(r, c) is None:
        raise Fail(
            "the noise standard deviation is noise_multiplier * clip_norm, not clip_norm"
        )
    raise Fail(
        "the noise is not independent N(0, (noise_multiplier * clip_norm)^2) per "
        f"coordinate around the sum of clipped gradients (failed: {reason})"
    )


def noisy_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """Shapes first, then each case of NOISY_CASES, then the PAIR_CASE calls."""
    values = returned_values(outcomes)
    results = []
    for value, call in zip(values, calls, strict=True):
        X, y, w, c, sigma, _ = call.args
        results.append(_noisy_vector(value, np.shape(X)[1]))
    k = len(NOISY_CASES)
    for got, call in zip(results[:k], calls[:k], strict=True):
        X, y, w, c, sigma, _ = call.args
        sums = noisy_sums(X, y, w, c)
        if sigma < NOISELESS:
            _noiseless_check(got, sums)
        else:
            _statistical_check(got, sums, len(X), c, sigma)
    first, second = results[k:]
    if np.allclose(first, second):
        raise Fail(
            "different generators must give different noise: draw the noise "
            "from rng, the Generator passed to the function"
        )


# --------------------------------------------------------------------------
# Part 4: best_advantage
# --------------------------------------------------------------------------

# The public checks' cases and a hand-written one with ties; the rest is drawn.
ADV_FIXED = [
    ([0.1, 0.2, 0.3, 2.0], [0.25, 1.0, 1.5, 3.0]),
    ([1.0, 2.0], [0.5, 0.6]),
    ([0.1, 0.2], [0.3, 0.4, 0.5]),
    ([1.0, 1.0, 2.0, 3.0], [1.0, 2.0, 2.0]),
]


def adv_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Random losses of members and non-members.

    Exponential losses, members' smaller (200-399 members, 800-1199
    non-members), then 100-199 of the non-members against the members;
    integer losses full of ties (as lists and as arrays); and two normal
    samples of the same size. The group sizes differ wherever the
    wrong-denominator hint needs it.
    """
    n_in, n_out = int(rng.integers(200, 400)), int(rng.integers(800, 1200))
    members = rng.exponential(rng.uniform(0.6, 0.9), size=n_in)
    outsiders = rng.exponential(1.0, size=n_out)
    few = int(rng.integers(100, 200))
    ties_in = rng.integers(0, 6, size=int(rng.integers(60, 100)))
    ties_out = rng.integers(1, 8, size=int(rng.integers(110, 150)))
    n = int(rng.integers(400, 600))
    return [
        (members, outsiders),
        (outsiders[:few], members),
        (ties_in.tolist(), ties_out.tolist()),
        (ties_out, ties_in),
        (rng.normal(size=n), rng.normal(size=n)),
    ]


def adv_reference(inside, outside, *, strict=False, reverse=False) -> float:
    a = np.asarray(inside, dtype=float)
    b = np.asarray(outside, dtype=float)
    t = np.unique(np.concatenate([a, b]))
    if strict:
        tpr, fpr = (a[None, :] < t[:, None]).mean(1), (b[None, :] < t[:, None]).mean(1)
    else:
        tpr, fpr = (
            (a[None, :] <= t[:, None]).mean(1),
            (b[None, :] <= t[:, None]).mean(1),
        )
    gap = fpr - tpr if reverse else tpr - fpr
    return float(max(0.0, gap.max()))


def adv_calls(rng: np.random.Generator) -> list[Call]:
    inputs = ADV_FIXED + adv_random_inputs(rng)
    return [Call("best_advantage", args) for args in inputs]


def adv_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        inside, outside = call.args
        try:
            got = float(value)
        except (TypeError, ValueError) as error:
            raise Fail("best_advantage must return a number") from error
        want = adv_reference(inside, outside)
        if np.isclose(got, want, atol=ATOL):
            continue
        if got < -ATOL:
            raise Fail("the advantage is never negative: flagging nobody gives 0")
        if np.isclose(got, adv_reference(inside, outside, reverse=True), atol=ATOL):
            raise Fail("flag as members the examples with a SMALL loss (loss <= t)")
        both = max(want, adv_reference(inside, outside, reverse=True))
        if np.isclose(got, both, atol=ATOL):
            raise Fail(
                "take the largest TPR - FPR of the rule 'member when loss <= t', "
                "not the largest absolute difference"
            )
        if np.isclose(got, (1 + want) / 2, atol=ATOL):
            raise Fail(
                "return TPR - FPR, not the balanced accuracy (1 + TPR - FPR) / 2"
            )
        if np.isclose(got, adv_reference(inside, outside, strict=True), atol=ATOL):
            raise Fail(
                "the rule flags losses <= t (ties with the threshold count as members)"
            )
        n_in, n_out = len(inside), len(outside)
        if n_in != n_out and n_in + n_out > 20:
            a, b = np.asarray(inside, float), np.asarray(outside, float)
            t = np.unique(np.concatenate([a, b]))
            counts = (a[None, :] <= t[:, None]).sum(1) - (b[None, :] <= t[:, None]).sum(
                1
            )
            for denom in (n_in, n_out, n_in + n_out):
                if np.isclose(got, max(0, counts.max()) / denom, atol=ATOL):
                    raise Fail(
                        "divide members flagged by the number of members and "
                        "non-members flagged by the number of non-members"
                    )
        raise Fail("the advantage is wrong")


TESTS = {
    "test_per_example_gradients": Test(grad_calls, grad_check),
    "test_clip_each": Test(clip_calls, clip_check),
    "test_noisy_gradient_sum": Test(noisy_calls, noisy_check),
    "test_best_advantage": Test(adv_calls, adv_check),
}
