"""Hidden tests of homework 9 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw09.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Parts 1, 2, 4 and 5 are deterministic and compared with references
at a tolerance of 1e-9 (false-failure rate zero).

Hidden inputs drawn per submission: every test cell keeps the cases of the
notebook's public checks and a few small hand-written edge cases fixed, and
draws its synthetic random data from the ``rng`` the grader seeds for each
submission (``calls(rng)``): the random batches of part 1, the gradient matrix
and the thresholds of part 2, every batch ``(X, y, w)`` of part 3 and the seeds
of the Generators handed to the student's function, the random losses of
part 4, the rows, owners and thresholds of part 5, and the norms, candidates
and quantiles of part 6 with the seeds of its Generators. Each check computes its references from the calls it receives
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
Part 6 (``private_clip_norm``) is randomised too. Its first ten calls use
epsilon 1e4 or 1e6 and a unique best candidate (the best score beats the
second by at least 0.05), so the mechanism returns it except with probability
below 1e-100; then three cases of 3,000 calls, each with a fresh Generator, on
one set of norms, tested against the exact probabilities by 57 exact binomial
tests at 1e-6 / 57 each (false-failure rate at most 1e-6 for the cell; the
power against each recognised wrong variant is in ``clipnorm_check``).

See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from course_lib.privacy import clip_gradients
from course_tools.grading.checks import binomial_ok
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
    """Every case as an array, and the third fixed case also as lists (inputs
    may be lists)."""
    calls = [
        Call("clip_each", (np.array(g, dtype=float), c), observe_args=True)
        for g, c in CLIP_FIXED + clip_random_inputs(rng)
    ]
    return [*calls, Call("clip_each", CLIP_FIXED[2], observe_args=True)]


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


# --------------------------------------------------------------------------
# Part 5: clip_per_person
# --------------------------------------------------------------------------

# The public checks' cases and hand-written ones; the rest is drawn.
PERSON_FIXED = [
    ([[3.0, 0.0], [0.0, 4.0], [0.3, 0.4]], ["ann", "ann", "bo"], 1.0),
    ([[3.0, 0.0], [0.3, 0.4], [0.0, 4.0]], [7, 2, 7], 1.0),
    ([[1.0, 1.0], [-1.0, -1.0], [0.0, 0.5]], [1, 1, 2], 0.1),
    ([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], ["x", "x", "x"], 2.0),
    ([[1.0, 0.0], [0.0, 3.0], [0.0, 0.0]], ["a", "b", "c"], 1.5),
    ([[0.5, 0.0], [0.5, 0.0], [0.0, 2.0], [0.0, 2.0]], ["p", "p", "q", "q"], 1.5),
]


def person_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """A random batch of rows owned by people with 1 to about 15 rows each.

    200-399 rows of 5-14 features, owned by 30-79 people (each at least one
    row, the rest geometric), in shuffled order; row norms log-uniform in
    [0.05, 5] and each person's rows share a direction, so the people's
    totals span short and long, and one-row people have rows both shorter
    and longer than the thresholds. The batch is used with string labels at
    a small threshold (0.3-1) and with scattered integer labels (as lists)
    at a large one (2-6).
    """
    m = int(rng.integers(30, 80))
    extra = rng.geometric(0.25, size=m) - 1
    counts = 1 + np.minimum(extra, 14)
    owner = rng.permutation(np.repeat(np.arange(m), counts))
    n, d = owner.size, int(rng.integers(5, 15))
    direction = rng.normal(size=(m, d))
    rows = direction[owner] + 0.7 * rng.normal(size=(n, d))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    rows *= np.exp(rng.uniform(np.log(0.05), np.log(5.0), size=n))[:, None]
    names = np.array([f"user{k:03d}" for k in rng.permutation(m)])
    numbers = rng.choice(np.arange(10, 10 * m + 10, 7), size=m, replace=False)
    small_c, large_c = float(rng.uniform(0.3, 1.0)), float(rng.uniform(2.0, 6.0))
    return [
        (rows, names[owner], small_c),
        (rows.tolist(), numbers[owner].tolist(), large_c),
    ]


def person_calls(rng: np.random.Generator) -> list[Call]:
    """The first fixed case as an array, the others as lists (inputs may be
    lists), then the random cases (an array and lists)."""
    first, *rest = PERSON_FIXED
    cases = [(np.array(first[0]), *first[1:]), *rest, *person_random_inputs(rng)]
    return [Call("clip_per_person", case, observe_args=True) for case in cases]


def person_totals(grads, ids) -> tuple[np.ndarray, np.ndarray]:
    """One row per person (in order of first appearance): the sum of that
    person's rows, and how many rows each person has."""
    g = np.asarray(grads, dtype=float)
    labels = list(ids)
    index = {p: k for k, p in enumerate(dict.fromkeys(labels))}
    totals, rows = np.zeros((len(index), g.shape[1])), np.zeros(len(index))
    for row, label in zip(g, labels, strict=True):
        totals[index[label]] += row
        rows[index[label]] += 1
    return totals, rows


def person_variants(grads, ids, c: float) -> dict[str, np.ndarray]:
    """The right answer and what the common mistakes return."""
    g = np.asarray(grads, dtype=float)
    totals, rows = person_totals(g, ids)
    raw = g.sum(axis=0)
    labels = list(ids)
    runs = [0] + [i for i in range(1, len(labels)) if labels[i] != labels[i - 1]]
    run_totals = np.add.reduceat(g, runs, axis=0) if len(g) else g
    return {
        "right": clip_gradients(totals, c).sum(axis=0),
        "runs": clip_gradients(run_totals, c).sum(axis=0),
        "rows": clip_gradients(g, c).sum(axis=0),
        "twice": clip_gradients(person_totals(clip_gradients(g, c), ids)[0], c).sum(
            axis=0
        ),
        "none": raw,
        "whole": raw * min(1.0, c / np.linalg.norm(raw)) if raw.any() else raw,
        "means": clip_gradients(totals / rows[:, None], c).sum(axis=0),
        "mean": clip_gradients(totals, c).mean(axis=0),
    }


PERSON_HINTS = {
    "runs": (
        "a person's rows need not be next to each other: group the rows by "
        "person_ids over the whole batch"
    ),
    "rows": (
        "clip each PERSON's total, not each row: a person with k rows clipped "
        "one by one still moves the sum by up to k * clip_norm"
    ),
    "twice": (
        "add up each person's raw rows first, then clip that total once "
        "(do not clip the rows before adding them)"
    ),
    "none": "clip each person's total to norm clip_norm before summing",
    "whole": "clip each person's total separately, not the sum over everyone",
    "means": "add up a person's rows (their total), do not average them",
    "mean": "return the SUM over people of the clipped totals, not their mean",
}


def person_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for outcome, call in zip(outcomes, calls, strict=True):
        if not outcome.ok:
            raise Fail(f"Your function raised an error: {outcome.error}")
        g, ids, c = call.args
        if outcome.args is not None and not _close(outcome.args[0], g):
            raise Fail("clip_per_person must not modify grads: work on a copy")
        variants = person_variants(g, ids, c)
        want = variants["right"]
        if _close(outcome.value, want):
            continue
        try:
            got = np.asarray(outcome.value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("clip_per_person must return a vector of numbers") from error
        if got.shape != want.shape:
            raise Fail(
                "return one vector of length d (the sum over people); got shape "
                f"{got.shape}"
            )
        if np.isnan(got).any():
            raise Fail("a total of zero must stay zero (no division by zero)")
        for name, hint in PERSON_HINTS.items():
            if not _close(variants[name], want) and _close(got, variants[name]):
                raise Fail(hint)
        raise Fail("the sum of the people's clipped totals is wrong")


# --------------------------------------------------------------------------
# Part 6: private_clip_norm (statistical)
# --------------------------------------------------------------------------

# The public check's case at epsilon 1e6 (the best candidate), a hand-written
# one, then random ones at epsilon 1e4 whose best score beats the second by at
# least CLIPNORM_MARGIN, so that the best candidate is returned except with
# probability below K exp(-1e4 * 0.05 / 2) < 1e-100.
CLIPNORM_FIXED = [
    ([0.2, 0.4, 0.4, 0.9, 3.0], [0.1, 0.4, 1.0, 5.0], 0.5, 1e6),
    ([1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 8.0, 9.0], [0.5, 1.0, 2.0, 4.0, 10.0], 0.9, 1e4),
]
CLIPNORM_MARGIN = 0.05
CLIPNORM_GRID = (0.05, 0.08, 0.14, 0.22, 0.36, 0.6, 1.0, 1.7, 2.8, 4.6)
# Statistical cases (quantile, epsilon), each with CLIPNORM_DRAWS calls with
# Generators of fresh seeds on one random set of norms; the first case also
# repeats the seeds of its first CLIPNORM_PAIRS calls.
CLIPNORM_CASES = [(0.5, 0.2), (0.9, 0.3), (0.75, 0.1)]
CLIPNORM_DRAWS = 3000
CLIPNORM_PAIRS = 100
# The first case's norms are redrawn until no candidate has probability above
# this, so an answer that ignores rng matches all pairs with probability at
# most CLIPNORM_PAIR_MAX ** CLIPNORM_PAIRS < 1e-7.
CLIPNORM_PAIR_MAX = 0.85
# Each case runs K exact binomial tests of P(c_k) and K - 1 of P(c <= c_k),
# K = len(CLIPNORM_GRID): 3 * 19 = 57 tests share the false-failure rate.
CLIPNORM_ALPHA = 1e-6 / (len(CLIPNORM_CASES) * (2 * len(CLIPNORM_GRID) - 1))


def clipnorm_probabilities(
    norms, candidates, quantile: float, epsilon: float, *, strict=False, half=True
) -> np.ndarray:
    """The exponential mechanism's probabilities (or a variant's)."""
    x = np.asarray(norms, dtype=float)
    c = np.asarray(candidates, dtype=float)
    below = (x[None, :] < c[:, None]) if strict else (x[None, :] <= c[:, None])
    scores = -np.abs(below.sum(axis=1) - quantile * x.size)
    logits = epsilon * scores / (2.0 if half else 1.0)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def clipnorm_norms(
    rng: np.random.Generator, n: int, grid, quantile: float | None = None
) -> np.ndarray:
    """n lognormal norms around 0.5, 30% of them equal to a candidate.

    With ``quantile``, the tied norms take the values of the three
    candidates nearest the norms' ``quantile`` (where the probabilities are
    large, so that counting ``< c`` instead of ``<= c`` changes them);
    otherwise any candidate's.
    """
    norms = np.exp(rng.normal(np.log(0.5), 1.0, size=n))
    grid = np.asarray(grid, dtype=float)
    if quantile is not None:
        target = np.quantile(norms, quantile)
        grid = grid[np.argsort(np.abs(np.log(grid / target)))[:3]]
    tie = rng.random(n) < 0.3
    norms[tie] = rng.choice(grid, size=int(tie.sum()))
    return norms


def clipnorm_argmax_inputs(rng: np.random.Generator) -> list[tuple]:
    """Eight random cases at epsilon 1e4 with a unique best candidate.

    20-59 norms (30% tied with a candidate), 5-11 candidates drawn from a
    log-uniform range and sorted, a quantile in (0.05, 0.95); redrawn until
    the best score beats the second by at least CLIPNORM_MARGIN, and, for
    half of the cases, by less than 0.5 (so that a count off by one person
    or a quantile of n +- 1 changes the winner).
    """
    cases = []
    while len(cases) < 8:
        k = int(rng.integers(5, 12))
        grid = np.unique(np.round(np.exp(rng.uniform(np.log(0.05), np.log(5), k)), 3))
        norms = clipnorm_norms(rng, int(rng.integers(20, 60)), grid)
        q = float(rng.uniform(0.05, 0.95))
        below = (norms[None, :] <= grid[:, None]).sum(axis=1)
        top = np.sort(-np.abs(below - q * norms.size))[::-1]
        if grid.size < 2 or top[0] - top[1] < CLIPNORM_MARGIN:
            continue
        if len(cases) % 2 == 0 and top[0] - top[1] >= 0.5:
            continue
        lists = len(cases) % 3 == 0
        cases.append((norms.tolist() if lists else norms, grid.tolist(), q, 1e4))
    return cases


def clipnorm_calls(rng: np.random.Generator) -> list[Call]:
    calls = [
        Call("private_clip_norm", (*case, np.random.default_rng(0)))
        for case in CLIPNORM_FIXED + clipnorm_argmax_inputs(rng)
    ]
    for case_index, (q, eps) in enumerate(CLIPNORM_CASES):
        norms = clipnorm_norms(rng, int(rng.integers(150, 250)), CLIPNORM_GRID, q)
        while case_index == 0 and (
            clipnorm_probabilities(norms, CLIPNORM_GRID, q, eps).max()
            > CLIPNORM_PAIR_MAX
        ):
            norms = clipnorm_norms(rng, int(rng.integers(150, 250)), CLIPNORM_GRID, q)
        seeds = rng.integers(2**63, size=CLIPNORM_DRAWS)
        if case_index == 0:
            seeds = np.concatenate([seeds, seeds[:CLIPNORM_PAIRS]])
        grid = list(CLIPNORM_GRID)
        calls += [
            Call("private_clip_norm", (norms, grid, q, eps, np.random.default_rng(s)))
            for s in seeds
        ]
    return calls


def _candidate_indices(values, candidates) -> np.ndarray:
    """The index of each returned value among the candidates, or Fail."""
    c = np.asarray(candidates, dtype=float)
    try:
        got = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise Fail("private_clip_norm must return a number") from error
    if got.size != len(values):
        raise Fail("private_clip_norm must return ONE candidate (a number)")
    hit = np.isclose(got[:, None], c[None, :], rtol=1e-12, atol=1e-12)
    if not hit.any(axis=1).all():
        raise Fail("return one of the candidates (a value from candidates)")
    return hit.argmax(axis=1)


def _counts_fit(counts: np.ndarray, p: np.ndarray) -> bool:
    """Exact binomial tests of each candidate's and each prefix's count."""
    total = int(counts.sum())
    cum_counts, cum_p = np.cumsum(counts)[:-1], np.cumsum(p)[:-1]
    return all(
        binomial_ok(int(k), total, float(min(max(pk, 0.0), 1.0)), CLIPNORM_ALPHA)
        for k, pk in zip(
            np.concatenate([counts, cum_counts]),
            np.concatenate([p, cum_p]),
            strict=True,
        )
    )


def clipnorm_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """The best candidate at huge epsilons, then the distribution of each case.

    Statistical cases: given the norms, a correct answer's choices are i.i.d.
    from the exponential mechanism's probabilities p, so each of the 19
    exact two-sided binomial tests of a case (the count of each candidate and
    of each prefix c_1..c_k) fails it with probability at most CLIPNORM_ALPHA
    = 1e-6 / 57, and the cell with probability at most 1e-6 (Bonferroni).
    Power, as an upper bound on a wrong answer's chance to pass the cell (the
    smallest pass probability of any one of its 57 tests, computed exactly
    from the binomial distribution, the largest over 100 submissions' random
    norms): exp(eps u) instead of exp(eps u / 2), 5e-50; exp(eps u / 4),
    3e-62; exp(eps u / 3), 6e-15; counting norms < c instead of <= c, 5e-129;
    the quantile 1 - q, and a uniform choice, below 1e-300. The repeated
    seeds: a correct answer returns the same candidate for two Generators of
    the same seed (it is a function of the Generator's state); an answer that
    draws from numpy's global generator instead matches all 100 pairs with
    probability (sum_k p_k^2)^100 <= 0.85^100 < 1e-7.
    """
    values = returned_values(outcomes)
    fixed = len(CLIPNORM_FIXED) + 8
    for value, call in zip(values[:fixed], calls[:fixed], strict=True):
        norms, candidates, q, eps, _ = call.args
        index = _candidate_indices([value], candidates)[0]
        p = clipnorm_probabilities(norms, candidates, q, eps)
        if index == int(p.argmax()):
            continue
        if clipnorm_probabilities(norms, candidates, q, eps, strict=True)[index] > 0.1:
            raise Fail("count the norms at most c (norms equal to c count as <= c)")
        if index == int(clipnorm_probabilities(norms, candidates, 1 - q, eps).argmax()):
            raise Fail("aim at quantile * n norms below c, not (1 - quantile) * n")
        raise Fail(
            "with a huge epsilon the candidate with the best score must be chosen"
        )
    start = fixed
    for case_index, (q, eps) in enumerate(CLIPNORM_CASES):
        size = CLIPNORM_DRAWS + (CLIPNORM_PAIRS if case_index == 0 else 0)
        chunk, case_calls = values[start : start + size], calls[start : start + size]
        start += size
        norms, candidates = case_calls[0].args[0], case_calls[0].args[1]
        index = _candidate_indices(chunk, candidates)
        if case_index == 0 and not np.array_equal(
            index[:CLIPNORM_PAIRS], index[CLIPNORM_DRAWS:]
        ):
            raise Fail(
                "draw from rng, the Generator passed to the function: two "
                "Generators with the same seed must give the same choice"
            )
        counts = np.bincount(index[:CLIPNORM_DRAWS], minlength=len(candidates))
        if _counts_fit(counts, clipnorm_probabilities(norms, candidates, q, eps)):
            continue
        variants = {
            "the probabilities are proportional to exp(epsilon * u / 2), "
            "not exp(epsilon * u)": dict(half=False),
            "count the norms at most c (norms equal to c count as <= c)": dict(
                strict=True
            ),
        }
        for hint, kw in variants.items():
            if _counts_fit(
                counts, clipnorm_probabilities(norms, candidates, q, eps, **kw)
            ):
                raise Fail(hint)
        if (counts > 0).sum() == 1:
            raise Fail(
                "draw a candidate at random with the exponential mechanism's "
                "probabilities; do not always return the best one"
            )
        raise Fail(
            "the candidates are not drawn with probabilities proportional to "
            f"exp(epsilon * u(c) / 2) (case quantile={q}, epsilon={eps})"
        )


TESTS = {
    "test_per_example_gradients": Test(grad_calls, grad_check),
    "test_clip_each": Test(clip_calls, clip_check),
    "test_noisy_gradient_sum": Test(noisy_calls, noisy_check),
    "test_best_advantage": Test(adv_calls, adv_check),
    "test_clip_per_person": Test(person_calls, person_check),
    "test_private_clip_norm": Test(clipnorm_calls, clipnorm_check),
}
