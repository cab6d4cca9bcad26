# Correct, with two index loops, .score and ties broken by the last pair seen.
from sklearn.base import clone


def best_pair(model, X_train, y_train, X_test, y_test):
    """Pair of columns whose fitted model is most accurate on the test rows."""
    columns = list(X_train.columns)
    best, best_accuracy = None, -1.0
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            cols = [columns[i], columns[j]]
            fitted = clone(model).fit(X_train[cols].to_numpy(), y_train)
            accuracy = fitted.score(X_test[cols].to_numpy(), y_test)
            if accuracy >= best_accuracy:
                best, best_accuracy = (columns[i], columns[j]), accuracy
    return best, float(best_accuracy)
