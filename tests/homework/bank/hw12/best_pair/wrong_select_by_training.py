# Chooses the pair by training accuracy, then reports its test accuracy.
from itertools import combinations

import numpy as np
from sklearn.base import clone


def best_pair(model, X_train, y_train, X_test, y_test):
    """Pair of columns whose fitted model is most accurate on the test rows."""
    best, best_train, best_test = None, -1.0, None
    for pair in combinations(X_train.columns, 2):
        cols = list(pair)
        fitted = clone(model).fit(X_train[cols], y_train)
        train_acc = fitted.score(X_train[cols], y_train)
        if train_acc > best_train:
            best, best_train = pair, train_acc
            best_test = float(
                np.mean(fitted.predict(X_test[cols]) == np.asarray(y_test))
            )
    return best, best_test
