"""Hidden tests of homework 6 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw06.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- ``test_unique_share`` and ``test_k_anonymity_report``: 5,000 to 20,000
  random rows of the notebook's ``people`` (Adult with the course's synthetic
  identifiers), or of its generalisations, and a copy with the ZIP codes of 20
  to 60 random rows missing, one of which is alone in its class by
  construction (so that dropping the rows with a missing value always changes
  the answer);
- ``test_target_value``: five random targets in a random ZIP code of
  ``people``, and synthetic means whose target value is never a whole number
  and never equal to the mean of the rest;
- ``test_lstsq_reconstruct``: every case but the public check's: random
  sizes, balanced random secrets, random queries (those of the uniform-noise
  case asked twice each, so that the square system of the first queries is
  singular) and noise, redrawn until the queries have full column rank and
  least squares puts every bit within 0.4 of its true value; and one case of
  90 to 110 people with Gaussian errors of scale 2.5, redrawn until rounding
  at 1/4 or 3/4 instead of 1/2 changes more than 6% of the bits. Its check
  takes the least-squares decoding of each call as the secret: it is, by
  construction for the first drawn cases and as computed once for the public
  one (in the last case it is what least squares must return);
- ``test_lp_reconstruct``: the public cases, then an exact case of 8 or 9
  people (as plain lists) and four noisy ones of 40 to 70 people with 3n or
  4n random queries, full column rank: uniform errors up to the bound
  0.15 sqrt(n) (redrawn until clipped least squares and the chapter's L1
  decoding each miss some answer by more than the bound + 0.01), errors of
  exactly +-0.25 sqrt(n), uniform errors up to 0.5 sqrt(n) (redrawn until
  the point found without the upper bound 1 leaves [0, 1] and the rounding of
  a consistent point misses an answer, each by more than 0.01), and errors of
  half the bound 0.5 sqrt(n). The check is the specification itself: every
  entry in [0, 1] and every answer within the bound, both to 1e-6, and, from
  exact answers, the secret (the only consistent point). Any consistent
  point passes, whatever the solver or objective;
- ``test_link_records``: the public cases (a small table and the notebook's
  release and voter list), then twice: 3,000 to 6,000 random people of
  ``people`` under random index labels, an identified list of 50% to 70% of
  them and 200 to 400 outsiders on ZIP, sex and birth year, with one certain
  link's ZIP code missing in both tables and 20 to 40 other missing ZIP codes
  in each; redrawn until a plain join, uniqueness in one table only, and
  matching missing values each change the answer. The check compares the
  (label, name) pairs and their order with the reference exactly.

The checks compute their references from the calls they receive.

Fixed: the public checks' cases (among them the notebook's ``people``), the
small hand-written cases and the public ZIP code's target. No answer of this
homework is randomised, so the checks are deterministic: the shares, k and
the targets are compared with the reference at a tolerance of 1e-9, and the
reconstruction part requires every bit from exact answers and at least 95% of
the bits from lightly noisy answers (least squares recovers all of them, by
construction; LP decoding passed on every draw tried), never one particular
vector from noisy answers; the linear programme's check allows 1e-6 for the
solver's floating point. The false-failure rate is zero.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from course_lib.datasets import load_adult
from course_lib.privacy import (
    adult_with_identifiers,
    answer_queries,
    dinur_nissim_reconstruct,
    generalize,
    homogeneity_attack,
    k_anonymity,
    reconstruction_rate,
    subset_sum_queries,
    uniqueness,
)
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

ATOL = 1e-9
#: The columns of ``people`` the homework uses.
PEOPLE_COLUMNS = [
    "zip",
    "sex",
    "birth_date",
    "birth_year",
    "age",
    "race",
    "income",
    "hours_per_week",
    "occupation",
]


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise Fail(f"{name} must be a number; got {type(value).__name__}")
    return float(value)


@functools.cache
def people() -> pd.DataFrame:
    """The notebook's ``people``: Adult with the course's synthetic identifiers
    of seed 0."""
    data = adult_with_identifiers(load_adult("all"), rng=np.random.default_rng(0))
    data["birth_year"] = data["birth_date"].dt.year
    return data[PEOPLE_COLUMNS]


def sample_rows(data: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """5,000 to 20,000 random rows of ``data`` (in their order), renumbered."""
    size = min(len(data), int(rng.integers(5_000, 20_001)))
    rows = np.sort(rng.choice(len(data), size, replace=False))
    return data.iloc[rows].reset_index(drop=True)


def without_some_zips(
    data: pd.DataFrame, rng: np.random.Generator, others: list[str]
) -> pd.DataFrame:
    """A copy of ``data`` with the ZIP codes of 20 to 60 random rows missing.

    The first of them differs on ``others`` from every other row whose ZIP
    code goes missing: with the ZIP code and ``others`` as quasi-identifiers,
    it is alone in its class (unique, and homogeneous), so dropping the rows
    with a missing value always changes the answer.
    """
    first = int(rng.integers(len(data)))
    differ = (data[others] != data[others].iloc[first]).any(axis=1).to_numpy()
    size = int(rng.integers(19, 60))
    rest = rng.choice(np.flatnonzero(differ), size, replace=False)
    out = data.copy()
    out.loc[[first, *rest], "zip"] = np.nan
    return out


# --------------------------------------------------------------------------
# Part 1: unique_share
# --------------------------------------------------------------------------

# Groups: (1,F) x2, (2,M), (NaN,F) x2, (NaN,M), (3,M): 3 of 7 rows are unique;
# missing values count as a value, so (NaN, M) is unique.
SMALL_NAN = pd.DataFrame(
    {
        "zip": ["1", "1", "2", np.nan, np.nan, "3", np.nan],
        "sex": ["F", "F", "M", "F", "M", "M", "F"],
        "age": [30, 31, 30, 30, 30, 30, 30],
    }
)
# The public checks' table.
SMALL = pd.DataFrame({"zip": ["1", "1", "2", "3"], "sex": ["F", "F", "F", "M"]})


@functools.cache
def fixed_unique_inputs() -> list[tuple]:
    """The public checks' cases and hand-written ones with missing values."""
    return [
        (SMALL, ["zip", "sex"]),
        (SMALL, ["sex"]),
        (SMALL_NAN, ["zip", "sex"]),
        (SMALL_NAN, ["sex", "age"]),
        (people()[["zip", "sex", "birth_date"]], ["zip", "sex", "birth_date"]),
    ]


def unique_variants(df: pd.DataFrame, qi: list[str]) -> dict[str, float]:
    """The share of unique rows that each catalogued mistake returns."""
    n = len(df)
    size = df.groupby(qi, dropna=True)[qi[0]].transform("size")
    dropped = df[qi].isna().any(axis=1)
    return {
        "count": float((~df.duplicated(subset=qi, keep=False)).sum()),
        "distinct": len(df[qi].drop_duplicates()) / n,
        "drops_missing": float((size == 1).mean()),
        "drops_missing_rows": float((size[~dropped] == 1).mean()),
    }


def drawn_unique_inputs(rng: np.random.Generator) -> list[tuple]:
    """Random rows of ``people`` on three sets of quasi-identifiers, then on
    the first with some ZIP codes missing (see :func:`without_some_zips`)."""
    data = sample_rows(people(), rng)
    qi = ["zip", "sex", "birth_year"]
    missing = without_some_zips(data[qi], rng, ["sex", "birth_year"])
    return [
        (data[qi], qi),
        (data[["sex", "age", "race"]], ["sex", "age", "race"]),
        (data[["zip", "birth_date"]], ["zip", "birth_date"]),
        (missing, qi),
    ]


def unique_calls(rng: np.random.Generator) -> list[Call]:
    inputs = [*fixed_unique_inputs(), *drawn_unique_inputs(rng)]
    return [Call("unique_share", args) for args in inputs]


def unique_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        df, qi = call.args
        got = _number(value, "unique_share's result")
        want = uniqueness(df, qi)
        if abs(got - want) <= ATOL:
            continue
        variants = unique_variants(df, qi)
        if got > 1:
            raise Fail("return the share of rows (between 0 and 1), not a count")
        if abs(got - variants["distinct"]) <= ATOL:
            raise Fail(
                "you computed the number of distinct combinations over the number "
                "of rows; a row is unique only if no OTHER row shares its values"
            )
        if (
            abs(got - variants["drops_missing"]) <= ATOL
            or abs(got - variants["drops_missing_rows"]) <= ATOL
        ):
            raise Fail(
                "a missing value counts as a value like any other: rows with a "
                "missing quasi-identifier must not be dropped (groupby drops them "
                "unless dropna=False)"
            )
        raise Fail(f"wrong share of unique rows for quasi-identifiers {qi}")


# --------------------------------------------------------------------------
# Part 2: k_anonymity_report
# --------------------------------------------------------------------------

SMALL_K = pd.DataFrame(
    {
        "zip": ["130**"] * 3 + ["148**"] * 3 + ["150**"] * 2 + ["151**"],
        "age": ["20-29"] * 3 + ["30-39"] * 3 + ["40-49"] * 2 + ["50-59"],
        "disease": ["flu", "flu", "flu", "flu", "hiv", "flu", "cold", "hiv", "flu"],
    }
)
# The missing ZIP forms a class of one (k = 1), homogeneous like 148**: 3 of 5.
SMALL_K_NAN = pd.DataFrame(
    {
        "zip": ["130**", "130**", np.nan, "148**", "148**"],
        "disease": ["flu", "hiv", "flu", "cold", "cold"],
    }
)
# The public checks' table: its first six rows.
HOSPITAL = SMALL_K.iloc[:6]

FIXED_K_INPUTS = [
    (HOSPITAL, ["zip", "age"], "disease"),
    (SMALL_K, ["zip", "age"], "disease"),
    (HOSPITAL, ["zip"], "disease"),
    (SMALL_K_NAN, ["zip"], "disease"),
]


K_QI = ["zip", "age", "sex"]


@functools.cache
def generalized_people() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``people`` with age in 10-year bins (sensitive: income) and in 20-year
    bins (sensitive: occupation, where known)."""
    data = people()
    coarse = generalize(data[[*K_QI, "income"]], {"age": 10})
    coarse20 = generalize(data[[*K_QI, "occupation"]], {"age": 20})
    return coarse, coarse20[coarse20["occupation"].notna()]


def drawn_k_inputs(rng: np.random.Generator) -> list[tuple]:
    """Random rows of :func:`generalized_people`: in 10-year bins with and
    without the classes of fewer than five people (redrawn if there is none),
    the same with some ZIP codes missing (see :func:`without_some_zips`), and
    in 20-year bins."""
    while True:
        coarse, coarse20 = (sample_rows(data, rng) for data in generalized_people())
        size = coarse.groupby(K_QI, observed=True)["sex"].transform("size")
        if (size >= 5).any():
            break
    return [
        (coarse[size >= 5].reset_index(drop=True), K_QI, "income"),
        (coarse, K_QI, "income"),
        (without_some_zips(coarse, rng, ["age", "sex"]), K_QI, "income"),
        (coarse20, ["zip", "sex"], "occupation"),
    ]


def k_missing_variant(df: pd.DataFrame, qi: list[str], sensitive: str) -> float:
    """The homogeneous share when rows with a missing quasi-identifier are
    dropped from the classes (groupby's default dropna=True)."""
    distinct = df.groupby(qi, observed=True)[sensitive].transform("nunique")
    return float((distinct == 1).mean())


def k_calls(rng: np.random.Generator) -> list[Call]:
    inputs = [*FIXED_K_INPUTS, *drawn_k_inputs(rng)]
    return [Call("k_anonymity_report", args) for args in inputs]


def k_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        df, qi, sensitive = call.args
        if not isinstance(value, dict) or set(value) != {"k", "homogeneous_share"}:
            raise Fail(
                "k_anonymity_report must return a dict with exactly the keys 'k' "
                "and 'homogeneous_share'"
            )
        k = _number(value["k"], "'k'")
        share = _number(value["homogeneous_share"], "'homogeneous_share'")
        size = df.groupby(qi, dropna=False, observed=True)[sensitive].transform("size")
        want_k = k_anonymity(df, qi)
        if k != want_k:
            if k == 0:
                raise Fail(
                    "combinations that occur in no row are not classes: group "
                    "categorical columns with observed=True"
                )
            n_classes = df.groupby(qi, dropna=False, observed=True).ngroups
            if k == n_classes and n_classes != want_k:
                raise Fail(
                    "k is the size of the smallest class, not the number of classes"
                )
            kept = df[qi].notna().all(axis=1)
            if kept.any() and k == size[kept].min():
                raise Fail(
                    "rows with a missing quasi-identifier form classes too: do not "
                    "drop them (use dropna=False)"
                )
            if k == size.max():
                raise Fail(
                    "k is the size of the SMALLEST equivalence class, not the largest"
                )
            raise Fail(f"wrong k for quasi-identifiers {qi}")
        want_share = homogeneity_attack(df, qi, sensitive)
        if abs(share - want_share) <= ATOL:
            continue
        ids = df.groupby(qi, dropna=False, observed=True).ngroup()
        distinct = df[sensitive].groupby(ids).nunique()
        if abs(share - (distinct == 1).mean()) <= ATOL:
            raise Fail(
                "homogeneous_share is a share of ROWS (people), not of classes: "
                "weight each class by its size"
            )
        rowwise = df[sensitive].groupby(ids).transform("nunique") == 1
        if abs(share - (rowwise & (size > 1)).mean()) <= ATOL:
            raise Fail(
                "a class of one person is homogeneous too: their sensitive value is "
                "revealed by their quasi-identifiers alone"
            )
        if abs(share - k_missing_variant(df, qi, sensitive)) <= ATOL:
            raise Fail(
                "rows with a missing quasi-identifier form classes too: do not "
                "drop them (use dropna=False)"
            )
        raise Fail(f"wrong homogeneous_share for sensitive column {sensitive!r}")


# --------------------------------------------------------------------------
# Part 3: target_value
# --------------------------------------------------------------------------


@functools.cache
def public_zip_hours() -> np.ndarray:
    """Hours per week of the people in the ZIP code of the first row of the
    notebook's ``people`` (the public check's group)."""
    data = people()
    in_zip = (data["zip"] == data["zip"].iloc[0]).to_numpy()
    return data["hours_per_week"].to_numpy(dtype=float)[in_zip]


@functools.cache
def zip_hours() -> list[np.ndarray]:
    """Hours per week of the people of each ZIP code of ``people`` with at
    least six residents."""
    data = people()
    groups = data.groupby("zip")["hours_per_week"]
    return [h.to_numpy(dtype=float) for _, h in groups if len(h) >= 6]


def fixed_target_inputs() -> list[tuple]:
    """The public checks' cases and hand-written ones."""
    hours = public_zip_hours()
    return [
        (40.0, 39.5, 3),
        (np.array([40.0, 10.0]), np.array([39.5, 10.0]), np.array([3, 100])),
        (hours.mean(), hours[1:].mean(), len(hours)),
        (50.5, 50.0, 3),
        (10.0, 10.25, 5),
        (100.0, 100.0, 1000),
        (np.array([2.0, 3.5]), np.array([1.0, 3.0]), np.array([2, 4])),
    ]


def random_zip_targets(rng: np.random.Generator) -> tuple:
    """(mean of all, mean of the rest, size) for five random targets in a random
    ZIP code of ``people`` with at least six residents, as arrays."""
    options = zip_hours()
    hours = options[int(rng.integers(len(options)))]
    targets = rng.choice(len(hours), 5, replace=False)
    means_rest = (hours.sum() - hours[targets]) / (len(hours) - 1)
    return np.full(5, hours.mean()), means_rest, np.full(5, len(hours))


def random_means(rng: np.random.Generator, size: int) -> tuple:
    """(mean of all, mean of the rest, group size) for ``size`` synthetic groups
    of 2 to 500 people.

    The targets are 40 to 60 plus a fraction in [0.25, 0.75] (never whole
    numbers) and the rest's means 0.5 to 30 above or below them (positive, and
    never equal to the target, so the mean of all differs from theirs).
    """
    n_all = rng.integers(2, 501, size)
    target = rng.integers(40, 61, size) + rng.uniform(0.25, 0.75, size)
    mean_rest = target + rng.choice([-1, 1], size) * rng.uniform(0.5, 30, size)
    mean_all = ((n_all - 1) * mean_rest + target) / n_all
    return mean_all, mean_rest, n_all


def target_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, random targets in a random ZIP code, then synthetic
    means: one group as plain floats and an int, and 3 to 10 as arrays."""
    mean_all, mean_rest, n_all = random_means(rng, 1)
    inputs = [
        *fixed_target_inputs(),
        random_zip_targets(rng),
        (float(mean_all[0]), float(mean_rest[0]), int(n_all[0])),
        random_means(rng, int(rng.integers(3, 11))),
    ]
    return [Call("target_value", args) for args in inputs]


def target_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        mean_all, mean_rest, n_all = call.args
        want = np.asarray(
            n_all * np.asarray(mean_all) - (np.asarray(n_all) - 1) * mean_rest
        )
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Fail(
                "target_value must return a number or an array of numbers"
            ) from None
        if got.shape != want.shape:
            raise Fail(
                "target_value must work elementwise: arrays in, an array of the same "
                "shape out"
            )
        if np.allclose(got, want, rtol=1e-9, atol=1e-6):
            continue
        diff = np.asarray(mean_all) - mean_rest
        if np.allclose(got, diff, rtol=1e-9, atol=1e-6):
            raise Fail(
                "the difference of the two means is not the target's value: "
                "turn each mean back into a total first"
            )
        if np.allclose(got, np.asarray(n_all) * diff, rtol=1e-9, atol=1e-6):
            raise Fail("the rest of the group has n_all - 1 people, not n_all")
        if np.allclose(got, np.round(want), atol=1e-6):
            raise Fail("do not round: the target's value need not be a whole number")
        raise Fail("wrong value for the target")


# --------------------------------------------------------------------------
# Part 4: lstsq_reconstruct
# --------------------------------------------------------------------------


@functools.cache
def public_reconstruct_inputs() -> list[tuple]:
    """The public check's queries with exact and with noisy answers (least
    squares recovers every bit of both)."""
    rng = np.random.default_rng(2026)
    secret = rng.integers(0, 2, size=30)
    queries = rng.integers(0, 2, size=(120, 30))
    noisy = queries @ secret + rng.uniform(-0.5, 0.5, size=120)
    return [(queries, queries @ secret), (queries, noisy)]


#: (people, queries, noise, scale, queries asked twice) of each drawn case, as
#: functions of the number of people n drawn from the range given.
RECONSTRUCT_CASES = [
    ((8, 9), lambda n: 4 * n, "uniform", 0.0, False),
    ((50, 71), lambda n: 4 * n, "uniform", 0.0, False),
    ((90, 111), lambda n: n + 30, "uniform", 0.0, False),
    ((90, 111), lambda n: 4 * n, "gaussian", 0.5, False),
    ((70, 91), lambda n: 5 * n, "laplace", 0.5, False),
    ((90, 111), lambda n: 4 * n, "uniform", 1.0, True),
]


def draw_reconstruction(
    rng: np.random.Generator, n: int, m: int, noise: str, scale: float, twice: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Queries and answers about a random secret of n bits, half of them 1.

    With ``twice``, the first n queries come in pairs of equal queries (each
    answered with its own noise). Redrawn until the queries have full column
    rank and least squares puts every bit within 0.4 of its true value: so
    its decoding is the secret.
    """
    while True:
        secret = (rng.permutation(n) < n // 2).astype(int)
        queries = subset_sum_queries(n, m, rng=rng)
        if twice:
            queries[1:n:2] = queries[0 : n - 1 : 2]
        answers = answer_queries(queries, secret, scale, rng=rng, noise=noise)
        estimate, _, rank, _ = np.linalg.lstsq(queries.astype(float), answers)
        if rank == n and np.abs(estimate - secret).max() < 0.4:
            return queries, answers


def draw_spread(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """90 to 110 people, 4n queries, Gaussian errors of scale 2.5: least
    squares spreads its estimates, so the rounding threshold matters.

    Redrawn until no estimate is within 1e-6 of 1/2 and rounding at 1/4 or at
    3/4 agrees with rounding at 1/2 on less than 94% of the bits (the check
    asks 95% agreement with least squares rounded at 1/2).
    """
    n = int(rng.integers(90, 111))
    while True:
        secret = (rng.permutation(n) < n // 2).astype(int)
        queries = subset_sum_queries(n, 4 * n, rng=rng)
        answers = answer_queries(queries, secret, 2.5, rng=rng, noise="gaussian")
        estimate = np.linalg.lstsq(queries.astype(float), answers)[0]
        at_half = estimate >= 0.5
        if np.abs(estimate - 0.5).min() > 1e-6 and all(
            np.mean((estimate >= cut) == at_half) < 0.94 for cut in (0.25, 0.75)
        ):
            return queries, answers


def reconstruct_calls(rng: np.random.Generator) -> list[Call]:
    """The public cases, then the drawn ones (the smallest as plain lists),
    and a case whose estimates spread (the rounding threshold matters)."""
    inputs = list(public_reconstruct_inputs())
    for (low, high), queries_for, noise, scale, twice in RECONSTRUCT_CASES:
        n = int(rng.integers(low, high))
        q, a = draw_reconstruction(rng, n, queries_for(n), noise, scale, twice)
        if n < 10:  # plain lists must work too
            q, a = q.astype(int).tolist(), a.tolist()
        inputs.append((q, a))
    inputs.append(draw_spread(rng))
    return [Call("lstsq_reconstruct", args) for args in inputs]


def reconstruct_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for outcome in outcomes:
        if outcome.error is not None and outcome.error.startswith("LinAlgError"):
            raise Fail(
                "np.linalg raised an error: a square system of some of the queries "
                "can be singular (the same query may be asked twice); solve the "
                "least-squares problem over ALL the queries"
            )
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        queries, answers = call.args
        # By construction (and checked for the public case), this is the secret.
        secret = dinur_nissim_reconstruct(queries, answers, method="lstsq")
        exact = np.allclose(answers, np.round(answers), rtol=0, atol=1e-12)
        try:
            got = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Fail("lstsq_reconstruct must return an array of 0/1 values") from None
        if got.shape != secret.shape:
            raise Fail(
                f"return one bit per person (length {secret.size}); got shape {got.shape}"
            )
        if not np.isin(got, (0, 1)).all():
            raise Fail(
                "the least-squares solution is a real vector: round each entry to 0 "
                "or 1 (at 1/2) before returning it"
            )
        rate = reconstruction_rate(got, secret)
        if exact and rate < 1:
            raise Fail(
                "from exact answers least squares recovers every bit: check the "
                "rounding threshold (1/2) and that you use all the queries"
            )
        if not exact and rate < 0.95:
            raise Fail(
                f"from noisy answers only {rate:.0%} of your bits agree with least "
                "squares over ALL the queries, rounded at 1/2 (95% needed)"
            )


# --------------------------------------------------------------------------
# Part 5: lp_reconstruct
# --------------------------------------------------------------------------

#: Slack allowed on each condition, for the solver's floating point.
LP_TOL = 1e-6


def consistent_point(queries, answers, bound, *, upper=1.0, two_sided=True):
    """A point of {0 <= x <= upper, |A x - b| <= bound} (HiGHS, zero objective);
    with ``upper=None`` or ``two_sided=False``, the shortcuts of the bank."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    a_ub = np.vstack([a, -a]) if two_sided else a
    b_ub = np.concatenate([b + bound, bound - b]) if two_sided else b + bound
    result = linprog(
        np.zeros(a.shape[1]), A_ub=a_ub, b_ub=b_ub, bounds=[(0, upper)] * a.shape[1]
    )
    return result.x


def lp_violations(queries, answers, bound, x) -> tuple[float, float]:
    """How far x is outside [0, 1], and how far its worst answer is beyond bound."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    box = float(max(-x.min(), x.max() - 1, 0.0))
    return box, float(np.abs(a @ x - b).max() - bound)


@functools.cache
def public_lp_inputs() -> list[tuple]:
    """The public checks' queries, with exact answers and with uniform errors
    in [-3, 3] and a bound of 3."""
    rng = np.random.default_rng(2027)
    secret = rng.integers(0, 2, size=40)
    queries = rng.integers(0, 2, size=(160, 40))
    noisy = queries @ secret + rng.uniform(-3, 3, size=160)
    return [(queries, queries @ secret, 0.0), (queries, noisy, 3.0)]


#: (people, queries per person, noise, bound as a multiple of sqrt(n), noise
#: level as a share of the bound, shortcuts that must fail) of each drawn case.
LP_CASES = [
    ((8, 10), 4, "none", 0.0, 0.0, ()),
    ((40, 61), 4, "uniform", 0.15, 1.0, ("lstsq", "l1")),
    ((40, 61), 3, "extremes", 0.25, 1.0, ()),
    ((50, 71), 4, "uniform", 0.5, 1.0, ("unbounded", "rounded")),
    ((40, 61), 4, "uniform", 0.5, 0.5, ()),
]


def shortcut_point(name: str, queries, answers, bound) -> np.ndarray:
    """The vector that a recognised shortcut returns."""
    a = np.asarray(queries, dtype=float)
    b = np.asarray(answers, dtype=float)
    if name == "unbounded":
        return consistent_point(a, b, bound, upper=None)
    if name == "rounded":
        return np.round(consistent_point(a, b, bound))
    if name == "lstsq":
        return np.clip(np.linalg.lstsq(a, b)[0], 0, 1)
    # "l1": the chapter's LP decoding, minimising sum_j |(A x)_j - b_j|.
    m, n = a.shape
    result = linprog(
        np.concatenate([np.zeros(n), np.ones(m)]),
        A_ub=np.block([[a, -np.eye(m)], [-a, -np.eye(m)]]),
        b_ub=np.concatenate([b, -b]),
        bounds=[(0, 1)] * n + [(0, None)] * m,
    )
    return result.x[:n]


def draw_lp(
    rng: np.random.Generator,
    n: int,
    m: int,
    noise: str,
    bound: float,
    level: float,
    shortcuts: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, float]:
    """Random queries about a balanced secret of n bits, with errors within
    ``level * bound`` (uniform, or all at +-bound for "extremes").

    Redrawn until the queries have full column rank (so exact answers leave
    only the secret) and every one of ``shortcuts`` breaks a condition by
    more than 0.01 (leaves [0, 1], or misses an answer by more than bound).
    """
    while True:
        secret = (rng.permutation(n) < n // 2).astype(int)
        queries = rng.integers(0, 2, size=(m, n))
        if np.linalg.matrix_rank(queries) < n:
            continue
        if noise == "uniform":
            errors = rng.uniform(-level * bound, level * bound, m)
        elif noise == "extremes":
            errors = bound * rng.choice([-1.0, 1.0], m)
        else:
            errors = np.zeros(m)
        answers = queries @ secret + errors
        if all(
            max(lp_violations(queries, answers, bound, point)) > 0.01
            for point in (
                shortcut_point(name, queries, answers, bound) for name in shortcuts
            )
        ):
            return queries, answers, bound


def lp_calls(rng: np.random.Generator) -> list[Call]:
    """The public cases, then the drawn ones; the smallest as plain lists."""
    inputs = list(public_lp_inputs())
    for (low, high), per_person, noise, multiple, level, shortcuts in LP_CASES:
        n = int(rng.integers(low, high))
        q, a, bound = draw_lp(
            rng, n, per_person * n, noise, multiple * np.sqrt(n), level, shortcuts
        )
        if n < 10:
            q, a = q.tolist(), a.tolist()
        inputs.append((q, a, float(bound)))
    return [Call("lp_reconstruct", args) for args in inputs]


def lp_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        queries, answers, bound = call.args
        n = np.shape(queries)[1]
        try:
            x = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Fail("lp_reconstruct must return an array of n numbers") from None
        if x.shape != (n,):
            raise Fail(
                f"return one number per person (length {n}); got shape {x.shape}"
            )
        if not np.isfinite(x).all():
            raise Fail("every entry of x must be a finite number")
        box, excess = lp_violations(queries, answers, bound, x)
        if box > LP_TOL:
            raise Fail(
                "every entry of x must lie in [0, 1]: give linprog the bounds "
                "(0, 1) for each person (its default is (0, None))"
            )
        if excess > LP_TOL:
            residual = np.asarray(queries, dtype=float) @ x - np.asarray(answers)
            if residual.max() <= bound + LP_TOL:
                raise Fail(
                    "some answers are more than bound ABOVE A x: the condition "
                    "|(A x)_j - b_j| <= bound has two sides"
                )
            if np.isin(x, (0, 1)).all():
                raise Fail(
                    "return the consistent real vector itself, not its rounding: "
                    "the rounded vector need not be within bound of every answer"
                )
            raise Fail(
                f"an answer is {excess + bound:.3f} away from A x, more than the "
                f"bound {bound:.3f}"
            )
        if bound == 0:
            secret = np.round(np.linalg.lstsq(np.asarray(queries, float), answers)[0])
            if not (np.round(x) == secret).all():
                raise Fail("from exact answers, x must round to the secret")


# --------------------------------------------------------------------------
# Part 6: link_records
# --------------------------------------------------------------------------

LINK_QI = ["zip", "sex", "birth_year"]


@functools.cache
def named_people() -> pd.DataFrame:
    """The notebook's ``people`` with its names (and birth years)."""
    data = adult_with_identifiers(load_adult("all"), rng=np.random.default_rng(0))
    data["birth_year"] = data["birth_date"].dt.year
    return data


def link_reference(released, identified, qi, *, drop_missing=True, unique_in="both"):
    """The certain links (index label -> name), in the order of ``released``;
    the keywords give the recognised mistakes."""
    qi = list(qi)
    rel = released[qi]
    ids = identified[[*qi, "name"]]
    if drop_missing:
        rel, ids = rel.dropna(), ids.dropna(subset=qi)
    if unique_in in ("both", "released"):
        rel = rel[~rel.duplicated(keep=False)]
    if unique_in in ("both", "identified"):
        ids = ids[~ids.duplicated(subset=qi, keep=False)]
    linked = rel.reset_index(names="_row").merge(ids, on=qi, how="inner")
    return list(zip(linked["_row"].tolist(), linked["name"].tolist(), strict=True))


def link_variants(released, identified, qi) -> dict[str, list]:
    return {
        "missing": link_reference(released, identified, qi, drop_missing=False),
        "released": link_reference(released, identified, qi, unique_in="released"),
        "identified": link_reference(released, identified, qi, unique_in="identified"),
        "join": link_reference(released, identified, qi, unique_in="neither"),
    }


@functools.cache
def public_link_inputs() -> list[tuple]:
    """The public checks' small tables and the notebook's release and voters."""
    released = pd.DataFrame(
        {
            "zip": ["1", "1", "2", "3", "4", None],
            "sex": ["F", "F", "M", "M", "F", "F"],
            "income": list("abcdef"),
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    identified = pd.DataFrame(
        {
            "name": ["Ann", "Bob", "Cy", "Dee", "Eve"],
            "zip": ["1", "2", "3", "3", None],
            "sex": ["F", "M", "M", "M", "F"],
        }
    )
    data = named_people()
    release = data.drop(columns=["name", "birth_year"]).set_index(data.index + 100_000)
    voters = data.sample(frac=0.6, random_state=1)[["name", "zip", "sex", "birth_date"]]
    return [
        (released, identified, ["zip", "sex"]),
        (release, voters, ["zip", "sex", "birth_date"]),
    ]


def draw_link(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """3,000 to 6,000 random people, released without names under random index
    labels; the identified list holds 50% to 70% of them and 200 to 400 people
    who are not in the release, in random order. Quasi-identifiers: ZIP, sex
    and birth year (coarse enough for duplicates in both tables).

    One released person who is linked with certainty gets a missing ZIP code
    in both tables, and so do 20 to 40 released and 20 to 40 identified rows
    of other (sex, birth year): only that person's two rows then share a
    combination with a missing value. Redrawn until every recognised mistake
    changes the answer.
    """
    data = named_people()[["name", "zip", "sex", "birth_year", "income", "age"]]
    while True:
        size = int(rng.integers(3000, 6001))
        rows = rng.choice(len(data), size + 400, replace=False)
        inside, outside = data.iloc[rows[:size]], data.iloc[rows[size:]]
        labels = rng.choice(10**7, size, replace=False)
        released = inside.drop(columns="name").set_axis(labels).copy()
        keep = rng.random(size) < rng.uniform(0.5, 0.7)
        extra = outside.iloc[: int(rng.integers(200, 401))]
        identified = pd.concat([inside[keep], extra])
        identified = identified[["name", *LINK_QI]].sample(frac=1, random_state=rng)
        identified = identified.reset_index(drop=True)
        links = link_reference(released, identified, LINK_QI)
        if not links:
            continue
        label, name = links[int(rng.integers(len(links)))]
        person = released.loc[label, ["sex", "birth_year"]]
        other_rel = (released[["sex", "birth_year"]] != person).any(axis=1)
        other_ids = (identified[["sex", "birth_year"]] != person).any(axis=1)
        lost_rel = rng.choice(released.index[other_rel], int(rng.integers(20, 41)))
        lost_ids = rng.choice(identified.index[other_ids], int(rng.integers(20, 41)))
        released.loc[[label, *lost_rel], "zip"] = None
        identified.loc[identified["name"] == name, "zip"] = None
        identified.loc[lost_ids, "zip"] = None
        want = link_reference(released, identified, LINK_QI)
        variants = link_variants(released, identified, LINK_QI)
        if all(v != want for v in variants.values()):
            return released, identified, list(LINK_QI)


def link_calls(rng: np.random.Generator) -> list[Call]:
    """The public cases, then two drawn ones."""
    cases = [*public_link_inputs(), draw_link(rng), draw_link(rng)]
    return [Call("link_records", case) for case in cases]


LINK_HINTS = {
    "missing": "a missing value identifies no one: leave out the rows with a "
    "missing quasi-identifier (pandas matches missing values with each other)",
    "released": "a combination must also occur exactly once in the identified "
    "list: two voters with it could be either person",
    "identified": "a combination must also occur exactly once in the release: "
    "two released rows with it could be either voter",
    "join": "keep only the combinations that occur exactly once in each table: "
    "a plain join also links rows that could be someone else",
}


def link_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        released, identified, qi = call.args
        if not isinstance(value, pd.Series):
            raise Fail("link_records must return a pandas Series of names")
        got = list(zip(value.index.tolist(), value.tolist(), strict=True))
        want = link_reference(released, identified, qi)
        if got == want:
            continue
        if sorted(map(str, got)) == sorted(map(str, want)):
            raise Fail("list the named rows in the order of released")
        positions = {label: i for i, label in enumerate(released.index)}
        if [(positions[r], x) for r, x in want] == got:
            raise Fail(
                "index the names by the index labels of released, not by the "
                "rows' positions"
            )
        for key, variant in link_variants(released, identified, qi).items():
            if got == variant:
                raise Fail(LINK_HINTS[key])
        raise Fail(
            f"{len(want)} released rows can be named with certainty here; you "
            f"named {len(got)}, or named some wrongly"
        )


TESTS = {
    "test_unique_share": Test(unique_calls, unique_check),
    "test_k_anonymity_report": Test(k_calls, k_check),
    "test_target_value": Test(target_calls, target_check),
    "test_lstsq_reconstruct": Test(reconstruct_calls, reconstruct_check),
    "test_lp_reconstruct": Test(lp_calls, lp_check),
    "test_link_records": Test(link_calls, link_check),
}
