"""Random inputs that the hidden tests of several homework draw alike.

Each function takes the ``rng`` the grader passes to a test's ``calls``
(drawn per submission, see :func:`course_tools.grading.spec.inputs_rng`), so
the inputs differ from one submission to the next and repeat on a regrade.
"""

from __future__ import annotations

import numpy as np

__all__ = ["group_confusion"]


def group_confusion(
    rng: np.random.Generator, n: int, base_rate: float, tpr: float, fpr: float
) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and predictions of one group of ``n >= 4`` people.

    The first four people are one of each (y_true, y_pred) in {0, 1}^2, so that
    every rate of the group (true and false positive and negative rates,
    positive and negative predictive values) has a non-zero denominator
    whatever the draw; the others have y_true = 1 with probability
    ``base_rate`` and are predicted 1 with probability ``tpr`` if so, ``fpr``
    if not.

    Parameters
    ----------
    rng : numpy.random.Generator
        The test's generator.
    n : int
        People in the group, at least 4.
    base_rate, tpr, fpr : float
        Probabilities, in [0, 1].

    Returns
    -------
    y_true, y_pred : numpy.ndarray
        Two int arrays of 0s and 1s, of length ``n``.

    Examples
    --------
    >>> y, p = group_confusion(np.random.default_rng(0), 6, 0.5, 0.9, 0.1)
    >>> y[:4].tolist(), p[:4].tolist(), len(y)
    ([0, 0, 1, 1], [0, 1, 0, 1], 6)
    """
    y = rng.random(n - 4) < base_rate
    p = np.where(y, rng.random(n - 4) < tpr, rng.random(n - 4) < fpr)
    y = np.concatenate([[0, 0, 1, 1], y]).astype(int)
    p = np.concatenate([[0, 1, 0, 1], p]).astype(int)
    return y, p
