# Uses only the classifier with the largest weight.
import numpy as np


def mixture_predict_proba(predictions, weights):
    preds = np.asarray(predictions, dtype=float)
    return preds[int(np.argmax(weights))]
