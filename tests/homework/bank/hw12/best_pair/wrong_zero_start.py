# Starts the running best at accuracy 0 with a strict comparison: returns no pair when every pair scores 0.
import itertools

import numpy as np
from sklearn.base import clone


def best_pair(model, X_train, y_train, X_test, y_test):
    best_pair_found, best_accuracy = None, 0.0
    for a, b in itertools.combinations(X_train.columns, 2):
        fitted = clone(model).fit(X_train[[a, b]], y_train)
        accuracy = float(np.mean(fitted.predict(X_test[[a, b]]) == np.asarray(y_test)))
        if accuracy > best_accuracy:
            best_pair_found, best_accuracy = (a, b), accuracy
    return best_pair_found, best_accuracy
