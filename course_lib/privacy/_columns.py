"""Column checks for the DataFrames the privacy attacks take.

Shared by the re-identification attacks (quasi-identifiers) and the census
block reconstruction (a block's columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def check_columns(df: object, columns: Sequence[str], name: str = "df") -> list[str]:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame; got {type(df).__name__}")
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("quasi_identifiers must name at least one column; got []")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} must have the columns {missing}; got columns {list(df.columns)}"
        )
    return columns
