# Wrong: 10 stratified folds instead of the 5 the task prescribes.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def proxy_auc(X, a, random_state):
    """Mean 10-fold cross-validated ROC AUC of predicting a from X."""
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=random_state)
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return float(cross_val_score(model, X, a, cv=folds, scoring="roc_auc").mean())
