# Wrong: groups a fresh Series of outcomes by the input Series, which pandas aligns on their indexes.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    """Observed outcome rate for each score value (rows) and group (columns)."""
    outcome = pd.Series(np.asarray(y_true, dtype=float))
    return outcome.groupby([scores, groups]).mean().unstack()
