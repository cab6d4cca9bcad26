"""Re-identification: why removing names is not anonymisation.

Uniqueness on quasi-identifiers and Sweeney's linkage attack
(:func:`uniqueness`, :func:`linkage_attack`), k-anonymity by generalisation and
its homogeneity failure (:func:`k_anonymity`, :func:`generalize`,
:func:`homogeneity_attack`), and the differencing attack on two exact counts
(:func:`differencing_attack`).

References
----------
Sweeney, L. (2002). k-anonymity: a model for protecting privacy.
Machanavajjhala, A. et al. (2007). l-diversity: privacy beyond k-anonymity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from course_lib._checks import check_int
from course_lib.privacy._columns import check_columns

__all__ = [
    "differencing_attack",
    "generalize",
    "homogeneity_attack",
    "k_anonymity",
    "linkage_attack",
    "uniqueness",
]


def _class_sizes(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Equivalence-class id of every row and the size of its class."""
    ids = df.groupby(columns, dropna=False, observed=True, sort=False).ngroup()
    ids = ids.to_numpy()
    counts = np.bincount(ids)
    return ids, counts[ids]


def uniqueness(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> float:
    """Share of rows that are unique on the quasi-identifiers.

    A row is unique when no other row has the same values in all the
    ``quasi_identifiers`` columns (missing values count as a value). Anyone
    who knows those attributes of a unique person, and that the person is in
    the data, finds the person's row.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    quasi_identifiers : sequence of str
        Column names (a single name is accepted too).

    Returns
    -------
    float
        The share of rows in equivalence classes of size 1, in [0, 1].

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If ``df`` is empty or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"zip": ["021", "021", "022"], "sex": ["F", "F", "M"]})
    >>> uniqueness(df, ["zip", "sex"])
    0.3333333333333333
    """
    columns = check_columns(df, quasi_identifiers)
    if len(df) == 0:
        raise ValueError("df must have at least one row; got 0")
    _, sizes = _class_sizes(df, columns)
    return float(np.mean(sizes == 1))


def k_anonymity(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """The k for which the data are k-anonymous: the smallest class size.

    Parameters
    ----------
    df : pandas.DataFrame
        The data.
    quasi_identifiers : sequence of str
        Column names.

    Returns
    -------
    int
        The size of the smallest equivalence class on the quasi-identifiers.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If ``df`` is empty or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"age": ["20-29"] * 3 + ["30-39"] * 2})
    >>> k_anonymity(df, ["age"])
    2
    """
    columns = check_columns(df, quasi_identifiers)
    if len(df) == 0:
        raise ValueError("df must have at least one row; got 0")
    _, sizes = _class_sizes(df, columns)
    return int(sizes.min())


def generalize(
    df: pd.DataFrame, rules: Mapping[str, int | Callable[[pd.Series], Any] | None]
) -> pd.DataFrame:
    """Coarsen columns, the usual way to make data k-anonymous.

    Each rule maps a column name to how to generalise it:

    - an int ``w`` for a numeric column: replace each value by its bin of
      width ``w`` as a string ``"lo-hi"`` (``30`` with ``w=10`` becomes
      ``"30-39"``; bins start at multiples of ``w``);
    - an int ``k`` for a string column: keep the first ``k`` characters and
      mask the rest with ``*`` (ZIP ``"02139"`` with ``k=3`` becomes
      ``"021**"``);
    - a callable: applied to the column (a Series), returns the new column;
    - None: suppress the column (every value becomes ``"*"``).

    Parameters
    ----------
    df : pandas.DataFrame
        The data (not modified).
    rules : mapping
        Column name to rule, as above.

    Returns
    -------
    pandas.DataFrame
        A copy of ``df`` with the generalised columns (as strings, except
        where a callable returns something else).

    Raises
    ------
    TypeError
        If a rule is of an unsupported type.
    ValueError
        If a column is missing or an int rule is not positive.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"zip": ["02139", "02142"], "age": [34, 38], "sex": ["F", "M"]})
    >>> generalize(df, {"zip": 3, "age": 10, "sex": None})
         zip    age sex
    0  021**  30-39   *
    1  021**  30-39   *
    """
    check_columns(df, list(rules) or ["?"])
    out = df.copy()
    for column, rule in rules.items():
        values = df[column]
        if rule is None:
            out[column] = pd.array(np.full(len(df), "*"), dtype="str")
        elif callable(rule):
            out[column] = rule(values)
        elif isinstance(rule, int | np.integer) and not isinstance(rule, bool):
            if rule < 1:
                raise ValueError(
                    f"the rule for {column!r} must be a positive integer; got {rule}"
                )
            if pd.api.types.is_numeric_dtype(values):
                lo = (np.floor(values.to_numpy(dtype=float) / rule) * rule).astype(
                    np.int64
                )
                labels = np.char.add(
                    np.char.add(lo.astype(str), "-"), (lo + rule - 1).astype(str)
                )
                out[column] = pd.array(labels, dtype="str")
            else:
                text = values.astype("str")
                out[column] = text.str.slice(0, rule) + text.str.slice(
                    rule
                ).str.replace(r".", "*", regex=True)
        else:
            raise TypeError(
                f"the rule for {column!r} must be a positive int, a callable or "
                f"None; got {type(rule).__name__}"
            )
    return out


def homogeneity_attack(
    df: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str
) -> float:
    """Share of rows whose sensitive value is revealed by their class alone.

    k-anonymity hides which row of an equivalence class is a person's, but
    when everyone in the class has the same sensitive value, knowing the
    person's quasi-identifiers reveals it anyway (the homogeneity attack of
    Machanavajjhala et al. 2007, which motivated l-diversity).

    Parameters
    ----------
    df : pandas.DataFrame
        The (k-anonymised) data.
    quasi_identifiers : sequence of str
        Column names defining the equivalence classes.
    sensitive : str
        The sensitive column.

    Returns
    -------
    float
        Share of rows in classes with a single distinct sensitive value.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If ``df`` is empty or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"zip": ["130**"] * 3 + ["148**"] * 3,
    ...                    "disease": ["flu", "flu", "flu", "flu", "hiv", "flu"]})
    >>> homogeneity_attack(df, ["zip"], "disease")
    0.5
    """
    columns = check_columns(df, quasi_identifiers)
    check_columns(df, [sensitive])
    if len(df) == 0:
        raise ValueError("df must have at least one row; got 0")
    ids, _ = _class_sizes(df, columns)
    distinct = df[sensitive].groupby(ids).transform("nunique", dropna=False)
    return float(np.mean(distinct.to_numpy() == 1))


def linkage_attack(
    released: pd.DataFrame, auxiliary: pd.DataFrame, on: Sequence[str]
) -> pd.DataFrame:
    """Re-identify released rows by joining them with auxiliary data.

    Sweeney's attack: join the "anonymised" release with an identified
    auxiliary table (a voter list) on the quasi-identifiers ``on``, and keep
    only the one-to-one matches: combinations of the quasi-identifiers that
    occur exactly once in ``released`` and exactly once in ``auxiliary``.
    Those rows are re-identified with certainty (if the auxiliary data cover
    everyone in the release).

    Parameters
    ----------
    released : pandas.DataFrame
        The de-identified data.
    auxiliary : pandas.DataFrame
        Identified data sharing the ``on`` columns.
    on : sequence of str
        The quasi-identifiers to join on.

    Returns
    -------
    pandas.DataFrame
        One row per re-identified person: the columns of ``released`` and of
        ``auxiliary`` (clashing names other than ``on`` get the suffixes
        ``_released`` and ``_auxiliary``), index reset.

    Raises
    ------
    TypeError
        If an input is not a DataFrame.
    ValueError
        If a column of ``on`` is missing from either table.

    Examples
    --------
    >>> import pandas as pd
    >>> released = pd.DataFrame({"zip": ["1", "1", "2"], "sex": ["F", "F", "M"],
    ...                          "diagnosis": ["flu", "cold", "hiv"]})
    >>> voters = pd.DataFrame({"zip": ["1", "2"], "sex": ["F", "M"],
    ...                        "name": ["Ann", "Bob"]})
    >>> linkage_attack(released, voters, ["zip", "sex"])
      zip sex diagnosis name
    0   2   M       hiv  Bob
    """
    columns = check_columns(released, on, "released")
    check_columns(auxiliary, columns, "auxiliary")
    _, size_released = _class_sizes(released, columns)
    _, size_auxiliary = _class_sizes(auxiliary, columns)
    unique_released = released.loc[size_released == 1]
    unique_auxiliary = auxiliary.loc[size_auxiliary == 1]
    return unique_released.merge(
        unique_auxiliary,
        on=columns,
        how="inner",
        suffixes=("_released", "_auxiliary"),
    ).reset_index(drop=True)


def differencing_attack(count_all: int, count_all_but_one: int) -> int:
    """Learn one person's bit from two exact counts.

    If a query system answers "how many people have property P?" and "how
    many people other than the target have property P?" exactly, the
    difference is the target's bit, however large the counts are.

    Parameters
    ----------
    count_all : int
        Count over everyone.
    count_all_but_one : int
        The same count over everyone except the target.

    Returns
    -------
    int
        The target's bit, ``count_all - count_all_but_one`` (0 or 1).

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If a count is negative or the difference is not 0 or 1.

    Examples
    --------
    >>> differencing_attack(1342, 1341)
    1
    """
    count_all = check_int(count_all, "count_all", low=0)
    count_all_but_one = check_int(count_all_but_one, "count_all_but_one", low=0)
    difference = count_all - count_all_but_one
    if difference not in (0, 1):
        raise ValueError(
            "count_all - count_all_but_one must be 0 or 1 (the counts differ by "
            f"one person); got {difference}"
        )
    return difference
