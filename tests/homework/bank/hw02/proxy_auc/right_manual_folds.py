# Correct: folds written out by hand, the scaler fitted on each training part.
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler


def proxy_auc(X, a, random_state):
    """Mean 5-fold cross-validated ROC AUC of predicting a from X."""
    X = np.asarray(X, dtype=float)
    a = np.asarray(a).astype(int)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=random_state)
    aucs = []
    for train, test in folds.split(X, a):
        scaler = StandardScaler().fit(X[train])
        model = LogisticRegression().fit(scaler.transform(X[train]), a[train])
        score = model.decision_function(scaler.transform(X[test]))
        aucs.append(roc_auc_score(a[test], score))
    return sum(aucs) / len(aucs)
