"""Column checks for the DataFrames the privacy attacks take.

Shared by the re-identification attacks (quasi-identifiers) and the census
block reconstruction (a block's columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def check_columns(df: object, columns: Sequence[str], name: str = "df") -> list[str]:
    """Return ``columns`` as a list if ``df`` is a DataFrame that has them all.

    A TypeError if ``df`` is not a DataFrame; a ValueError if ``columns`` is
    empty or names a column ``df`` lacks. One column name may be a string.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"zip": ["02138"], "age": [31]})
    >>> check_columns(df, "zip")
    ['zip']
    >>> check_columns(df, ["zip", "sex"])
    Traceback (most recent call last):
    ...
    ValueError: df must have the columns ['sex']; got columns ['zip', 'age']
    """
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
