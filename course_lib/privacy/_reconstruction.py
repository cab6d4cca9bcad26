"""The Dinur-Nissim reconstruction attack on noisy subset-sum queries.

Random subset-sum queries over a secret bit vector (:func:`subset_sum_queries`),
noisy answers to them (:func:`answer_queries`), reconstruction by LP decoding
or least squares (:func:`dinur_nissim_reconstruct`), and how much of the secret
it recovers as the noise grows (:func:`reconstruction_rate`,
:func:`reconstruction_curve`).

References
----------
Dinur, I. and Nissim, K. (2003). Revealing information while preserving
privacy. PODS.
Dwork, C., McSherry, F. and Talwar, K. (2007). The price of privacy and the
limits of LP decoding. STOC.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from course_lib._checks import check_choice, check_int, check_real
from course_lib._checks import check_rng as _check_rng

__all__ = [
    "answer_queries",
    "dinur_nissim_reconstruct",
    "reconstruction_curve",
    "reconstruction_rate",
    "subset_sum_queries",
]


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
    n = check_int(n, "n", low=1)
    m = check_int(m, "m", low=1)
    rng = _check_rng(rng)
    return rng.integers(0, 2, size=(m, n), dtype=np.int8)


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
        If ``rng`` is not a Generator, the scale not a real number or
        ``noise`` not a string.
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
    scale = check_real(noise_bound_or_scale, "noise_bound_or_scale", low=0.0)
    noise = check_choice(noise, "noise", ("uniform", "laplace", "gaussian"))
    exact = (q @ x).astype(float)
    m = exact.size
    if noise == "uniform":
        return exact + rng.uniform(-scale, scale, size=m)
    if noise == "laplace":
        return exact + rng.laplace(0.0, scale, size=m)
    return exact + rng.normal(0.0, scale, size=m)


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
    TypeError
        If ``method`` is not a string.
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
    method = check_choice(method, "method", ("lp", "lstsq"))
    if method == "lstsq":
        x = np.linalg.lstsq(q, b, rcond=None)[0]
    else:
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
        ``trials`` is not a positive integer (TypeError for a non-integer).

    Examples
    --------
    >>> import numpy as np
    >>> curve = reconstruction_curve(30, 120, [0.0, 100.0],
    ...                              rng=np.random.default_rng(0), trials=2)
    >>> curve["success_rate"].iloc[0]
    np.float64(1.0)
    """
    trials = check_int(trials, "trials", low=1)
    rng = _check_rng(rng)
    rates = []
    for scale in noise_scales:
        per_trial = []
        for _ in range(trials):
            secret = rng.integers(0, 2, size=n, dtype=np.int8)
            queries = subset_sum_queries(n, m, rng=rng)
            answers = answer_queries(queries, secret, scale, rng=rng, noise=noise)
            recovered = dinur_nissim_reconstruct(queries, answers, method=method)
            per_trial.append(reconstruction_rate(recovered, secret))
        rates.append(np.mean(per_trial))
    return pd.DataFrame(
        {"noise_scale": np.asarray(noise_scales, dtype=float), "success_rate": rates}
    )
