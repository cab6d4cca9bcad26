# Wrong: cv=5 (5 stratified folds, not shuffled), so random_state is ignored.
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def proxy_auc(X, a, random_state):
    """Mean 5-fold cross-validated ROC AUC of predicting a from X."""
    model = make_pipeline(StandardScaler(), LogisticRegression())
    return float(cross_val_score(model, X, a, cv=5, scoring="roc_auc").mean())
