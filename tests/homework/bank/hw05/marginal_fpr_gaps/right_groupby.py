# Correct, with a pandas groupby per column on the negatives.
import pandas as pd


def marginal_fpr_gaps(y_true, y_pred, A):
    frame = A.reset_index(drop=True).astype(int)
    frame["_pred"] = pd.Series(list(y_pred)).astype(int).to_numpy()
    negatives = frame[pd.Series(list(y_true)).astype(int).to_numpy() == 0]
    out = []
    for column in A.columns:
        rates = negatives.groupby(column)["_pred"].mean()
        out.append(abs(rates.loc[1] - rates.loc[0]))
    return pd.Series(out, index=A.columns)
