# Inverts the weight: P(g, y) / (P(g) P(y)).
import numpy as np
import pandas as pd


def reweighing_weights(y, groups):
    frame = pd.DataFrame({"y": np.asarray(y), "g": np.asarray(groups)})
    n = len(frame)
    p_g = frame.groupby("g")["y"].transform("size") / n
    p_y = frame.groupby("y")["g"].transform("size") / n
    p_gy = frame.groupby(["g", "y"])["y"].transform("size") / n
    return (p_gy / (p_g * p_y)).to_numpy()
