"""Privacy attacks: why anonymisation and aggregation fail.

The attacks of the chapter on anonymisation, each small enough to read in one sitting:

- re-identification: :func:`uniqueness`, :func:`k_anonymity`,
  :func:`generalize`, :func:`homogeneity_attack`, :func:`linkage_attack`;
- differencing: :func:`differencing_attack`;
- the Dinur-Nissim reconstruction attack on noisy subset-sum queries:
  :func:`subset_sum_queries`, :func:`answer_queries`,
  :func:`dinur_nissim_reconstruct`, :func:`reconstruction_rate`,
  :func:`reconstruction_curve`;
- reconstruction of a census block from its published tables (Garfinkel,
  Abowd and Martindale 2019): :func:`block_tables`, :func:`reconstruct_block`;
- membership inference (Yeom et al. 2018): :func:`loss_threshold_attack`,
  :func:`membership_advantage`, :func:`membership_audit` (the attack on a
  training algorithm over random splits, with its noise floor), and
  :func:`advantage_bound`, the most any attack can reach against an
  (epsilon, delta)-DP training algorithm (Kairouz, Oh and Viswanath 2015).

References
----------
Dinur, I. and Nissim, K. (2003). Revealing information while preserving
privacy. PODS.
Dwork, C., McSherry, F. and Talwar, K. (2007). The price of privacy and the
limits of LP decoding. STOC.
Kairouz, P., Oh, S. and Viswanath, P. (2015). The composition theorem for
differential privacy. ICML.
Garfinkel, S., Abowd, J. M. and Martindale, C. (2019). Understanding database
reconstruction attacks on public data. Communications of the ACM 62(3).
Sweeney, L. (2002). k-anonymity: a model for protecting privacy.
Machanavajjhala, A. et al. (2007). l-diversity: privacy beyond k-anonymity.
Yeom, S., Giacomelli, I., Fredrikson, M. and Jha, S. (2018). Privacy risk in
machine learning: analyzing the connection to overfitting. CSF.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from sklearn.base import clone
from sklearn.metrics import roc_auc_score, roc_curve

from course_lib._checks import check_int as _check_int
from course_lib._checks import check_real as _check_real
from course_lib._checks import check_rng as _check_rng
from course_lib.privacy.synthetic import (
    BLOCK_RACES,
    BLOCK_SEXES,
    MIN_MARRIED_AGE,
    _tidy_block,
)

__all__ = [
    "BLOCK_STATISTICS",
    "advantage_bound",
    "answer_queries",
    "block_tables",
    "differencing_attack",
    "dinur_nissim_reconstruct",
    "generalize",
    "homogeneity_attack",
    "k_anonymity",
    "linkage_attack",
    "loss_threshold_attack",
    "membership_advantage",
    "membership_audit",
    "reconstruct_block",
    "reconstruction_curve",
    "reconstruction_rate",
    "subset_sum_queries",
    "uniqueness",
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _check_columns(df: object, columns: Sequence[str], name: str = "df") -> list[str]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(df).__name__}")
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("quasi_identifiers must name at least one column; got []")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} must have the columns {missing}; got columns {list(df.columns)}"
        )
    return columns


def _class_sizes(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Equivalence-class id of every row and the size of its class."""
    ids = df.groupby(columns, dropna=False, observed=True, sort=False).ngroup()
    ids = ids.to_numpy()
    counts = np.bincount(ids)
    return ids, counts[ids]


# ---------------------------------------------------------------------------
# Re-identification
# ---------------------------------------------------------------------------


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
    columns = _check_columns(df, quasi_identifiers)
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
    columns = _check_columns(df, quasi_identifiers)
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
    _check_columns(df, list(rules) or ["?"])
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
    columns = _check_columns(df, quasi_identifiers)
    _check_columns(df, [sensitive])
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
    columns = _check_columns(released, on, "released")
    _check_columns(auxiliary, columns, "auxiliary")
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
    for name, value in (
        ("count_all", count_all),
        ("count_all_but_one", count_all_but_one),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be an integer count; got {value!r}")
        if value < 0:
            raise ValueError(f"{name} must be a non-negative count; got {value}")
    difference = int(count_all) - int(count_all_but_one)
    if difference not in (0, 1):
        raise ValueError(
            "count_all - count_all_but_one must be 0 or 1 (the counts differ by "
            f"one person); got {difference}"
        )
    return difference


# ---------------------------------------------------------------------------
# Dinur-Nissim reconstruction from noisy subset sums
# ---------------------------------------------------------------------------


def subset_sum_queries(n: int, m: int, *, rng: np.random.Generator) -> np.ndarray:
    """Draw ``m`` random subset-sum queries over ``n`` people.

    Each query is a random subset: every person is in it independently
    with probability 1/2.

    Parameters
    ----------
    n : int
        Number of people (columns).
    m : int
        Number of queries (rows).
    rng : numpy.random.Generator
        Source of randomness (keyword-only).

    Returns
    -------
    numpy.ndarray
        Array of 0/1 of dtype int8 and shape ``(m, n)``; row ``i`` is the
        indicator vector of query ``i``'s subset.

    Raises
    ------
    TypeError
        If ``n`` or ``m`` is not an integer or ``rng`` not a Generator.
    ValueError
        If ``n`` or ``m`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> q = subset_sum_queries(5, 3, rng=np.random.default_rng(0))
    >>> q.shape, q.dtype, set(np.unique(q)) <= {0, 1}
    ((3, 5), dtype('int8'), True)
    """
    for name, value in (("n", n), ("m", m)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise TypeError(f"{name} must be a positive integer; got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value}")
    rng = _check_rng(rng)
    return rng.integers(0, 2, size=(int(m), int(n)), dtype=np.int8)


def _check_queries(queries: object, n: int | None = None) -> np.ndarray:
    q = np.asarray(queries)
    if q.ndim != 2:
        raise ValueError(f"queries must be a 2-D array (m, n); got shape {q.shape}")
    if n is not None and q.shape[1] != n:
        raise ValueError(
            f"queries must have one column per person ({n}); got shape {q.shape}"
        )
    return q


def answer_queries(
    queries: np.ndarray,
    secret: np.ndarray,
    noise_bound_or_scale: float,
    *,
    rng: np.random.Generator,
    noise: str = "uniform",
) -> np.ndarray:
    """Answer subset-sum queries about a secret bit vector, with noise.

    The true answer to query ``i`` is ``queries[i] @ secret``; independent
    noise is added to each answer:

    - ``noise="uniform"``: Uniform[-E, E] with ``E = noise_bound_or_scale``
      (every answer within E of the truth: Dinur and Nissim's setting);
    - ``noise="laplace"``: Laplace with scale ``noise_bound_or_scale``;
    - ``noise="gaussian"``: normal with standard deviation
      ``noise_bound_or_scale``.

    A scale of 0 gives the exact answers.

    Parameters
    ----------
    queries : numpy.ndarray
        0/1 array of shape ``(m, n)``.
    secret : numpy.ndarray
        0/1 vector of length ``n``.
    noise_bound_or_scale : float
        Non-negative bound or scale, as above.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    noise : {"uniform", "laplace", "gaussian"}, default "uniform"
        Noise distribution.

    Returns
    -------
    numpy.ndarray
        Float array of ``m`` noisy answers.

    Raises
    ------
    TypeError
        If ``rng`` is not a Generator.
    ValueError
        On mismatched shapes, a negative or non-finite scale, or an
        unknown ``noise``.

    Examples
    --------
    >>> import numpy as np
    >>> q = np.array([[1, 1, 0], [0, 1, 1]])
    >>> answer_queries(q, np.array([1, 0, 1]), 0, rng=np.random.default_rng(0))
    array([1., 1.])
    """
    rng = _check_rng(rng)
    x = np.asarray(secret)
    if x.ndim != 1:
        raise ValueError(f"secret must be a 1-D vector; got shape {x.shape}")
    q = _check_queries(queries, x.size)
    scale = float(noise_bound_or_scale)
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(
            "noise_bound_or_scale must be a non-negative finite number; got "
            f"{noise_bound_or_scale!r}"
        )
    exact = (q @ x).astype(float)
    m = exact.size
    if noise == "uniform":
        return exact + rng.uniform(-scale, scale, size=m)
    if noise == "laplace":
        return exact + rng.laplace(0.0, scale, size=m)
    if noise == "gaussian":
        return exact + rng.normal(0.0, scale, size=m)
    raise ValueError(f"noise must be 'uniform', 'laplace' or 'gaussian'; got {noise!r}")


def dinur_nissim_reconstruct(
    queries: np.ndarray, answers: np.ndarray, *, method: str = "lp"
) -> np.ndarray:
    """Reconstruct a secret bit vector from noisy subset-sum answers.

    - ``method="lp"`` (LP decoding, Dwork, McSherry and Talwar 2007): find
      ``x`` in ``[0, 1]^n`` minimising ``sum_i |queries[i] @ x - answers[i]|``
      (a linear programme with slack variables ``e_i >= |A x - b|_i``,
      solved by HiGHS through :func:`scipy.optimize.linprog`), then round
      each coordinate at 1/2. Dinur and Nissim's (2003) own attack solves a
      feasibility programme instead, any ``x`` in ``[0, 1]^n`` with
      ``|A x - b|_i <= E`` for every query, which needs the error bound ``E``.
    - ``method="lstsq"``: the least-squares solution of ``A x = b``
      (:func:`numpy.linalg.lstsq`), rounded at 1/2.

    With ``m`` a few times ``n`` random queries and noise of magnitude
    ``o(sqrt(n))``, both recover nearly every bit; noise of order
    ``sqrt(n)`` or more is what stops them.

    Parameters
    ----------
    queries : numpy.ndarray
        0/1 array of shape ``(m, n)``.
    answers : numpy.ndarray
        The ``m`` (noisy) answers.
    method : {"lp", "lstsq"}, default "lp"
        Decoder.

    Returns
    -------
    numpy.ndarray
        The reconstructed bits, int8 array of length ``n``.

    Raises
    ------
    ValueError
        On mismatched shapes, non-finite answers or an unknown method.
    RuntimeError
        If the LP solver fails (it should not: the problem is always
        feasible and bounded).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> secret = rng.integers(0, 2, size=20)
    >>> q = subset_sum_queries(20, 80, rng=rng)
    >>> b = answer_queries(q, secret, 0.5, rng=rng)
    >>> bool((dinur_nissim_reconstruct(q, b) == secret).all())
    True
    """
    q = _check_queries(queries).astype(float)
    b = np.asarray(answers, dtype=float)
    m, n = q.shape
    if b.shape != (m,):
        raise ValueError(
            f"answers must have one entry per query ({m}); got shape {b.shape}"
        )
    if not np.isfinite(b).all():
        raise ValueError("answers must be finite numbers; got NaN or infinity")
    if method == "lstsq":
        x = np.linalg.lstsq(q, b, rcond=None)[0]
    elif method == "lp":
        # Variables (x_1..x_n, e_1..e_m): minimise sum(e) subject to
        #   A x - e <= b  and  -A x - e <= -b,  0 <= x <= 1,  e >= 0.
        a = sparse.csr_matrix(q)
        eye = sparse.identity(m, format="csr")
        a_ub = sparse.vstack([sparse.hstack([a, -eye]), sparse.hstack([-a, -eye])])
        cost = np.concatenate([np.zeros(n), np.ones(m)])
        bounds = np.concatenate(
            [np.tile([0.0, 1.0], (n, 1)), np.tile([0.0, np.inf], (m, 1))]
        )
        result = linprog(
            cost,
            A_ub=a_ub.tocsr(),
            b_ub=np.concatenate([b, -b]),
            bounds=bounds,
            method="highs",
        )
        if result.status != 0:
            raise RuntimeError(f"the LP solver failed: {result.message}")
        x = result.x[:n]
    else:
        raise ValueError(f"method must be 'lp' or 'lstsq'; got {method!r}")
    return (x >= 0.5).astype(np.int8)


def reconstruction_rate(
    recovered: np.ndarray | pd.DataFrame, secret: np.ndarray | pd.DataFrame
) -> float:
    """Share of the secret that a reconstruction got right.

    For arrays: the share of positions where ``recovered`` equals
    ``secret``. For DataFrames (census blocks): the share of the secret's
    rows that also appear in the reconstruction, matching rows as a
    multiset (a row that appears twice in the secret must appear twice in
    the reconstruction to count twice); row order is irrelevant.

    Parameters
    ----------
    recovered, secret : numpy.ndarray or pandas.DataFrame
        Two arrays of the same shape, or two DataFrames with the same
        columns.

    Returns
    -------
    float
        A share in [0, 1].

    Raises
    ------
    TypeError
        If one input is a DataFrame and the other is not.
    ValueError
        On mismatched shapes or columns, or an empty secret.

    Examples
    --------
    >>> import numpy as np
    >>> reconstruction_rate(np.array([1, 0, 1, 1]), np.array([1, 0, 0, 1]))
    0.75
    """
    if isinstance(recovered, pd.DataFrame) or isinstance(secret, pd.DataFrame):
        if not (
            isinstance(recovered, pd.DataFrame) and isinstance(secret, pd.DataFrame)
        ):
            raise TypeError(
                "recovered and secret must both be DataFrames or both arrays; got "
                f"{type(recovered).__name__} and {type(secret).__name__}"
            )
        if sorted(recovered.columns) != sorted(secret.columns):
            raise ValueError(
                "recovered and secret must have the same columns; got "
                f"{list(recovered.columns)} and {list(secret.columns)}"
            )
        if len(secret) == 0:
            raise ValueError("secret must have at least one row; got 0")
        columns = list(secret.columns)
        counts_secret = secret.value_counts(subset=columns).rename("n_secret")
        counts_recovered = (
            recovered[columns].value_counts(subset=columns).rename("n_rec")
        )
        both = pd.concat([counts_secret, counts_recovered], axis=1, join="inner")
        matched = np.minimum(both["n_secret"], both["n_rec"]).sum()
        return float(matched / len(secret))
    r = np.asarray(recovered)
    s = np.asarray(secret)
    if r.shape != s.shape:
        raise ValueError(
            f"recovered and secret must have the same shape; got {r.shape} and {s.shape}"
        )
    if s.size == 0:
        raise ValueError("secret must not be empty; got size 0")
    return float(np.mean(r == s))


def reconstruction_curve(
    n: int,
    m: int,
    noise_scales: Sequence[float],
    *,
    rng: np.random.Generator,
    trials: int = 5,
    noise: str = "uniform",
    method: str = "lp",
) -> pd.DataFrame:
    """Reconstruction rate of the Dinur-Nissim attack as the noise grows.

    For each noise scale and each trial: draw a uniform secret of ``n``
    bits, ``m`` random subset-sum queries, answer them with
    :func:`answer_queries` and reconstruct with
    :func:`dinur_nissim_reconstruct`. Plot ``success_rate`` against
    ``noise_scale / sqrt(n)`` to see the transition near ``sqrt(n)``.

    Parameters
    ----------
    n, m : int
        Number of people and of queries.
    noise_scales : sequence of float
        Noise bounds or scales, as in :func:`answer_queries`.
    rng : numpy.random.Generator
        Source of randomness (keyword-only).
    trials : int, default 5
        Independent repetitions per scale.
    noise : {"uniform", "laplace", "gaussian"}, default "uniform"
        Noise distribution.
    method : {"lp", "lstsq"}, default "lp"
        Decoder.

    Returns
    -------
    pandas.DataFrame
        Columns ``noise_scale`` and ``success_rate`` (the mean reconstruction
        rate over the trials), one row per scale, in the given order.

    Raises
    ------
    TypeError, ValueError
        As :func:`subset_sum_queries` and :func:`answer_queries`, and if
        ``trials`` is not a positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> curve = reconstruction_curve(30, 120, [0.0, 100.0],
    ...                              rng=np.random.default_rng(0), trials=2)
    >>> curve["success_rate"].iloc[0]
    np.float64(1.0)
    """
    if (
        isinstance(trials, bool)
        or not isinstance(trials, int | np.integer)
        or trials < 1
    ):
        raise ValueError(f"trials must be a positive integer; got {trials!r}")
    rng = _check_rng(rng)
    rates = []
    for scale in noise_scales:
        per_trial = []
        for _ in range(int(trials)):
            secret = rng.integers(0, 2, size=n, dtype=np.int8)
            queries = subset_sum_queries(n, m, rng=rng)
            answers = answer_queries(queries, secret, scale, rng=rng, noise=noise)
            recovered = dinur_nissim_reconstruct(queries, answers, method=method)
            per_trial.append(reconstruction_rate(recovered, secret))
        rates.append(np.mean(per_trial))
    return pd.DataFrame(
        {"noise_scale": np.asarray(noise_scales, dtype=float), "success_rate": rates}
    )


# ---------------------------------------------------------------------------
# Census block reconstruction (Garfinkel, Abowd and Martindale 2019)
# ---------------------------------------------------------------------------

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
    columns = _check_columns(block, ["age", "sex", "race", "married"], "block")
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
    return _tidy_block(block)


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
        :data:`~course_lib.privacy.synthetic.MIN_MARRIED_AGE`, the public
        rule that nobody younger is married (the note under their Table 1).
        Drop rows of ``"table"`` to publish fewer statistics.

    Raises
    ------
    TypeError
        If ``block`` is not a DataFrame.
    ValueError
        If ``block`` has missing columns or invalid values, or ``threshold``
        or ``decimals`` is invalid.

    Examples
    --------
    >>> from course_lib.privacy.synthetic import census_block
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
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a positive integer; got {threshold!r}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative integer; got {decimals!r}")
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
        If ``tables`` is not a mapping with a ``"table"`` DataFrame.
    ValueError
        If statistic 1A's count is not published, a statistic code is
        unknown, ``max_age`` is not a positive integer, or there are more
        than ``max_solutions`` solutions.
    RuntimeError
        If the MILP solver stops without an answer.

    Examples
    --------
    >>> from course_lib.privacy.synthetic import census_block
    >>> solutions = reconstruct_block(block_tables(census_block()))
    >>> len(solutions), solutions[0].equals(census_block())
    (1, True)
    """
    if not isinstance(tables, Mapping) or not isinstance(
        tables.get("table"), pd.DataFrame
    ):
        raise TypeError(
            "tables must be a dict with a 'table' DataFrame, as returned by "
            f"block_tables; got {type(tables).__name__}"
        )
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 1:
        raise ValueError(f"max_age must be a positive integer; got {max_age!r}")
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
    n = int(published.loc["1A", "count"])
    threshold = int(tables.get("threshold", 3))
    decimals = int(tables.get("decimals", 1))
    min_married = int(tables.get("min_married_age", MIN_MARRIED_AGE))

    # Records k = (cell, age): 8 cells (sex x race x married) times ages.
    n_ages = max_age + 1
    cells = [(s, r, m) for s in BLOCK_SEXES for r in BLOCK_RACES for m in (False, True)]
    n_rec = len(cells) * n_ages
    cell_of = np.repeat(np.arange(len(cells)), n_ages)
    age = np.tile(np.arange(n_ages), len(cells))
    sex = np.asarray([c[0] for c in cells])[cell_of]
    race = np.asarray([c[1] for c in cells])[cell_of]
    married = np.asarray([c[2] for c in cells])[cell_of]

    # Rows over the count variables N (first n_rec variables).
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    even_medians = []

    def add(mask: np.ndarray, weights: np.ndarray | None, lo: float, hi: float) -> None:
        rows.append(np.where(mask, 1.0 if weights is None else weights, 0.0))
        lower.append(lo)
        upper.append(hi)

    for code, row in published.iterrows():  # a handful of statistics
        mask = _group_mask(BLOCK_STATISTICS[code][1], age, sex, race, married)
        if pd.isna(row["count"]):
            add(mask, None, 0, threshold - 1)
            continue
        g = int(row["count"])
        add(mask, None, g, g)
        if not pd.isna(row["mean_age"]):
            half = 0.5 * 10.0**-decimals
            mean = float(row["mean_age"])
            add(
                mask,
                age.astype(float),
                np.ceil(g * (mean - half) - 1e-9),
                np.floor(g * (mean + half) + 1e-9),
            )
        if not pd.isna(row["median_age"]) and g > 0:
            med = float(row["median_age"])
            if g % 2 == 1:
                add(mask & (age < med), None, 0, (g - 1) // 2)
                add(mask & (age > med), None, 0, (g - 1) // 2)
            else:
                even_medians.append((mask, g // 2, med))

    # Selector variables for even medians: lower middle age L = v.
    selectors = []
    n_sel = 0
    for mask, h, med in even_medians:
        two = round(2 * med)
        values = np.arange(max(0, two - max_age), int(np.floor(med)) + 1)
        selectors.append((mask, h, two, values, n_sel))
        n_sel += values.size
    n_var = n_rec + n_rec * n + n_sel
    sel0 = n_rec + n_rec * n
    big_m = float(n)
    dense_rows = [np.concatenate([r, np.zeros(n_var - n_rec)]) for r in rows]
    for mask, h, two, values, offset in selectors:
        pick = np.zeros(n_var)
        pick[sel0 + offset : sel0 + offset + values.size] = 1
        dense_rows.append(pick)
        lower.append(1)
        upper.append(1)
        for i, v in enumerate(values):  # at most max_age values per median
            t = sel0 + offset + i
            u = two - v

            def row_of(sub: np.ndarray, coef: float, t: int = t) -> np.ndarray:
                r = np.zeros(n_var)
                r[:n_rec] = sub
                r[t] = coef
                return r

            if u == v:
                for side in (mask & (age < v), mask & (age > v)):
                    dense_rows.append(row_of(side, big_m))
                    lower.append(-np.inf)
                    upper.append(h - 1 + big_m)
            else:
                at_most = mask & (age <= v)
                dense_rows.append(row_of(at_most, big_m))
                lower.append(-np.inf)
                upper.append(h + big_m)
                dense_rows.append(row_of(at_most, -big_m))
                lower.append(h - big_m)
                upper.append(np.inf)
                dense_rows.append(row_of(mask & (age > v) & (age < u), big_m))
                lower.append(-np.inf)
                upper.append(big_m)
                for end in (v, u):
                    dense_rows.append(row_of(mask & (age == end), -1.0))
                    lower.append(0)
                    upper.append(np.inf)
    stats_matrix = sparse.csr_matrix(np.vstack(dense_rows))

    # Unary encoding: N[k] = sum_j b[k, j] and b[k, j+1] <= b[k, j].
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
    matrix = sparse.vstack([stats_matrix, link, mono]).tocsr()
    lo = np.concatenate([lower, np.zeros(n_rec), np.full(k_mono, -np.inf)])
    hi = np.concatenate([upper, np.zeros(n_rec), np.zeros(k_mono)])
    ub = np.ones(n_var)
    ub[:n_rec] = n
    impossible = married & (age < min_married)  # structural zeros
    ub[:n_rec][impossible] = 0
    ub[n_rec:sel0].reshape(n_rec, n)[impossible] = 0

    solutions: list[pd.DataFrame] = []
    cuts: list[np.ndarray] = []
    while True:  # one MILP per solution found
        constraints = [LinearConstraint(matrix, lo, hi)]
        if cuts:
            constraints.append(
                LinearConstraint(sparse.csr_matrix(np.vstack(cuts)), -np.inf, n - 1)
            )
        result = milp(
            np.zeros(n_var),
            integrality=np.ones(n_var),
            bounds=Bounds(0, ub),
            constraints=constraints,
        )
        if result.status == 2:  # infeasible: every solution has been found
            break
        if result.status != 0:
            raise RuntimeError(f"the MILP solver stopped: {result.message}")
        x = np.round(result.x).astype(np.int64)
        records = np.repeat(np.arange(n_rec), x[:n_rec])
        candidate = _tidy_block(
            pd.DataFrame(
                {
                    "age": age[records],
                    "sex": sex[records],
                    "race": race[records],
                    "married": married[records],
                }
            )
        )
        cut = np.zeros(n_var)
        cut[n_rec:sel0] = x[n_rec:sel0]
        cuts.append(cut)
        check = block_tables(candidate, threshold=threshold, decimals=decimals)
        if _tables_equal(published, check["table"]):
            solutions.append(candidate)
            if len(solutions) > max_solutions:
                raise ValueError(
                    f"the tables must have at most max_solutions={max_solutions} "
                    "consistent blocks; got more. Publish more statistics or raise "
                    "max_solutions."
                )
    solutions.sort(key=lambda s: (s["age"].tolist(), s.astype(str).values.tolist()))
    return solutions


# ---------------------------------------------------------------------------
# Membership inference
# ---------------------------------------------------------------------------


def _log_loss_per_example(model: Any, x: Any, y: Any, name: str) -> np.ndarray:
    if not hasattr(model, "predict_proba") or not hasattr(model, "classes_"):
        raise TypeError(
            "model must be a fitted classifier with predict_proba and classes_; "
            f"got {type(model).__name__}"
        )
    proba = np.asarray(model.predict_proba(x), dtype=float)
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != proba.shape[0]:
        raise ValueError(
            f"y_{name} must be a 1-D array with one label per row of X_{name} "
            f"({proba.shape[0]}); got shape {labels.shape}"
        )
    if labels.size == 0:
        raise ValueError(f"X_{name} must have at least one row; got 0")
    classes = np.asarray(model.classes_)
    position = np.searchsorted(classes, labels)
    position = np.clip(position, 0, classes.size - 1)
    unknown = classes[position] != labels
    if unknown.any():
        raise ValueError(
            f"y_{name} must hold labels in model.classes_ {classes.tolist()}; got "
            f"{np.unique(labels[unknown]).tolist()[:5]}"
        )
    p = proba[np.arange(labels.size), position]
    return -np.log(np.clip(p, np.finfo(float).tiny, 1.0))


def loss_threshold_attack(
    model: Any,
    X_members: Any,
    y_members: Any,
    X_nonmembers: Any,
    y_nonmembers: Any,
) -> dict[str, float]:
    """Membership inference by thresholding the loss (Yeom et al. 2018).

    The attacker predicts "member of the training set" when an example's
    log loss ``-log p_model(y | x)`` is at most a threshold: models fit
    their training examples better than new ones. The membership advantage
    of a threshold is TPR - FPR (members flagged minus non-members
    flagged); this reports the best threshold (an optimistic, in-sample
    choice: the attacker is assumed to know it) and the AUC over all
    thresholds. For an epsilon-DP training algorithm the advantage is at
    most ``e**epsilon - 1`` (Yeom et al., Theorem 1).

    Parameters
    ----------
    model : fitted classifier
        Anything with ``predict_proba`` and ``classes_`` (scikit-learn
        conventions).
    X_members, y_members : array-like
        Training examples and their labels.
    X_nonmembers, y_nonmembers : array-like
        Examples from the same distribution not used in training.

    Returns
    -------
    dict
        ``"advantage"``: max over thresholds of TPR - FPR, in [0, 1];
        ``"auc"``: the probability that a random member has a lower loss
        than a random non-member (ties count 1/2);
        ``"threshold"``: the loss threshold achieving the advantage (predict
        member when loss <= threshold; ``-inf`` means flag nobody).

    Raises
    ------
    TypeError
        If ``model`` lacks ``predict_proba`` or ``classes_``.
    ValueError
        If labels are not in ``model.classes_`` or lengths mismatch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] + rng.normal(size=400) > 0).astype(int)
    >>> tree = DecisionTreeClassifier(random_state=0).fit(X[:200], y[:200])
    >>> result = loss_threshold_attack(tree, X[:200], y[:200], X[200:], y[200:])
    >>> sorted(result), result["advantage"] > 0.2
    (['advantage', 'auc', 'threshold'], True)
    """
    loss_in = _log_loss_per_example(model, X_members, y_members, "members")
    loss_out = _log_loss_per_example(model, X_nonmembers, y_nonmembers, "nonmembers")
    is_member = np.concatenate([np.ones(loss_in.size), np.zeros(loss_out.size)])
    score = -np.concatenate([loss_in, loss_out])
    fpr, tpr, thresholds = roc_curve(is_member, score)
    best = int(np.argmax(tpr - fpr))
    return {
        "advantage": float(tpr[best] - fpr[best]),
        "auc": float(roc_auc_score(is_member, score)),
        "threshold": float(-thresholds[best]) + 0.0,  # + 0.0 turns -0.0 into 0.0
    }


def membership_advantage(predicted_members: Any, predicted_nonmembers: Any) -> float:
    """Membership advantage of any attack: TPR - FPR.

    Parameters
    ----------
    predicted_members : array-like of bool
        The attack's guesses ("member?") on true members.
    predicted_nonmembers : array-like of bool
        Its guesses on true non-members.

    Returns
    -------
    float
        Share of members flagged minus share of non-members flagged, in
        [-1, 1]; 0 for guessing at random, 1 for a perfect attack.

    Raises
    ------
    ValueError
        If an input is empty or not 1-D of booleans (or 0/1).

    Examples
    --------
    >>> membership_advantage([True, True, False, True], [False, True, False, False])
    0.5
    """
    rates = []
    for name, guesses in (
        ("predicted_members", predicted_members),
        ("predicted_nonmembers", predicted_nonmembers),
    ):
        g = np.asarray(guesses)
        if g.ndim != 1 or g.size == 0:
            raise ValueError(
                f"{name} must be a non-empty 1-D array; got shape {g.shape}"
            )
        if g.dtype != bool:
            if not np.isin(g, (0, 1)).all():
                raise ValueError(f"{name} must hold booleans or 0/1; got other values")
            g = g.astype(bool)
        rates.append(g.mean())
    return float(rates[0] - rates[1])


def membership_audit(
    models: Mapping[Any, Any],
    X: Any,
    y: Any,
    *,
    n_members: int,
    n_nonmembers: int,
    n_splits: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Loss-threshold attacks on models trained on random splits, with a noise floor.

    An empirical audit of training algorithms: in each split the rows are
    shuffled with ``rng``; the first ``n_members`` are the training set, the
    next ``n_nonmembers`` the non-members, and the ``n_members`` after those a
    second set of people the model never saw. Each model is cloned, given
    ``random_state=split`` if it has that parameter, trained on the members
    and attacked with :func:`loss_threshold_attack` (members against
    non-members). Attacking it again with the second set in place of the
    members measures the *noise floor*: the advantage the attack shows where
    there is nothing to find, because it picks its threshold on the
    examples it is scored on. An audit only bounds the privacy loss from
    below: compare the advantage with :func:`advantage_bound`.

    Parameters
    ----------
    models : mapping
        Name (any hashable) to an unfitted scikit-learn classifier, cloned
        for every split.
    X, y : array-like
        The examples and their labels, ``len(y) >= 2 * n_members +
        n_nonmembers``.
    n_members, n_nonmembers : int
        Sizes of the training set and of the non-members, at least 1.
    n_splits : int
        Number of random splits, at least 1.
    rng : numpy.random.Generator
        Draws the splits (one permutation of the rows per split).

    Returns
    -------
    pandas.DataFrame
        One row per split and model, splits in order and models in the
        mapping's order: ``split``, ``model`` (the name), ``advantage`` and
        ``noise_floor``.

    Raises
    ------
    TypeError
        If ``models`` is not a non-empty mapping, a size is not an integer or
        ``rng`` is not a Generator.
    ValueError
        If a size is below 1, or there are too few rows for the split.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(700, 2))
    >>> y = (X[:, 0] + rng.normal(size=700) > 0).astype(int)
    >>> models = {"tree": DecisionTreeClassifier(), "linear": LogisticRegression()}
    >>> runs = membership_audit(models, X, y, n_members=100, n_nonmembers=300,
    ...                         n_splits=2, rng=rng)
    >>> runs.round(2)
       split   model  advantage  noise_floor
    0      0    tree       0.34         0.00
    1      0  linear       0.05         0.05
    2      1    tree       0.38         0.04
    3      1  linear       0.14         0.03
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"models must be a non-empty mapping; got {models!r}")
    n_members = _check_int(n_members, "n_members", low=1)
    n_nonmembers = _check_int(n_nonmembers, "n_nonmembers", low=1)
    n_splits = _check_int(n_splits, "n_splits", low=1)
    rng = _check_rng(rng)
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y) or len(y) < 2 * n_members + n_nonmembers:
        raise ValueError(
            "X and y must have the same length, at least 2 * n_members + "
            f"n_nonmembers = {2 * n_members + n_nonmembers}; got {len(X)} and {len(y)}"
        )
    rows = []
    for split in range(n_splits):
        order = rng.permutation(len(y))
        members = order[:n_members]
        nonmembers = order[n_members : n_members + n_nonmembers]
        unseen = order[n_members + n_nonmembers : 2 * n_members + n_nonmembers]
        outside = (X[nonmembers], y[nonmembers])
        for name, model in models.items():
            fitted = clone(model)
            if "random_state" in fitted.get_params():
                fitted.set_params(random_state=split)
            fitted.fit(X[members], y[members])
            attack = loss_threshold_attack(fitted, X[members], y[members], *outside)
            floor = loss_threshold_attack(fitted, X[unseen], y[unseen], *outside)
            rows.append(
                {
                    "split": split,
                    "model": name,
                    "advantage": attack["advantage"],
                    "noise_floor": floor["advantage"],
                }
            )
    return pd.DataFrame(rows)


def advantage_bound(epsilon: float | np.ndarray, delta: float = 0.0) -> Any:
    """The largest membership advantage an (epsilon, delta)-DP algorithm allows.

    Deciding from a model whether one person was in its training set is a
    hypothesis test between two neighbouring training sets. For an
    ``(epsilon, delta)``-DP training algorithm every such test has
    ``TPR <= e^epsilon FPR + delta`` and ``1 - FPR <= e^epsilon (1 - TPR) +
    delta`` (Kairouz, Oh and Viswanath 2015), so its advantage ``TPR - FPR``
    (:func:`membership_advantage`) is at most

        (e^epsilon - 1 + 2 delta) / (e^epsilon + 1),

    tighter than Yeom et al.'s ``e^epsilon - 1`` for pure epsilon-DP. An
    attack measured above this bound refutes the privacy claim; one below it
    proves nothing.

    Parameters
    ----------
    epsilon : float or array-like of float
        Privacy loss, each at least 0; ``inf`` (no guarantee) gives 1.
    delta : float, default 0.0
        Failure probability, in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        The bound, in [delta, 1]; an array of ``epsilon``'s shape when
        ``epsilon`` is an array.

    Raises
    ------
    TypeError
        If ``epsilon`` is not numbers or ``delta`` is not a real number.
    ValueError
        If an epsilon is negative or NaN, or ``delta`` is outside [0, 1].

    Examples
    --------
    >>> round(advantage_bound(1.0), 4)
    0.4621
    >>> advantage_bound([0.0, float("inf")], delta=1e-5)
    array([1.e-05, 1.e+00])
    """
    delta = _check_real(delta, "delta", low=0.0, high=1.0)
    try:
        eps = np.asarray(epsilon, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"epsilon must be a real number or an array of them; got {epsilon!r}"
        ) from None
    if np.isnan(eps).any() or (eps < 0).any():
        raise ValueError(f"epsilon must be at least 0; got {epsilon!r}")
    finite = np.where(np.isinf(eps), 0.0, eps)
    bound = np.where(
        np.isinf(eps), 1.0, (np.expm1(finite) + 2 * delta) / (np.exp(finite) + 1)
    )
    return float(bound) if bound.ndim == 0 else bound
