"""Plain data that crosses the sandbox wall: JSON with typed containers.

A student's function runs inside the sandbox; what it returns is encoded there
with :func:`encode` and decoded by the grader with :func:`decode`. The format
is plain JSON, so decoding runs no code of the student's: an object whose
``==`` is always true, a subclass with odd methods or a monkeypatched numpy
cannot survive the trip. Only these types are encoded:

- ``None``, ``bool``, ``int``, ``float`` (including NaN and infinities), ``str``;
- ``list`` and ``tuple`` (both decode to ``list``) and ``dict`` with ``str`` keys;
- numpy scalars and arrays of bool, integer, float or string dtype;
- pandas ``Series``, ``DataFrame`` and ``Index`` (including ``MultiIndex``),
  whose values are converted to those dtypes (categoricals to their values,
  datetimes to ISO strings).

Anything else raises :class:`EncodeError`, which the grader reports as
"returned an object of type X" for that part.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DecodeError", "EncodeError", "decode", "dumps", "encode", "loads"]

_MAX_DEPTH = 32


class EncodeError(TypeError):
    """A value is not plain data that can leave the sandbox."""


class DecodeError(ValueError):
    """Bytes from the sandbox are not a valid encoding of plain data."""


def _float(x: float) -> Any:
    if math.isnan(x):
        return {"__float__": "nan"}
    if math.isinf(x):
        return {"__float__": "inf" if x > 0 else "-inf"}
    return x


def _array(values: np.ndarray) -> dict[str, Any]:
    kind = values.dtype.kind
    shape = list(values.shape)
    values = values.ravel()
    if kind == "b":
        data: list[Any] = values.astype(bool).tolist()
        dtype = "bool"
    elif kind in "iu":
        data = values.astype(np.int64).tolist()
        dtype = "int64"
    elif kind == "f":
        data = [_float(x) for x in values.astype(np.float64).tolist()]
        dtype = "float64"
    elif kind in "US":
        data = values.astype(str).tolist()
        dtype = "str"
    elif kind == "M":
        text = np.datetime_as_string(values, unit="s").astype(object)
        text[np.isnat(values)] = None
        data, dtype = text.tolist(), "str"
    elif kind == "O":
        data = values.tolist()
        if pd.api.types.infer_dtype(data, skipna=True) in ("string", "empty"):
            # Fast path for string columns: only missing values need care.
            missing = pd.isna(values)
            data = [
                None if m else str(x)  # np.str_ too: the JSON round trip gives str
                for x, m in zip(data, missing.tolist(), strict=True)
            ]
            dtype = "str"
        else:
            data = [_scalar(x) for x in data]
            dtype = "object"
    else:
        raise EncodeError(
            f"array dtype must be bool, int, float or str; got {values.dtype}"
        )
    return {"__ndarray__": dtype, "shape": shape, "data": data}


def _scalar(x: Any) -> Any:
    """An element of an object column: only plain scalars are allowed."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    t = type(x)
    if t is bool or t is np.bool_:
        return bool(x)
    if t is int or isinstance(x, np.integer):
        return int(x)
    if t is float or isinstance(x, np.floating):
        return _float(float(x))
    if t is str or isinstance(x, np.str_):
        return str(x)
    if isinstance(x, pd.Timestamp):
        return x.isoformat()
    if t is tuple:
        return [_scalar(v) for v in x]
    raise EncodeError(f"values must be numbers, strings or booleans; got {t.__name__}")


def _column(values: Any) -> dict[str, Any]:
    """Encode a 1-D pandas array-like as an ndarray record."""
    if isinstance(values, pd.Categorical) or isinstance(
        getattr(values, "dtype", None), pd.CategoricalDtype
    ):
        values = np.asarray(values, dtype=object)
    arr = np.asarray(values) if not isinstance(values, np.ndarray) else values
    return _array(arr)


def _index(index: pd.Index) -> dict[str, Any]:
    if type(index) is pd.MultiIndex:
        return {
            "__multiindex__": [
                _column(index.get_level_values(i)) for i in range(index.nlevels)
            ],
            "names": [None if n is None else str(n) for n in index.names],
        }
    if not isinstance(index, pd.Index):
        raise EncodeError(f"index must be a pandas Index; got {type(index).__name__}")
    return {
        "__index__": _column(
            index.to_numpy()
            if not isinstance(index.dtype, pd.CategoricalDtype)
            else index
        ),
        "name": None if index.name is None else str(index.name),
    }


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn plain data into JSON-ready Python objects.

    Parameters
    ----------
    value : object
        A number, string, boolean, None, list, tuple, dict with str keys,
        numpy scalar or array, or pandas Series, DataFrame or Index.

    Returns
    -------
    object
        Lists, dicts, strings, numbers, booleans and None only.

    Raises
    ------
    EncodeError
        If ``value`` holds anything else.

    Examples
    --------
    >>> encode((1, 2.5, "a"))
    [1, 2.5, 'a']
    >>> decode(encode(np.array([True, False]))).tolist()
    [True, False]
    """
    if _depth > _MAX_DEPTH:
        raise EncodeError(f"values must be nested at most {_MAX_DEPTH} deep")
    t = type(value)
    if value is None or t is bool or t is str or t is int:
        return value
    if t is float:
        return _float(value)
    if isinstance(value, (np.bool_, np.integer, np.floating, np.str_)):
        return _scalar(value)
    if t is list or t is tuple:
        return [encode(v, _depth + 1) for v in value]
    if t is dict:
        if not all(type(k) is str for k in value):
            raise EncodeError("dict keys must be str")
        return {"__dict__": {k: encode(v, _depth + 1) for k, v in value.items()}}
    if t is np.ndarray:
        return _array(
            value
            if value.dtype.kind != "O"
            else np.array(
                [_scalar(x) for x in value.ravel().tolist()], dtype=object
            ).reshape(value.shape)
        )
    if t is pd.Series:
        return {
            "__series__": _column(value.array),
            "index": _index(value.index),
            "name": None if value.name is None else str(value.name),
        }
    if t is pd.DataFrame:
        return {
            "__frame__": [
                _column(value.iloc[:, i].array) for i in range(value.shape[1])
            ],
            "columns": _index(value.columns),
            "index": _index(value.index),
        }
    if isinstance(value, pd.Index) and t in (
        pd.Index,
        pd.MultiIndex,
        pd.RangeIndex,
        pd.CategoricalIndex,
        pd.DatetimeIndex,
    ):
        return _index(value)
    raise EncodeError(
        f"the value must be plain data (number, string, list, dict, numpy array or "
        f"pandas object); got an object of type {t.__module__}.{t.__qualname__}"
    )


def _dec_float(x: Any) -> float:
    if (
        isinstance(x, dict)
        and set(x) == {"__float__"}
        and x["__float__"] in ("nan", "inf", "-inf")
    ):
        return float(x["__float__"])
    if type(x) in (int, float) and type(x) is not bool:
        return float(x)
    raise DecodeError(f"float expected; got {type(x).__name__}")


def _dec_array(rec: dict[str, Any]) -> np.ndarray:
    dtype, shape, data = rec["__ndarray__"], rec.get("shape"), rec.get("data")
    if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
        raise DecodeError("array shape must be a list of non-negative ints")
    if not isinstance(data, list) or len(data) != int(np.prod(shape, dtype=np.int64)):
        raise DecodeError("array data must be a list matching its shape")
    if dtype == "bool":
        if not all(type(x) is bool for x in data):
            raise DecodeError("bool array holds a non-bool")
        arr = np.array(data, dtype=bool)
    elif dtype == "int64":
        if not all(type(x) is int for x in data):
            raise DecodeError("int array holds a non-int")
        arr = np.array(data, dtype=np.int64)
    elif dtype == "float64":
        arr = np.array([_dec_float(x) for x in data], dtype=np.float64)
    elif dtype == "str":
        if not all(x is None or type(x) is str for x in data):
            raise DecodeError("str array holds a non-str")
        arr = np.array(data, dtype=object)
    elif dtype == "object":
        arr = np.empty(len(data), dtype=object)
        arr[:] = [_dec_scalar(x) for x in data]
    else:
        raise DecodeError(f"unknown array dtype {dtype!r}")
    return arr.reshape(shape)


def _dec_scalar(x: Any) -> Any:
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, dict):
        return _dec_float(x)
    if isinstance(x, list):
        return tuple(_dec_scalar(v) for v in x)
    raise DecodeError(f"scalar expected; got {type(x).__name__}")


def _dec_index(rec: Any) -> pd.Index:
    if not isinstance(rec, dict):
        raise DecodeError("index record expected")
    if "__multiindex__" in rec:
        levels = [_dec_array(_need_array(r)) for r in rec["__multiindex__"]]
        names = rec.get("names")
        return pd.MultiIndex.from_arrays(levels, names=names)
    if "__index__" in rec:
        return pd.Index(_dec_array(_need_array(rec["__index__"])), name=rec.get("name"))
    raise DecodeError("index record expected")


def _need_array(rec: Any) -> dict[str, Any]:
    if not (isinstance(rec, dict) and "__ndarray__" in rec):
        raise DecodeError("array record expected")
    return rec


def decode(obj: Any, _depth: int = 0) -> Any:
    """Rebuild numpy and pandas objects from the output of :func:`encode`.

    Raises
    ------
    DecodeError
        If ``obj`` is not such an output.
    """
    if _depth > _MAX_DEPTH + 2:
        raise DecodeError("nesting too deep")
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [decode(v, _depth + 1) for v in obj]
    if type(obj) is not dict:
        raise DecodeError(f"unexpected {type(obj).__name__}")
    if "__float__" in obj:
        return _dec_float(obj)
    if "__dict__" in obj:
        inner = obj["__dict__"]
        if not isinstance(inner, dict):
            raise DecodeError("dict record expected")
        return {str(k): decode(v, _depth + 1) for k, v in inner.items()}
    if "__ndarray__" in obj:
        return _dec_array(obj)
    if "__series__" in obj:
        return pd.Series(
            _dec_array(_need_array(obj["__series__"])),
            index=_dec_index(obj.get("index")),
            name=obj.get("name"),
        )
    if "__frame__" in obj:
        columns = _dec_index(obj.get("columns"))
        index = _dec_index(obj.get("index"))
        cols = [_dec_array(_need_array(c)) for c in obj["__frame__"]]
        if len(cols) != len(columns) or any(len(c) != len(index) for c in cols):
            raise DecodeError("frame shape does not match its index")
        frame = pd.DataFrame(dict(enumerate(cols)), index=index)
        frame.columns = columns
        return frame
    if "__index__" in obj or "__multiindex__" in obj:
        return _dec_index(obj)
    raise DecodeError("unknown record")


def dumps(value: Any) -> str:
    """``json.dumps(encode(value))``, refusing NaN literals."""
    return json.dumps(encode(value), allow_nan=False, separators=(",", ":"))


def loads(text: str | bytes, *, max_bytes: int = 64 * 2**20) -> Any:
    """Parse and :func:`decode` untrusted JSON of at most ``max_bytes``."""
    if len(text) > max_bytes:
        raise DecodeError(f"output must be at most {max_bytes} bytes; got {len(text)}")

    def _no_constants(name: str) -> Any:
        raise DecodeError(f"JSON constant {name} is not allowed")

    try:
        raw = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise DecodeError(f"output is not valid JSON: {error}") from error
    return decode(raw)
