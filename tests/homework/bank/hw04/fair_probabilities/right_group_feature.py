# Correct: the reduction with the group as an extra feature, via the mixture weights.
import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib.fairness import DemographicParity, ExponentiatedGradient


def fair_probabilities(X, y, groups, eps):
    g = np.asarray(groups)
    Xg = np.column_stack([np.asarray(X, dtype=float), g == g[0]])
    eg = ExponentiatedGradient(
        LogisticRegression(max_iter=500),
        DemographicParity(difference_bound=eps),
        eps=eps,
    )
    eg.fit(Xg, y, sensitive_features=g)
    predictions = np.array([h.predict(Xg) for h in eg.predictors_], dtype=float)
    return np.clip(eg.weights_.to_numpy() @ predictions, 0, 1)
