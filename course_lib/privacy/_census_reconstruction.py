"""Reconstruction of a census block from its published tables.

The statistics a census publishes for a block (:data:`BLOCK_STATISTICS`,
:func:`block_tables`) and the attack that finds every block consistent with
them (:func:`reconstruct_block`), as in Garfinkel, Abowd and Martindale (2019).

References
----------
Garfinkel, S., Abowd, J. M. and Martindale, C. (2019). Understanding database
reconstruction attacks on public data. Communications of the ACM 62(3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from course_lib._checks import check_int
from course_lib.privacy._columns import check_columns
from course_lib.privacy._synthetic import (
    BLOCK_RACES,
    BLOCK_SEXES,
    MIN_MARRIED_AGE,
    tidy_block,
)

__all__ = [
    "BLOCK_STATISTICS",
    "block_tables",
    "reconstruct_block",
]


#: The statistics of Garfinkel et al.'s Table 1: code -> (group label,
#: filter). A filter restricts sex, race, married and an inclusive age range.
BLOCK_STATISTICS: dict[str, tuple[str, dict[str, Any]]] = {
    "1A": ("Total population", {}),
    "2A": ("Female", {"sex": "F"}),
    "2B": ("Male", {"sex": "M"}),
    "2C": ("Black or African American", {"race": "Black"}),
    "2D": ("White", {"race": "White"}),
    "3A": ("Single adults", {"married": False, "min_age": 18}),
    "3B": ("Married adults", {"married": True, "min_age": 18}),
    "4A": ("Black or African American female", {"race": "Black", "sex": "F"}),
    "4B": ("Black or African American male", {"race": "Black", "sex": "M"}),
    "4C": ("White male", {"race": "White", "sex": "M"}),
    "4D": ("White female", {"race": "White", "sex": "F"}),
    "5A": ("Persons under 5 years", {"max_age": 4}),
    "5B": ("Persons under 18 years", {"max_age": 17}),
    "5C": ("Persons 65 years and over", {"min_age": 65}),
}


def _group_mask(
    rule: Mapping[str, Any],
    age: np.ndarray,
    sex: np.ndarray,
    race: np.ndarray,
    married: np.ndarray,
) -> np.ndarray:
    mask = np.ones(age.shape, dtype=bool)
    if "sex" in rule:
        mask &= sex == rule["sex"]
    if "race" in rule:
        mask &= race == rule["race"]
    if "married" in rule:
        mask &= married == rule["married"]
    if "min_age" in rule:
        mask &= age >= rule["min_age"]
    if "max_age" in rule:
        mask &= age <= rule["max_age"]
    return mask


def _check_block(block: object) -> pd.DataFrame:
    columns = check_columns(block, ["age", "sex", "race", "married"], "block")
    del columns
    if len(block) == 0:
        raise ValueError("block must have at least one person; got 0 rows")
    age = pd.to_numeric(block["age"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(age).any() or (age < 0).any() or (age != np.round(age)).any():
        raise ValueError(
            "block['age'] must hold non-negative whole numbers; got others"
        )
    for column, allowed in (("sex", BLOCK_SEXES), ("race", BLOCK_RACES)):
        bad = set(block[column].astype("str")) - set(allowed)
        if bad:
            raise ValueError(
                f"block[{column!r}] values must be in {list(allowed)}; got {sorted(bad)}"
            )
    if not pd.api.types.is_bool_dtype(block["married"]):
        raise ValueError(
            f"block['married'] must be boolean; got dtype {block['married'].dtype}"
        )
    return tidy_block(block)


def block_tables(block: pd.DataFrame, *, threshold: int = 3, decimals: int = 1) -> dict:
    """The published statistics of a census block, as in Garfinkel et al.

    For each group of :data:`BLOCK_STATISTICS` (total; by sex; by race;
    single and married adults; by race and sex; under 5, under 18 and 65 or
    over), the count, the median age (the mean of the two middle ages for
    an even count) and the mean age rounded to ``decimals`` decimals. As in
    their Table 1, a group with fewer than ``threshold`` people is
    suppressed: its three values are all missing ("(D)").

    Parameters
    ----------
    block : pandas.DataFrame
        Columns ``age`` (whole numbers), ``sex`` ("F"/"M"), ``race``
        ("Black"/"White"), ``married`` (bool).
    threshold : int, default 3
        Groups with a count below it are suppressed (1 suppresses only empty
        groups).
    decimals : int, default 1
        Decimals of the published mean age.

    Returns
    -------
    dict
        ``"table"``: a DataFrame indexed by statistic code ("1A", ...) with
        columns ``group`` (label), ``count`` (Int64), ``median_age`` and
        ``mean_age`` (Float64), missing where suppressed;
        ``"threshold"``, ``"decimals"`` as given; ``"min_married_age"``:
        :data:`~course_lib.privacy.MIN_MARRIED_AGE`, the public
        rule that nobody younger is married (the note under their Table 1).
        Drop rows of ``"table"`` to publish fewer statistics.

    Raises
    ------
    TypeError
        If ``block`` is not a DataFrame, or ``threshold`` or ``decimals`` is
        not an integer.
    ValueError
        If ``block`` has missing columns or invalid values, or ``threshold``
        is below 1 or ``decimals`` below 0.

    Examples
    --------
    >>> from course_lib.privacy import census_block
    >>> block_tables(census_block())["table"]  # doctest: +NORMALIZE_WHITESPACE
                                      group  count  median_age  mean_age
    statistic
    1A                     Total population      7        30.0      38.0
    2A                               Female      4        30.0      33.5
    2B                                 Male      3        30.0      44.0
    2C            Black or African American      4        51.0      48.5
    2D                                White      3        24.0      24.0
    3A                        Single adults   <NA>        <NA>      <NA>
    3B                       Married adults      4        51.0      54.0
    4A     Black or African American female      3        36.0      36.7
    4B       Black or African American male   <NA>        <NA>      <NA>
    4C                           White male   <NA>        <NA>      <NA>
    4D                         White female   <NA>        <NA>      <NA>
    5A                Persons under 5 years   <NA>        <NA>      <NA>
    5B               Persons under 18 years   <NA>        <NA>      <NA>
    5C            Persons 65 years and over   <NA>        <NA>      <NA>
    """
    block = _check_block(block)
    threshold = check_int(threshold, "threshold", low=1)
    decimals = check_int(decimals, "decimals", low=0)
    age = block["age"].to_numpy()
    sex = block["sex"].to_numpy()
    race = block["race"].to_numpy()
    married = block["married"].to_numpy()
    counts, medians, means = [], [], []
    for _, rule in BLOCK_STATISTICS.values():
        ages = age[_group_mask(rule, age, sex, race, married)]
        if ages.size < threshold:
            counts.append(pd.NA)
            medians.append(pd.NA)
            means.append(pd.NA)
        else:
            counts.append(ages.size)
            medians.append(float(np.median(ages)))
            means.append(round(float(ages.mean()), decimals))
    table = pd.DataFrame(
        {
            "group": pd.array([g for g, _ in BLOCK_STATISTICS.values()], dtype="str"),
            "count": pd.array(counts, dtype="Int64"),
            "median_age": pd.array(medians, dtype="Float64"),
            "mean_age": pd.array(means, dtype="Float64"),
        },
        index=pd.Index(list(BLOCK_STATISTICS), name="statistic"),
    )
    return {
        "table": table,
        "threshold": threshold,
        "decimals": decimals,
        "min_married_age": MIN_MARRIED_AGE,
    }


def _tables_equal(published: pd.DataFrame, candidate: pd.DataFrame) -> bool:
    """Does a candidate block produce exactly the published rows?"""
    cand = candidate.loc[published.index, ["count", "median_age", "mean_age"]]
    pub = published[["count", "median_age", "mean_age"]]
    for column in pub.columns:
        a, b = pub[column], cand[column]
        if not (a.isna().to_numpy() == b.isna().to_numpy()).all():
            return False
        both = (~a.isna()).to_numpy()
        if not np.array_equal(
            a.to_numpy(dtype=float, na_value=np.nan)[both],
            b.to_numpy(dtype=float, na_value=np.nan)[both],
        ):
            return False
    return True


class _Records(NamedTuple):
    """Every record k = (cell, age): 8 cells (sex x race x married) times ages."""

    age: np.ndarray
    sex: np.ndarray
    race: np.ndarray
    married: np.ndarray


def _records(max_age: int) -> _Records:
    n_ages = max_age + 1
    cells = [(s, r, m) for s in BLOCK_SEXES for r in BLOCK_RACES for m in (False, True)]
    cell_of = np.repeat(np.arange(len(cells)), n_ages)
    return _Records(
        age=np.tile(np.arange(n_ages), len(cells)),
        sex=np.asarray([c[0] for c in cells])[cell_of],
        race=np.asarray([c[1] for c in cells])[cell_of],
        married=np.asarray([c[2] for c in cells])[cell_of],
    )


class _Constraints:
    """Rows of linear constraints ``lower <= row @ x <= upper``, kept in order.

    A row may be shorter than the programme's variables (a row over the
    counts ``N`` only); :meth:`matrix` pads it with zeros.
    """

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        #: Even medians still to encode: (group mask, half count h, median).
        self.even_medians: list[tuple[np.ndarray, int, float]] = []

    def add(self, row: np.ndarray, lo: float, hi: float) -> None:
        self.rows.append(row)
        self.lower.append(lo)
        self.upper.append(hi)

    def add_group(
        self, mask: np.ndarray, lo: float, hi: float, weights: np.ndarray | None = None
    ) -> None:
        """A constraint on the (weighted) number of people in a group of records."""
        self.add(np.where(mask, 1.0 if weights is None else weights, 0.0), lo, hi)

    def matrix(self, n_var: int) -> sparse.csr_matrix:
        return sparse.csr_matrix(
            np.vstack(
                [np.concatenate([r, np.zeros(n_var - r.size)]) for r in self.rows]
            )
        )


def _statistic_constraints(
    published: pd.DataFrame, records: _Records, threshold: int, decimals: int
) -> _Constraints:
    """The constraints on the counts ``N`` that each published statistic implies."""
    constraints = _Constraints()
    age = records.age
    for code, row in published.iterrows():  # a handful of statistics
        mask = _group_mask(BLOCK_STATISTICS[code][1], *records)
        if pd.isna(row["count"]):  # suppressed: fewer than threshold people
            constraints.add_group(mask, 0, threshold - 1)
            continue
        g = int(row["count"])
        constraints.add_group(mask, g, g)
        if not pd.isna(row["mean_age"]):  # the age total, within the rounding
            half = 0.5 * 10.0**-decimals
            mean = float(row["mean_age"])
            constraints.add_group(
                mask,
                np.ceil(g * (mean - half) - 1e-9),
                np.floor(g * (mean + half) + 1e-9),
                weights=age.astype(float),
            )
        if not pd.isna(row["median_age"]) and g > 0:
            med = float(row["median_age"])
            if g % 2 == 1:
                constraints.add_group(mask & (age < med), 0, (g - 1) // 2)
                constraints.add_group(mask & (age > med), 0, (g - 1) // 2)
            else:
                constraints.even_medians.append((mask, g // 2, med))
    return constraints


def _median_choice(
    constraints: _Constraints,
    mask: np.ndarray,
    age: np.ndarray,
    *,
    h: int,
    lower_middle: int,
    upper_middle: int,
    selector: int,
    n_var: int,
    big_m: float,
) -> None:
    """Constraints of an even median that bind when its ``selector`` is 1.

    The group's two middle ages are ``lower_middle`` (L) and ``upper_middle``
    (U): with ``L < U``, exactly ``h`` ages are ``<= L``, none lie strictly
    between, and ``L`` and ``U`` each occur; with ``L = U``, at most ``h - 1``
    ages lie on each side. Each row is relaxed by ``big_m`` when the selector
    is 0.
    """
    n_rec = age.size
    v, u = lower_middle, upper_middle

    def row_of(sub: np.ndarray, coef: float) -> np.ndarray:
        r = np.zeros(n_var)
        r[:n_rec] = sub
        r[selector] = coef
        return r

    if u == v:
        for side in (mask & (age < v), mask & (age > v)):
            constraints.add(row_of(side, big_m), -np.inf, h - 1 + big_m)
        return
    at_most = mask & (age <= v)
    constraints.add(row_of(at_most, big_m), -np.inf, h + big_m)
    constraints.add(row_of(at_most, -big_m), h - big_m, np.inf)
    constraints.add(row_of(mask & (age > v) & (age < u), big_m), -np.inf, big_m)
    for end in (v, u):
        constraints.add(row_of(mask & (age == end), -1.0), 0, np.inf)


def _even_median_selectors(
    constraints: _Constraints, age: np.ndarray, *, first: int, n_var: int, n: int
) -> None:
    """One binary selector per possible lower middle age L of each even median.

    Exactly one selector of a median is 1; the selectors are the variables
    from ``first`` on, in the order of ``constraints.even_medians``.
    """
    max_age = int(age.max())
    offset = first
    for mask, h, med in constraints.even_medians:
        two, values = _lower_middle_ages(med, max_age)
        pick = np.zeros(n_var)
        pick[offset : offset + values.size] = 1
        constraints.add(pick, 1, 1)
        for i, v in enumerate(values):  # at most max_age values per median
            _median_choice(
                constraints,
                mask,
                age,
                h=h,
                lower_middle=v,
                upper_middle=two - v,
                selector=offset + i,
                n_var=n_var,
                big_m=float(n),
            )
        offset += values.size


def _lower_middle_ages(med: float, max_age: int) -> tuple[int, np.ndarray]:
    """``2 * med`` and the possible lower middle ages L of a median ``med``."""
    two = round(2 * med)
    return two, np.arange(max(0, two - max_age), int(np.floor(med)) + 1)


def _n_selectors(constraints: _Constraints, max_age: int) -> int:
    return sum(
        _lower_middle_ages(med, max_age)[1].size
        for _, _, med in constraints.even_medians
    )


def _unary_encoding(n_rec: int, n: int, n_var: int) -> sparse.spmatrix:
    """Rows of ``N[k] - sum_j b[k, j] = 0`` and ``b[k, j+1] - b[k, j] <= 0``."""
    b_index = n_rec + np.arange(n_rec * n).reshape(n_rec, n)
    link = sparse.coo_matrix(
        (
            np.concatenate([np.ones(n_rec), -np.ones(n_rec * n)]),
            (
                np.concatenate([np.arange(n_rec), np.repeat(np.arange(n_rec), n)]),
                np.concatenate([np.arange(n_rec), b_index.ravel()]),
            ),
        ),
        shape=(n_rec, n_var),
    )
    k_mono = n_rec * (n - 1)
    mono = sparse.coo_matrix(
        (
            np.concatenate([np.ones(k_mono), -np.ones(k_mono)]),
            (
                np.tile(np.arange(k_mono), 2),
                np.concatenate([b_index[:, 1:].ravel(), b_index[:, :-1].ravel()]),
            ),
        ),
        shape=(k_mono, n_var),
    )
    return sparse.vstack([link, mono])


class _Programme(NamedTuple):
    """The integer programme ``lo <= matrix @ x <= hi``, ``0 <= x <= ub``.

    ``x`` holds the counts ``N[k]`` (``n_rec`` of them), their unary digits
    ``b[k, j]`` (up to ``digits_end``) and the even medians' selectors.
    """

    matrix: sparse.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    ub: np.ndarray
    n_rec: int
    digits_end: int
    n: int


def _programme(
    constraints: _Constraints, records: _Records, *, n: int, min_married: int
) -> _Programme:
    """Add the even medians and the unary encoding to the statistics' rows."""
    age = records.age
    n_rec = age.size
    digits_end = n_rec + n_rec * n
    n_var = digits_end + _n_selectors(constraints, int(age.max()))
    _even_median_selectors(constraints, age, first=digits_end, n_var=n_var, n=n)
    k_mono = n_rec * (n - 1)
    matrix = sparse.vstack(
        [constraints.matrix(n_var), _unary_encoding(n_rec, n, n_var)]
    ).tocsr()
    lo = np.concatenate([constraints.lower, np.zeros(n_rec), np.full(k_mono, -np.inf)])
    hi = np.concatenate([constraints.upper, np.zeros(n_rec), np.zeros(k_mono)])
    ub = np.ones(n_var)
    ub[:n_rec] = n
    impossible = records.married & (age < min_married)  # structural zeros
    ub[:n_rec][impossible] = 0
    ub[n_rec:digits_end].reshape(n_rec, n)[impossible] = 0
    return _Programme(matrix, lo, hi, ub, n_rec, digits_end, n)


def _solve(programme: _Programme, cuts: list[np.ndarray]) -> np.ndarray | None:
    """A feasible integer point avoiding the cut-off blocks, or None if none is left."""
    constraints = [LinearConstraint(programme.matrix, programme.lo, programme.hi)]
    if cuts:
        constraints.append(
            LinearConstraint(
                sparse.csr_matrix(np.vstack(cuts)), -np.inf, programme.n - 1
            )
        )
    result = milp(
        np.zeros(programme.ub.size),
        integrality=np.ones(programme.ub.size),
        bounds=Bounds(0, programme.ub),
        constraints=constraints,
    )
    if result.status == 2:  # infeasible: every solution has been found
        return None
    if result.status != 0:
        raise RuntimeError(f"the MILP solver stopped: {result.message}")
    return np.round(result.x).astype(np.int64)


def _block_of_counts(records: _Records, counts: np.ndarray) -> pd.DataFrame:
    """The block with ``counts[k]`` people of record ``k``."""
    people = np.repeat(np.arange(counts.size), counts)
    return tidy_block(
        pd.DataFrame(
            {
                "age": records.age[people],
                "sex": records.sex[people],
                "race": records.race[people],
                "married": records.married[people],
            }
        )
    )


def _enumerate_blocks(
    programme: _Programme,
    records: _Records,
    consistent: Callable[[pd.DataFrame], bool],
    max_solutions: int,
) -> list[pd.DataFrame]:
    """Solve, cut off the block found, repeat until infeasible (one MILP each)."""
    n_rec, digits_end = programme.n_rec, programme.digits_end
    solutions: list[pd.DataFrame] = []
    cuts: list[np.ndarray] = []
    while (x := _solve(programme, cuts)) is not None:
        candidate = _block_of_counts(records, x[:n_rec])
        cut = np.zeros(programme.ub.size)
        cut[n_rec:digits_end] = x[n_rec:digits_end]
        cuts.append(cut)
        if consistent(candidate):
            solutions.append(candidate)
            if len(solutions) > max_solutions:
                raise ValueError(
                    f"the tables must have at most max_solutions={max_solutions} "
                    "consistent blocks; got more. Publish more statistics or raise "
                    "max_solutions."
                )
    solutions.sort(key=lambda s: (s["age"].tolist(), s.astype(str).values.tolist()))
    return solutions


def _check_tables(tables: Any, max_age: Any) -> tuple[pd.DataFrame, int]:
    """The published table and ``max_age``, if a block can be reconstructed."""
    if not isinstance(tables, Mapping) or not isinstance(
        tables.get("table"), pd.DataFrame
    ):
        raise TypeError(
            "tables must be a dict with a 'table' DataFrame, as returned by "
            f"block_tables; got {type(tables).__name__}"
        )
    max_age = check_int(max_age, "max_age", low=1)
    published = tables["table"]
    unknown = sorted(set(published.index) - set(BLOCK_STATISTICS))
    if unknown:
        raise ValueError(
            f"tables['table'] index must hold codes of BLOCK_STATISTICS; got {unknown}"
        )
    if "1A" not in published.index or pd.isna(published.loc["1A", "count"]):
        raise ValueError(
            "tables must publish statistic 1A (the total count); got it missing"
        )
    return published, max_age


def reconstruct_block(
    tables: Mapping[str, Any], *, max_age: int = 115, max_solutions: int = 1000
) -> list[pd.DataFrame]:
    """Find every block consistent with its published tables.

    The attack of Garfinkel, Abowd and Martindale (2019), by integer
    programming instead of their SAT solver. A block of ``n`` people (``n``
    from statistic 1A, which must be published) is a multiset of
    (age, sex, race, married) records, ages 0 to ``max_age``. Let ``N[k]``
    be the number of people with record ``k`` (8 attribute cells times
    ``max_age + 1`` ages). Every published statistic is a constraint:

    - a count: ``sum of N[k] over the group = count``;
    - a mean rounded to ``d`` decimals: the group's age total is a whole
      number within ``count * (mean ± 0.5 * 10**-d)``;
    - a median ``med`` of an odd count ``g``: at most ``(g - 1) / 2`` ages
      below ``med`` and at most ``(g - 1) / 2`` above;
    - a median of an even count ``g = 2h``: one binary selector chooses the
      lower middle age ``L <= med`` (then ``U = 2 med - L``); with ``L < U``,
      exactly ``h`` ages are ``<= L``, none lie strictly between, and ``L``
      and ``U`` each occur; with ``L = U = med``, at most ``h - 1`` ages lie
      on each side (big-M constraints with ``M = n``);
    - a suppressed group: fewer than ``threshold`` people (the public
      suppression rule);
    - nobody younger than ``min_married_age`` is married.

    ``N[k]`` is written in unary, ``N[k] = sum_j b[k, j]`` with binaries
    ``b[k, 1] >= ... >= b[k, n]``, so each block has exactly one encoding.
    :func:`scipy.optimize.milp` (HiGHS) finds a feasible point; its ones
    ``S`` are cut off with the no-good cut ``sum_{S} b <= n - 1`` (valid for
    exactly that block, since every block has ``n`` ones), and the search
    repeats until the problem is infeasible. Why this finds ALL solutions:
    each constraint above is implied by the tables, so every consistent
    block is feasible; each cut removes exactly one block; so when the
    problem becomes infeasible every consistent block has been found. Each
    candidate is also checked by recomputing its tables with
    :func:`block_tables` (that removes any block admitted only by the
    rounding interval of a mean).

    Parameters
    ----------
    tables : dict
        As returned by :func:`block_tables`, possibly with rows of
        ``tables["table"]`` dropped.
    max_age : int, default 115
        Largest age considered.
    max_solutions : int, default 1000
        Stop with an error if there are more solutions than this.

    Returns
    -------
    list of pandas.DataFrame
        Every consistent block (columns ``age``, ``sex``, ``race``,
        ``married``, rows sorted), in the order found; sorted by the list of
        ages to make it deterministic.

    Raises
    ------
    TypeError
        If ``tables`` is not a mapping with a ``"table"`` DataFrame, or
        ``max_age`` is not an integer.
    ValueError
        If statistic 1A's count is not published, a statistic code is
        unknown, ``max_age`` is below 1, or there are more
        than ``max_solutions`` solutions.
    RuntimeError
        If the MILP solver stops without an answer.

    Examples
    --------
    >>> from course_lib.privacy import census_block
    >>> solutions = reconstruct_block(block_tables(census_block()))
    >>> len(solutions), solutions[0].equals(census_block())
    (1, True)
    """
    published, max_age = _check_tables(tables, max_age)
    n = int(published.loc["1A", "count"])
    threshold = int(tables.get("threshold", 3))
    decimals = int(tables.get("decimals", 1))
    min_married = int(tables.get("min_married_age", MIN_MARRIED_AGE))
    records = _records(max_age)
    statistics = _statistic_constraints(published, records, threshold, decimals)
    programme = _programme(statistics, records, n=n, min_married=min_married)

    def consistent(block: pd.DataFrame) -> bool:
        check = block_tables(block, threshold=threshold, decimals=decimals)
        return _tables_equal(published, check["table"])

    return _enumerate_blocks(programme, records, consistent, max_solutions)
