# Scores every pair on the training rows instead of the test rows.
from itertools import combinations

import numpy as np
from sklearn.base import clone


def best_pair(model, X_train, y_train, X_test, y_test):
    """Pair of columns whose fitted model is most accurate on the test rows."""
    scores = {}
    for pair in combinations(X_train.columns, 2):
        fitted = clone(model).fit(X_train[list(pair)], y_train)
        scores[pair] = float(
            np.mean(fitted.predict(X_train[list(pair)]) == np.asarray(y_train))
        )
    best = max(scores, key=scores.get)
    return best, scores[best]
