# Ignores the constraint: an ordinary logistic regression's probabilities.
from sklearn.linear_model import LogisticRegression


def fair_probabilities(X, y, groups, eps):
    return LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
