"""Differentially private learning: per-example clipping, noisy GD and DP-SGD.

Gradient descent touches the data only through the gradient. Making the
gradient differentially private makes the whole training run private (the
model is post-processing of the noisy gradients):

1. **clip** each example's gradient to L2 norm at most ``C``
   (:func:`clip_gradients`), so that adding or removing one example changes
   the summed gradient by at most ``C`` in L2 norm;
2. **add Gaussian noise** ``N(0, (sigma C)^2)`` to each coordinate of the
   summed gradient, ``sigma`` being the *noise multiplier*;
3. **account** for all the steps with the accountants of :mod:`course_lib.privacy`.

:class:`DPLogisticRegression` implements two variants:

* ``method="noisy_gd"``: full-batch noisy gradient descent. Each step is a
  Gaussian mechanism with ``rho = 1 / (2 sigma^2)``-zCDP; ``T`` steps are
  ``T / (2 sigma^2)``-zCDP, converted to ``(epsilon, delta)`` with
  :func:`~course_lib.privacy.zcdp_to_dp`.
* ``method="dp_sgd"`` (Abadi et al. 2016): each step uses a **Poisson**
  sample of the data (every example independently with probability
  ``q = batch_size / n``, so the batch size varies), which is exactly what
  :func:`~course_lib.privacy.rdp_subsampled_gaussian` assumes;
  ``T`` steps are accounted in Rényi DP and converted with
  :func:`~course_lib.privacy.rdp_to_dp`.

In both cases the noise multiplier is the smallest one (found by bisection)
for which the accountant certifies ``(epsilon, delta)``-DP, under the
add-or-remove-one-example notion of neighbouring datasets. The number of
examples ``n`` is treated as public (it sets ``q`` and the normalisation).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from course_lib._checks import check_int, check_positive, check_probability, check_real
from course_lib.privacy._accounting import (
    rdp_subsampled_gaussian,
    rdp_to_dp,
    rho_for_dp,
    zcdp_to_dp,
)

__all__ = ["DPLogisticRegression", "clip_gradients", "dp_sgd_noise_multiplier"]

# Integer Rényi orders for DP-SGD: dense where the optimum usually is, then
# geometric up to 1024 (small epsilons need large orders).
_ORDERS = np.unique(
    np.concatenate([np.arange(2, 65), np.round(np.geomspace(64, 1024, 25))])
).astype(np.int64)


def clip_gradients(grads: ArrayLike, max_norm: float) -> np.ndarray:
    """Clip each row (one example's gradient) to L2 norm at most ``max_norm``.

    Row ``g`` becomes ``g * min(1, max_norm / ||g||_2)``: rows already short
    enough are unchanged, longer ones are scaled down to norm ``max_norm``.
    This bounds how much any one example can move the summed gradient, which
    is what lets Gaussian noise of scale ``sigma * max_norm`` hide it.

    Parameters
    ----------
    grads : array-like of shape (n_examples, n_params)
        Per-example gradients, finite.
    max_norm : float
        Clipping threshold ``C``, positive and finite.

    Returns
    -------
    numpy.ndarray of shape (n_examples, n_params)
        The clipped gradients (a new float array).

    Raises
    ------
    ValueError
        If ``grads`` is not 2-D or not finite, or ``max_norm`` is not a
        positive finite number.

    Examples
    --------
    >>> clip_gradients([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], 1.0)
    array([[0.6, 0.8],
           [0.3, 0.4],
           [0. , 0. ]])
    """
    g = np.asarray(grads, dtype=float)
    if g.ndim != 2:
        raise ValueError(
            f"grads must be a 2-D array (one row per example); got shape {g.shape}"
        )
    c = check_positive(max_norm, "max_norm")
    if not np.all(np.isfinite(g)):
        raise ValueError("grads must be finite; got NaN or inf")
    norms = np.sqrt(np.einsum("ij,ij->i", g, g))
    factor = c / np.maximum(norms, c)
    return g * factor[:, None]


def dp_sgd_noise_multiplier(
    epsilon: float, delta: float, q: float, steps: int
) -> tuple[float, float]:
    """Smallest noise multiplier giving ``(epsilon, delta)``-DP for DP-SGD.

    Bisection (in ``log sigma``) on the Rényi accountant of the
    Poisson-subsampled Gaussian mechanism,
    :func:`~course_lib.privacy.rdp_subsampled_gaussian`, converted with
    :func:`~course_lib.privacy.rdp_to_dp` over integer orders 2 to 1024. The
    returned multiplier is on the safe side: its epsilon is at most the target
    (and within 0.1% of it).

    Parameters
    ----------
    epsilon : float
        Target epsilon, positive and finite.
    delta : float
        Target delta, in ``(0, 1)``.
    q : float
        Poisson sampling rate, in ``(0, 1]``.
    steps : int
        Number of steps, a positive integer.

    Returns
    -------
    tuple of float
        ``(noise_multiplier, epsilon_spent)``.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> sigma, eps = dp_sgd_noise_multiplier(1.0, 1e-5, q=0.01, steps=1000)
    >>> round(sigma, 3), eps <= 1.0
    (1.513, True)
    """
    eps = check_positive(epsilon, "epsilon")

    def spent(sigma: float) -> float:
        rdp = rdp_subsampled_gaussian(q, sigma, steps, _ORDERS)
        return rdp_to_dp(_ORDERS, rdp, delta)[0]

    hi = 1.0
    while spent(hi) > eps:
        hi *= 2.0
        if hi > 1e8:  # pragma: no cover - only for absurd targets
            raise ValueError(
                f"epsilon must be reachable with a noise multiplier below 1e8; "
                f"got {epsilon!r}"
            )
    lo = hi / 2.0
    while lo > 1e-3 and spent(lo) <= eps:
        hi, lo = lo, lo / 2.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if spent(mid) <= eps:
            hi = mid
        else:
            lo = mid
        if hi / lo < 1 + 1e-4:
            break
    return hi, spent(hi)


class DPLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression trained with differential privacy.

    Minimises the mean logistic loss plus ``l2 / 2 * ||coef||^2`` by
    gradient descent on privatised gradients (see the module docstring):
    per-example gradients of the loss (intercept included) are clipped to L2
    norm ``clip_norm``, summed, perturbed with ``N(0, (sigma clip_norm)^2)``
    per coordinate, and divided by the (expected) batch size ``q n``; the
    regularisation gradient is added without noise (it does not touch the
    data). Privacy: the fitted model is **(epsilon, delta)-DP** with respect
    to adding or removing one training example, ``sigma`` being calibrated
    with the accountant (Rényi DP for ``"dp_sgd"``, zCDP for ``"noisy_gd"``);
    ``epsilon_spent_`` is the accountant's value (at most ``epsilon``).
    ``epsilon=numpy.inf`` turns the noise off (plain clipped gradient
    descent, no privacy), which is useful as a baseline.

    Parameters
    ----------
    epsilon : float, default 1.0
        Privacy budget, positive (``inf`` for no noise).
    delta : float, default 1e-5
        In ``(0, 1)``; should be well below ``1 / n``.
    clip_norm : float, default 1.0
        Per-example clipping threshold ``C``.
    method : {"dp_sgd", "noisy_gd"}, default "dp_sgd"
        Poisson-subsampled DP-SGD or full-batch noisy gradient descent.
    n_iter : int, default 300
        Number of gradient steps.
    batch_size : int, default 256
        Expected batch size of DP-SGD (``q = min(1, batch_size / n)``);
        ignored by ``"noisy_gd"``.
    learning_rate : float, default 0.5
        Step size (constant).
    l2 : float, default 1e-3
        L2 penalty on the coefficients (not the intercept).
    fit_intercept : bool, default True
        Fit an intercept.
    random_state : int, numpy.random.Generator or None, default None
        Seed for the batches and the noise (passed to
        :func:`numpy.random.default_rng`).

    Attributes
    ----------
    classes_ : numpy.ndarray of shape (2,)
        The two class labels; ``classes_[1]`` is the positive class.
    coef_ : numpy.ndarray of shape (1, n_features)
    intercept_ : numpy.ndarray of shape (1,)
    noise_multiplier_ : float
        ``sigma`` (0 when ``epsilon`` is infinite).
    epsilon_spent_ : float
        Epsilon certified by the accountant at ``delta``.
    sampling_rate_ : float
        ``q`` (1 for ``"noisy_gd"``).
    n_features_in_ : int
    feature_names_in_ : numpy.ndarray
        Only when ``X`` has string column names.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 2))
    >>> y = (X[:, 0] + 0.5 * X[:, 1] + rng.logistic(size=2000) > 0).astype(int)
    >>> model = DPLogisticRegression(epsilon=1.0, random_state=0).fit(X, y)
    >>> round(model.noise_multiplier_, 2), model.epsilon_spent_ <= 1.0
    (9.1, True)
    >>> round(model.score(X, y), 2)
    0.69
    """

    def __init__(
        self,
        epsilon: float = 1.0,
        delta: float = 1e-5,
        clip_norm: float = 1.0,
        method: Literal["dp_sgd", "noisy_gd"] = "dp_sgd",
        n_iter: int = 300,
        batch_size: int = 256,
        learning_rate: float = 0.5,
        l2: float = 1e-3,
        fit_intercept: bool = True,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.epsilon = epsilon
        self.delta = delta
        self.clip_norm = clip_norm
        self.method = method
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.l2 = l2
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    # -- validation ---------------------------------------------------------

    def _check_params(self) -> None:
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, Real):
            raise TypeError(
                f"epsilon must be a real number (inf for no noise); got {eps!r}"
            )
        if not float(eps) > 0:
            raise ValueError(
                f"epsilon must be a positive number (inf for no noise); got {eps!r}"
            )
        check_probability(self.delta, "delta", open_interval=True)
        check_positive(self.clip_norm, "clip_norm")
        check_positive(self.learning_rate, "learning_rate")
        if self.method not in ("dp_sgd", "noisy_gd"):
            raise ValueError(
                f"method must be 'dp_sgd' or 'noisy_gd'; got {self.method!r}"
            )
        check_int(self.n_iter, "n_iter", low=1)
        check_int(self.batch_size, "batch_size", low=1)
        check_real(self.l2, "l2", low=0.0)

    # -- fitting ------------------------------------------------------------

    def fit(self, X: ArrayLike, y: ArrayLike) -> DPLogisticRegression:
        """Train on ``X``, ``y`` with the privacy guarantee stated above.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features; the privacy guarantee holds whatever their scale
            (clipping bounds each example's influence), but standardised
            features train better.
        y : array-like of shape (n_samples,)
            Exactly two distinct labels.

        Returns
        -------
        DPLogisticRegression
            ``self``, fitted.

        Raises
        ------
        ValueError
            If a parameter is out of range, ``X`` has NaN/inf or ``y`` does
            not have exactly two classes.
        """
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, y01 = np.unique(y, return_inverse=True)
        if classes.size != 2:
            raise ValueError(
                f"y must contain exactly two classes; got {classes.size} class"
                f"{'es' if classes.size != 1 else ''} ({classes.tolist()!r}). "
                "Only binary classification is supported."
            )
        self.classes_ = classes
        n, p = X.shape
        Z = np.hstack([X, np.ones((n, 1))]) if self.fit_intercept else X
        target = y01.astype(float)
        rng = np.random.default_rng(self.random_state)
        eps, delta, steps = float(self.epsilon), float(self.delta), int(self.n_iter)

        if self.method == "dp_sgd":
            q = min(1.0, self.batch_size / n)
        else:
            q = 1.0
        if math.isinf(eps):
            sigma, spent = 0.0, math.inf
        elif self.method == "dp_sgd" and q < 1.0:
            sigma, spent = dp_sgd_noise_multiplier(eps, delta, q, steps)
        else:  # full batch: T Gaussian mechanisms, T / (2 sigma^2)-zCDP
            rho = rho_for_dp(eps, delta)
            sigma = math.sqrt(steps / (2 * rho))
            spent = zcdp_to_dp(steps / (2 * sigma**2), delta)
        self.noise_multiplier_ = float(sigma)
        self.epsilon_spent_ = float(spent)
        self.sampling_rate_ = float(q)

        w = np.zeros(Z.shape[1])
        penalty = np.full(Z.shape[1], float(self.l2))
        if self.fit_intercept:
            penalty[-1] = 0.0
        noise_sd = sigma * float(self.clip_norm)
        denom = q * n
        lr = float(self.learning_rate)
        for _ in range(steps):
            if q < 1.0:
                # Poisson sampling (each row in with probability q, independently),
                # drawn as its size ~ Binomial(n, q) and then a uniform subset of
                # that size: the same distribution, in O(batch) rather than O(n).
                rows = rng.choice(n, size=rng.binomial(n, q), replace=False)
                Zb, tb = Z[rows], target[rows]
            else:
                Zb, tb = Z, target
            residual = expit(Zb @ w) - tb
            grads = clip_gradients(Zb * residual[:, None], self.clip_norm)
            total = grads.sum(axis=0)
            if noise_sd > 0:
                total = total + rng.normal(0.0, noise_sd, size=total.shape)
            w = w - lr * (total / denom + penalty * w)

        self.coef_ = w[:p].reshape(1, p)
        self.intercept_ = np.array([w[p] if self.fit_intercept else 0.0])
        return self

    # -- prediction ---------------------------------------------------------

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Log-odds of the positive class ``classes_[1]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, 2)
        """
        p1 = expit(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X: ArrayLike) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed stably.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples, 2)
        """
        z = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Predicted class labels (``classes_[1]`` where the log-odds are > 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        numpy.ndarray of shape (n_samples,)
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]
