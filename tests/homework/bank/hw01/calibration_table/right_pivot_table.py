# Correct, with pandas.pivot_table.
import numpy as np
import pandas as pd


def calibration_table(scores, y_true, groups):
    frame = pd.DataFrame(
        {"score": np.asarray(scores), "y": np.asarray(y_true), "g": np.asarray(groups)}
    )
    return frame.pivot_table(index="score", columns="g", values="y", aggfunc="mean")
