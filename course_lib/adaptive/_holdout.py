"""The reusable holdout: a naive holdout against Thresholdout under adaptive reuse.

Dwork, Feldman, Hardt, Pitassi, Reingold and Roth, "The reusable holdout:
Preserving validity in adaptive data analysis", *Science* 349 (2015) 636-638.

A holdout set gives an unbiased estimate of a *fixed* classifier's accuracy.
Once the analyst chooses what to try next from the holdout's earlier answers,
the holdout is part of training, and its estimates drift above the truth.
Thresholdout answers each query with the training value unless the training
and holdout values disagree by more than a noisy threshold; only then does it
reveal the holdout value, with Laplace noise, and spend one unit of its budget.

- :func:`naive_holdout`: the standard holdout, which answers with the holdout
  value every time;
- :class:`Thresholdout`: the paper's algorithm, exactly as stated there;
- :func:`adaptive_overfitting_experiment`: a scaled-down replication of the
  paper's experiment with labels independent of the features.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from course_lib._checks import check_choice, check_int, check_positive, check_rng

__all__ = [
    "MECHANISMS",
    "Thresholdout",
    "adaptive_overfitting_experiment",
    "naive_holdout",
]

MECHANISMS = ("naive", "thresholdout")
"""Mechanisms accepted by :func:`adaptive_overfitting_experiment`."""


def _as_values(
    train_value: ArrayLike, holdout_value: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for name, value in (("train_value", train_value), ("holdout_value", holdout_value)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} must be a number or a 1-D array of numbers; got {value!r}"
            ) from exc
        if arr.ndim > 1:
            raise ValueError(
                f"{name} must be a number or a 1-D array; got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite; got {value!r}")
        out.append(arr)
    t, h = out
    if t.shape != h.shape:
        raise ValueError(
            "train_value and holdout_value must have the same shape; got "
            f"{t.shape} and {h.shape}"
        )
    return t, h


def naive_holdout(
    train_value: ArrayLike, holdout_value: ArrayLike
) -> float | np.ndarray:
    """The standard holdout: answer every query with its holdout value.

    Parameters
    ----------
    train_value : float or array_like of float, shape (q,)
        Each query's average on the training set (ignored, accepted so that
        both mechanisms are called alike).
    holdout_value : float or array_like of float, shape (q,)
        Each query's average on the holdout set.

    Returns
    -------
    float or numpy.ndarray of float
        ``holdout_value``, a float for scalar input.

    Raises
    ------
    TypeError
        If a value is not numeric.
    ValueError
        If a value is not finite or the shapes differ.

    Examples
    --------
    >>> naive_holdout(0.71, 0.52)
    0.52
    >>> naive_holdout([0.6, 0.7], [0.5, 0.55])
    array([0.5 , 0.55])
    """
    _, h = _as_values(train_value, holdout_value)
    return float(h) if h.ndim == 0 else h.copy()


class Thresholdout:
    """Thresholdout (Dwork et al. 2015), a holdout that can be reused adaptively.

    The algorithm as stated in the paper, with ``Lap(b)`` the Laplace
    distribution of scale ``b`` (density ``exp(-|x|/b) / (2b)``). Input: a
    training set ``S_t``, a holdout set ``S_h``, a threshold ``T``, a noise
    rate ``sigma`` and a budget ``B``.

    1. Sample ``gamma ~ Lap(2 sigma)``; set ``T_hat = T + gamma``.
    2. For each query ``phi``:

       a. if ``B < 1``, output ``⊥`` (here: NaN);
       b. else sample ``eta ~ Lap(4 sigma)``, and

          - if ``|E_Sh[phi] - E_St[phi]| > T_hat + eta``: sample
            ``xi ~ Lap(sigma)`` and ``gamma ~ Lap(2 sigma)``, set
            ``B = B - 1`` and ``T_hat = T + gamma``, and output
            ``E_Sh[phi] + xi``;
          - otherwise output ``E_St[phi]``.

    The mechanism only ever uses the two averages ``E_St[phi]`` and
    ``E_Sh[phi]``, so :meth:`query` takes them as numbers; the analyst must
    see the holdout only through this object for the guarantee to hold.

    Parameters
    ----------
    threshold : float, default 0.04
        ``T``, the disagreement between training and holdout values tolerated
        before the holdout is consulted (the paper's value; its experiment
        code uses ``4 / sqrt(n)``, which is 0.04 at ``n = 10000``).
    sigma : float, default 0.01
        The noise rate (the paper's value; ``1 / sqrt(n)`` in its code).
    budget : int
        ``B``, how many above-threshold answers may be given; afterwards every
        answer is ``⊥`` (NaN).
    rng : numpy.random.Generator
        Source of the Laplace noise.

    Attributes
    ----------
    threshold, sigma : float
        As given.
    budget : int
        The remaining budget.
    n_queries : int
        Queries received so far (including those answered ``⊥``).

    Raises
    ------
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`, ``threshold`` or
        ``sigma`` is not a real number, or ``budget`` is not an integer.
    ValueError
        If ``threshold`` or ``sigma`` is not positive or ``budget`` is not a
        positive integer.

    Examples
    --------
    >>> import numpy as np
    >>> mech = Thresholdout(budget=10, rng=np.random.default_rng(0))
    >>> mech.query(0.70, 0.69)      # train and holdout agree: training value
    0.7
    >>> answer = mech.query(0.70, 0.50)  # they disagree: noisy holdout value
    >>> bool(abs(answer - 0.50) < 0.2), mech.budget
    (True, 9)
    """

    def __init__(
        self,
        *,
        threshold: float = 0.04,
        sigma: float = 0.01,
        budget: int,
        rng: np.random.Generator,
    ) -> None:
        self.threshold = check_positive(threshold, "threshold")
        self.sigma = check_positive(sigma, "sigma")
        self.budget = check_int(budget, "budget", low=1)
        self._rng = check_rng(rng)
        self.n_queries = 0
        # Step 1: the noisy threshold.
        self._noisy_threshold = self.threshold + self._rng.laplace(scale=2 * self.sigma)

    def __repr__(self) -> str:
        return (
            f"Thresholdout(threshold={self.threshold}, sigma={self.sigma}, "
            f"budget={self.budget} remaining, n_queries={self.n_queries})"
        )

    def query(
        self, train_value: ArrayLike, holdout_value: ArrayLike
    ) -> float | np.ndarray:
        """Answer one query, or a sequence of queries in order.

        Parameters
        ----------
        train_value : float or array_like of float, shape (q,)
            ``E_St[phi]`` for each query.
        holdout_value : float or array_like of float, shape (q,)
            ``E_Sh[phi]`` for each query.

        Returns
        -------
        float or numpy.ndarray of float
            The answers, NaN (``⊥``) once the budget is spent. A sequence is
            answered exactly as the same queries one at a time would be (in
            distribution: the ``eta`` draws are made up front).

        Raises
        ------
        TypeError
            If a value is not numeric.
        ValueError
            If a value is not finite or the shapes differ.
        """
        t, h = _as_values(train_value, holdout_value)
        scalar = t.ndim == 0
        t, h = np.atleast_1d(t), np.atleast_1d(h)
        q = t.size
        self.n_queries += q
        answers = np.full(q, np.nan)
        gap = np.abs(h - t)
        eta = self._rng.laplace(scale=4 * self.sigma, size=q)
        start = 0
        # One pass per above-threshold answer (at most `budget` of them),
        # never one per query.
        while start < q and self.budget >= 1:
            above = gap[start:] > self._noisy_threshold + eta[start:]
            if not above.any():
                answers[start:] = t[start:]
                break
            hit = start + int(np.argmax(above))
            answers[start:hit] = t[start:hit]
            xi = self._rng.laplace(scale=self.sigma)
            gamma = self._rng.laplace(scale=2 * self.sigma)
            self.budget -= 1
            self._noisy_threshold = self.threshold + gamma
            answers[hit] = h[hit] + xi
            start = hit + 1
        return float(answers[0]) if scalar else answers


def _accuracies(x: np.ndarray, signs: np.ndarray, y: np.ndarray, ks) -> np.ndarray:
    """Accuracy of ``sign(x[:, :k] @ signs[:k])`` against ``y`` for each k."""
    scores = np.cumsum(x * signs, axis=1, dtype=float)[:, np.asarray(ks) - 1]
    return np.mean(np.sign(scores) == y[:, None], axis=0)


def adaptive_overfitting_experiment(
    *,
    n: int = 4000,
    d: int = 4000,
    ks: Sequence[int] | None = None,
    mechanism: str = "naive",
    n_trials: int = 1,
    threshold: float | None = None,
    sigma: float | None = None,
    budget: int | None = None,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Scaled-down replication of Dwork et al.'s experiment with no signal.

    Each trial draws a training, a holdout and a fresh set of ``n`` points
    with ``d`` independent N(0, 1) features and a label uniform on {-1, 1}
    independent of them, so that no classifier beats 50% accuracy. The
    analyst of the paper then

    1. computes each feature's correlation with the label,
       ``w_t = X_t' y / n`` on the training set, and asks the mechanism for
       its holdout value ``w_h`` (``d`` queries);
    2. keeps the features with ``|w_t| > 1/sqrt(n)``, ``|w_h| > 1/sqrt(n)``
       (as answered) and the same sign on both;
    3. for each ``k`` in ``ks``, takes the ``k`` kept features with the
       largest ``|w_t|`` (all of them if fewer are kept; accuracy 0.5 if
       none is), builds the
       classifier ``sign(sum_j sign(w_t[j]) x_j)``, and asks the mechanism
       for its holdout accuracy given its training accuracy.

    Parameters
    ----------
    n : int, default 4000
        Points in each of the three sets (at least 10).
    d : int, default 4000
        Features. About ``2 * 0.1587**2 = 5%`` of them survive step 2, so
        ``ks`` should stay below ``d / 20``; with ``d = n`` the naive
        holdout's accuracy at ``k = d / 20`` is about 0.63, as in the paper
        (``n = d = 10000``, ``k = 500``).
    ks : sequence of int, optional
        Numbers of features, increasing. Default: 10 values evenly spaced
        from ``d // 200`` to ``d // 20``.
    mechanism : {"naive", "thresholdout"}, default "naive"
        :func:`naive_holdout` or :class:`Thresholdout` (one per trial, shared
        by the correlation and accuracy queries of that trial).
    n_trials : int, default 1
        Independent repetitions.
    threshold : float, optional
        Thresholdout's ``T``. Default ``4 / sqrt(n)``, the scaling of the
        paper's experiment code (0.04 at ``n = 10000``).
    sigma : float, optional
        Thresholdout's noise rate. Default ``1 / (4 sqrt(n))``, so that the
        threshold noise ``Lap(4 sigma)`` has scale ``T / 4``: the paper's
        experiment code adds Gaussian noise of standard deviation
        ``1 / sqrt(n) = T / 4`` to the threshold (its text says
        ``T = 0.04, tau = 0.01``). With ``sigma = 1 / sqrt(n)`` instead, the
        threshold noise has the scale of ``T`` itself, and a training
        accuracy 0.19 above the holdout's passes for it about one time in
        ten (see Notes).
    budget : int, optional
        Thresholdout's budget; default ``d + len(ks)``, which cannot run out.
        A ``⊥`` correlation answer drops the feature, a ``⊥`` accuracy is
        reported as NaN.
    rng : numpy.random.Generator
        Source of the data and of the mechanism's noise.

    Returns
    -------
    pandas.DataFrame
        One row per trial and ``k``: ``mechanism``, ``trial``, ``k``,
        ``n_used`` (features in the classifier), ``train`` (training
        accuracy), ``holdout`` (the holdout accuracy the mechanism reported),
        ``holdout_actual`` (the holdout accuracy itself, never shown to the
        analyst), ``fresh`` (accuracy on the fresh set) and ``budget_spent``
        (Thresholdout's above-threshold answers so far in the trial; 0 for
        the naive holdout).

    Raises
    ------
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`, ``mechanism`` is
        not a string, a size is not an integer, or ``threshold`` or ``sigma``
        is not a real number.
    ValueError
        If ``mechanism`` is unknown, a size is not a positive integer (``n``
        at least 10), or ``ks`` is not an increasing sequence of integers in
        [1, d].

    Notes
    -----
    The fresh set is independent of every choice the analyst makes, so only
    the columns the classifiers use are drawn for it (the same distribution,
    a third less work). Float32 features keep ``n = d = 4000`` at about 0.6 s
    a trial.

    Measured with the defaults (``n = d = 4000``, 20 trials): at ``k = 200``
    the naive holdout reports 0.63 while the fresh accuracy is 0.50;
    Thresholdout reports 0.51 (training accuracy 0.69) after about 150
    above-threshold answers. With ``sigma = 1 / sqrt(n)`` Thresholdout's
    mean report is 0.52-0.55, single reports reaching the training accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> df = adaptive_overfitting_experiment(
    ...     n=1000, d=1000, ks=[10, 50], rng=np.random.default_rng(0)
    ... )
    >>> list(df.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['mechanism', 'trial', 'k', 'n_used', 'train', 'holdout', 'holdout_actual',
     'fresh', 'budget_spent']
    >>> bool(df["holdout"].iloc[-1] > df["fresh"].iloc[-1])
    True
    """
    rng = check_rng(rng)
    mechanism = check_choice(mechanism, "mechanism", MECHANISMS)
    n = check_int(n, "n", low=10)
    d = check_int(d, "d", low=1)
    n_trials = check_int(n_trials, "n_trials", low=1)
    ks_arr = _check_ks(ks, d)
    threshold = 4 / math.sqrt(n) if threshold is None else threshold
    sigma = 1 / (4 * math.sqrt(n)) if sigma is None else sigma
    threshold = check_positive(threshold, "threshold")
    sigma = check_positive(sigma, "sigma")
    budget = d + ks_arr.size if budget is None else check_int(budget, "budget", low=1)

    frames = []
    for trial in range(n_trials):
        x_train = rng.standard_normal((n, d), dtype=np.float32)
        x_hold = rng.standard_normal((n, d), dtype=np.float32)
        y_train, y_hold, y_fresh = (
            rng.choice(np.array([-1.0, 1.0], dtype=np.float32), size=n)
            for _ in range(3)
        )
        thresholdout = (
            None
            if mechanism == "naive"
            else Thresholdout(threshold=threshold, sigma=sigma, budget=budget, rng=rng)
        )
        columns = _analyst(
            (x_train, y_train), (x_hold, y_hold), y_fresh, ks_arr, thresholdout, rng
        )
        frames.append(
            pd.DataFrame(
                {"mechanism": mechanism, "trial": trial, "k": ks_arr, **columns}
            )
        )
    return pd.concat(frames, ignore_index=True)


def _check_ks(ks: Sequence[int] | None, d: int) -> np.ndarray:
    """``ks`` as an increasing int array in [1, d]; by default 10 values up to d/20."""
    if ks is None:
        ks_arr = np.unique(np.linspace(max(d // 200, 1), max(d // 20, 1), 10).round())
        return ks_arr.astype(int)
    ks_arr = np.asarray(ks)
    if (
        ks_arr.ndim != 1
        or ks_arr.size == 0
        or not np.issubdtype(ks_arr.dtype, np.integer)
        or ks_arr.min() < 1
        or ks_arr.max() > d
        or np.any(np.diff(ks_arr) <= 0)
    ):
        raise ValueError(
            f"ks must be an increasing sequence of integers in [1, d={d}]; got {ks!r}"
        )
    return ks_arr


def _analyst(
    train: tuple[np.ndarray, np.ndarray],
    hold: tuple[np.ndarray, np.ndarray],
    y_fresh: np.ndarray,
    ks_arr: np.ndarray,
    thresholdout: Thresholdout | None,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Steps 1-3 of one trial, the holdout consulted through the mechanism.

    ``thresholdout`` is None for the naive holdout. Returns the columns of the
    trial's rows from ``n_used`` on; ``rng`` draws the fresh set's features.
    """
    (x_train, y_train), (x_hold, y_hold) = train, hold
    n = x_train.shape[0]
    mech = naive_holdout if thresholdout is None else thresholdout.query
    budget = 0 if thresholdout is None else thresholdout.budget
    k_max = int(ks_arr[-1])
    cut = 1 / math.sqrt(n)
    # Step 1: correlations, the holdout's through the mechanism.
    w_train = (x_train.T @ y_train).astype(float) / n
    w_hold = np.asarray(mech(w_train, (x_hold.T @ y_hold).astype(float) / n))
    # Step 2: keep agreeing, large correlations (NaN answers fail).
    with np.errstate(invalid="ignore"):
        keep = (
            (np.abs(w_train) > cut)
            & (np.abs(w_hold) > cut)
            & (np.sign(w_train) == np.sign(w_hold))
        )
    kept = np.flatnonzero(keep)
    order = kept[np.argsort(-np.abs(w_train[kept]), kind="stable")][:k_max]
    n_used = np.minimum(ks_arr, order.size)
    # Step 3: the classifiers, evaluated on all three sets.
    if order.size == 0:
        # No feature survives: the empty classifier guesses (the authors'
        # code reports 0.5 for it too).
        acc_train = acc_hold = acc_fresh = np.full(ks_arr.size, 0.5)
    else:
        signs = np.sign(w_train[order]).astype(np.float32)
        cols = np.maximum(n_used, 1)
        acc_train = _accuracies(x_train[:, order], signs, y_train, cols)
        acc_hold = _accuracies(x_hold[:, order], signs, y_hold, cols)
        x_fresh = rng.standard_normal((n, order.size), dtype=np.float32)
        acc_fresh = _accuracies(x_fresh, signs, y_fresh, cols)
    # The accuracy queries, one per k in order, through the mechanism.
    spent = np.zeros(ks_arr.size, dtype=int)
    reported = np.empty(ks_arr.size)
    for i in range(ks_arr.size):
        reported[i] = mech(acc_train[i], acc_hold[i])
        if thresholdout is not None:
            spent[i] = budget - thresholdout.budget
    return {
        "n_used": n_used,
        "train": acc_train,
        "holdout": reported,
        "holdout_actual": acc_hold,
        "fresh": acc_fresh,
        "budget_spent": spent,
    }
