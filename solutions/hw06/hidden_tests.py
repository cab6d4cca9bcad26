"""Hidden tests of homework 6 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw06.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. The checks run in the grader's process, on plain data; each one
raises ``Fail(hint)`` for a mistake it recognises.

Every input is fixed (seeded generators build it once), and no answer of this
homework is randomised, so the checks are deterministic: the shares, k and
differenced values are compared with the reference at a tolerance of 1e-9,
and the reconstruction part requires every bit from exact answers and at
least 95% of the bits from lightly noisy answers (the reference least-squares
decoder recovers 100% on those inputs, LP decoding too), never one particular
vector from noisy answers. The false-failure rate is zero.
See ``course_lib.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from course_lib.datasets import load_adult
from course_lib.grading.spec import Call, Fail, Outcome, Test, returned_values
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

ATOL = 1e-9


def _number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise Fail(f"{name} must be a number; got {type(value).__name__}")
    return float(value)


@functools.cache
def people() -> pd.DataFrame:
    """Adult with the course's synthetic identifiers (as in the notebook)."""
    data = adult_with_identifiers(load_adult("all"), rng=np.random.default_rng(0))
    data["birth_year"] = data["birth_date"].dt.year
    columns = ["zip", "sex", "birth_date", "birth_year", "age", "race"]
    return data[[*columns, "income", "hours_per_week", "occupation"]]


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


@functools.cache
def unique_inputs() -> list[tuple]:
    data = people()
    return [
        (SMALL_NAN, ["zip", "sex"]),
        (SMALL_NAN, ["sex", "age"]),
        (data[["zip", "sex", "birth_date"]], ["zip", "sex", "birth_date"]),
        (data[["zip", "sex", "birth_year"]], ["zip", "sex", "birth_year"]),
        (data[["sex", "age", "race"]], ["sex", "age", "race"]),
        (data[["zip", "birth_date"]], ["zip", "birth_date"]),
    ]


def unique_calls() -> list[Call]:
    return [Call("unique_share", args) for args in unique_inputs()]


def unique_check(outcomes: list[Outcome]) -> None:
    for value, (df, qi) in zip(returned_values(outcomes), unique_inputs(), strict=True):
        got = _number(value, "unique_share's result")
        want = uniqueness(df, qi)
        if abs(got - want) <= ATOL:
            continue
        n = len(df)
        distinct = len(df[qi].drop_duplicates()) / n
        if got > 1:
            raise Fail("return the share of rows (between 0 and 1), not a count")
        if abs(got - distinct) <= ATOL:
            raise Fail(
                "you computed the number of distinct combinations over the number "
                "of rows; a row is unique only if no OTHER row shares its values"
            )
        sizes = df.groupby(qi, dropna=True).transform("size")
        size = sizes.iloc[:, 0] if isinstance(sizes, pd.DataFrame) else sizes
        dropped = df[qi].isna().any(axis=1)
        if (
            abs(got - (size == 1).mean()) <= ATOL
            or abs(got - (size[~dropped] == 1).mean()) <= ATOL
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


@functools.cache
def k_inputs() -> list[tuple]:
    data = people()
    qi = ["zip", "age", "sex"]
    coarse = generalize(data[[*qi, "income"]], {"age": 10})
    size = coarse.groupby(qi, observed=True)["sex"].transform("size")
    coarse20 = generalize(data[[*qi, "occupation"]], {"age": 20})
    coarse20 = coarse20[coarse20["occupation"].notna()]
    return [
        (SMALL_K, ["zip", "age"], "disease"),
        (SMALL_K.iloc[:6], ["zip"], "disease"),
        (SMALL_K_NAN, ["zip"], "disease"),
        (coarse[size >= 5].reset_index(drop=True), qi, "income"),
        (coarse.reset_index(drop=True), qi, "income"),
        (coarse20.reset_index(drop=True), ["zip", "sex"], "occupation"),
    ]


def k_calls() -> list[Call]:
    return [Call("k_anonymity_report", args) for args in k_inputs()]


def k_check(outcomes: list[Outcome]) -> None:
    for value, (df, qi, sensitive) in zip(
        returned_values(outcomes), k_inputs(), strict=True
    ):
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
        raise Fail(f"wrong homogeneous_share for sensitive column {sensitive!r}")


# --------------------------------------------------------------------------
# Part 3: target_value
# --------------------------------------------------------------------------


@functools.cache
def target_inputs() -> list[tuple]:
    data = people()
    in_zip = (data["zip"] == data["zip"].iloc[0]).to_numpy()
    hours = data["hours_per_week"].to_numpy(dtype=float)
    group = np.flatnonzero(in_zip)[:5]  # five targets in the same ZIP code
    n_all = int(in_zip.sum())
    mean_all = float(hours[in_zip].mean())
    means_rest = (hours[in_zip].sum() - hours[group]) / (n_all - 1)
    return [
        (50.5, 50.0, 3),
        (10.0, 10.25, 5),
        (100.0, 100.0, 1000),
        (mean_all, float(means_rest[0]), n_all),
        (np.full(5, mean_all), means_rest, np.full(5, n_all)),
        (np.array([2.0, 3.5]), np.array([1.0, 3.0]), np.array([2, 4])),
    ]


def target_calls() -> list[Call]:
    return [Call("target_value", args) for args in target_inputs()]


def target_check(outcomes: list[Outcome]) -> None:
    for value, (mean_all, mean_rest, n_all) in zip(
        returned_values(outcomes), target_inputs(), strict=True
    ):
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
def reconstruct_inputs() -> list[tuple]:
    """(queries, answers, secret, exact?) for each call."""
    cases = []
    for seed, (n, m, noise, scale) in enumerate(
        [
            (8, 32, "uniform", 0.0),
            (60, 240, "uniform", 0.0),
            (100, 400, "uniform", 0.0),
            (100, 400, "uniform", 1.0),
            (100, 400, "gaussian", 0.5),
            (80, 400, "laplace", 0.5),
        ]
    ):
        rng = np.random.default_rng(600 + seed)
        secret = rng.integers(0, 2, size=n)
        queries = subset_sum_queries(n, m, rng=rng)
        answers = answer_queries(queries, secret, scale, rng=rng, noise=noise)
        if n == 8:  # plain lists must work too
            queries, answers = queries.astype(int).tolist(), answers.tolist()
        cases.append((queries, answers, secret, scale == 0.0))
    return cases


def reconstruct_calls() -> list[Call]:
    return [Call("lstsq_reconstruct", (q, a)) for q, a, _, _ in reconstruct_inputs()]


def reconstruct_check(outcomes: list[Outcome]) -> None:
    for value, (queries, answers, secret, exact) in zip(
        returned_values(outcomes), reconstruct_inputs(), strict=True
    ):
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
        reference = reconstruction_rate(
            dinur_nissim_reconstruct(queries, answers, method="lstsq"), secret
        )
        if not exact and rate < min(0.95, reference):
            raise Fail(
                f"from lightly noisy answers you recovered {rate:.0%} of the bits; "
                "least squares over ALL the queries recovers at least 95%"
            )


TESTS = {
    "test_unique_share": Test(unique_calls, unique_check),
    "test_k_anonymity_report": Test(k_calls, k_check),
    "test_target_value": Test(target_calls, target_check),
    "test_lstsq_reconstruct": Test(reconstruct_calls, reconstruct_check),
}
