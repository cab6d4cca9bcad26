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

Numeric and boolean arrays travel as the base64 of their little-endian bytes,
so that a large array costs its own size to decode, not a Python object per
element; string arrays travel as their distinct strings and the base64 of
each element's int32 position among them. A caller that can send bytes
beside the JSON (the sandbox's channel does) passes ``buffers`` to both
sides, and the bytes skip base64 altogether. Anything else raises :class:`EncodeError`, which the grader reports
as "returned an object of type X" for that part.

Decoding is bounded however the bytes were crafted: :func:`decode` spends at
most ``max_items`` Python-level values (list items, dict entries, strings and
objects of string or object arrays), refuses more than ``MAX_COLUMNS``
columns or ``MAX_LEVELS`` index levels, and :func:`loads` refuses a text of
more than ``max_bytes`` bytes or with more JSON values than ``max_items``
before parsing it.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MAX_COLUMNS",
    "MAX_ITEMS",
    "MAX_LEVELS",
    "DecodeError",
    "EncodeError",
    "decode",
    "dumps",
    "encode",
    "loads",
]

_MAX_DEPTH = 32
#: Python-level values one :func:`decode` may build (see the module docstring).
MAX_ITEMS = 2_000_000
#: Columns of one decoded DataFrame.
MAX_COLUMNS = 10_000
#: Levels of one decoded MultiIndex.
MAX_LEVELS = 32
_MAX_NDIM = 32
# dtype name -> (numpy dtype of the bytes on the wire)
_BINARY = {"bool": np.dtype("u1"), "int64": np.dtype("<i8"), "float64": np.dtype("<f8")}
# positions of a string array's elements in its levels (-1: missing)
_CODES = np.dtype("<i4")


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


#: Where :func:`encode` puts arrays' bytes when its caller sends them beside
#: the JSON (see ``buffers``); None: in the JSON, as base64.
_SINK: contextvars.ContextVar[list[bytes] | None] = contextvars.ContextVar(
    "codec_sink", default=None
)


def _bytes(values: np.ndarray, dtype: np.dtype) -> dict[str, Any]:
    """The field that carries ``values`` as ``dtype``'s bytes: ``b64`` or ``buf``."""
    raw = np.ascontiguousarray(values, dtype=dtype).tobytes()
    sink = _SINK.get()
    if sink is None:
        return {"b64": base64.b64encode(raw).decode("ascii")}
    sink.append(raw)
    return {"buf": len(sink) - 1}


def _array(values: np.ndarray) -> dict[str, Any]:
    kind = values.dtype.kind
    shape = list(values.shape)
    values = values.ravel()
    if kind == "b":
        return {
            "__ndarray__": "bool",
            "shape": shape,
            **_bytes(values, _BINARY["bool"]),
        }
    if kind in "iu":
        return {
            "__ndarray__": "int64",
            "shape": shape,
            **_bytes(values.astype(np.int64), _BINARY["int64"]),
        }
    if kind == "f":
        return {
            "__ndarray__": "float64",
            "shape": shape,
            **_bytes(values.astype(np.float64), _BINARY["float64"]),
        }
    if kind in "US":
        return _strings(values.astype(str).astype(object), shape)
    if kind == "M":
        # Dates repeat: format each distinct one once.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        text = np.datetime_as_string(np.asarray(uniques), unit="s").tolist()
        return _coded(codes, text, shape)
    if kind != "O":
        raise EncodeError(
            f"array dtype must be bool, int, float or str; got {values.dtype}"
        )
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return _strings(values, shape)
    data = [_scalar(x) for x in values.tolist()]
    return {"__ndarray__": "object", "shape": shape, "data": data}


def _strings(values: np.ndarray, shape: list[int]) -> dict[str, Any]:
    """A 1-D object array of strings and missing values, as a record.

    Each distinct string crosses once: ``levels`` lists them, and the bytes
    hold each element's position in ``levels`` as an int32 (-1 for a
    missing value). A column of 6,000 rows and six races costs six strings
    and 24 KB of bytes to encode and to decode, not 6,000 Python strings.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    # np.str_ too becomes str: the JSON round trip would give str anyway.
    return _coded(codes, [str(x) for x in uniques.tolist()], shape)


def _coded(codes: np.ndarray, levels: list[str], shape: list[int]) -> dict[str, Any]:
    return {
        "__ndarray__": "str",
        "shape": shape,
        "levels": levels,
        **_bytes(codes, _CODES),
    }


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
        values = pd.Categorical(values)
        categories = values.categories
        if pd.api.types.infer_dtype(categories, skipna=True) in ("string", "empty"):
            levels = [str(x) for x in categories.tolist()]
            return _coded(values.codes, levels, [len(values)])
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


def encode(value: Any, _depth: int = 0, *, buffers: list[bytes] | None = None) -> Any:
    """Turn plain data into JSON-ready Python objects.

    Parameters
    ----------
    value : object
        A number, string, boolean, None, list, tuple, dict with str keys,
        numpy scalar or array, or pandas Series, DataFrame or Index.
    buffers : list of bytes, optional
        Where to append arrays' bytes, for a caller that sends them beside
        the JSON (the records then say ``"buf": i`` where they would hold
        base64); :func:`decode` needs the same list.

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
    >>> sent = []
    >>> encode(np.arange(3), buffers=sent)
    {'__ndarray__': 'int64', 'shape': [3], 'buf': 0}
    >>> decode(encode(np.arange(3), buffers=sent), buffers=sent).tolist()
    [0, 1, 2]
    """
    if _depth == 0:
        token = _SINK.set(buffers)
        try:
            return _encode(value, 0)
        finally:
            _SINK.reset(token)
    return _encode(value, _depth)


def _encode(value: Any, _depth: int) -> Any:
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
        return [_encode(v, _depth + 1) for v in value]
    if t is dict:
        if not all(type(k) is str for k in value):
            raise EncodeError("dict keys must be str")
        return {"__dict__": {k: _encode(v, _depth + 1) for k, v in value.items()}}
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


class _Budget:
    """How many more Python-level values a decode may build, and the buffers it reads."""

    def __init__(self, items: int, buffers: Sequence[bytes] | None = None):
        self.left = items
        self.buffers = buffers

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise DecodeError(
                "the value must hold at most "
                f"{MAX_ITEMS:,} numbers, strings and containers outside arrays; got more"
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


def _dec_shape(shape: Any) -> tuple[list[int], int]:
    if not (
        isinstance(shape, list)
        and len(shape) <= _MAX_NDIM
        and all(type(s) is int and s >= 0 for s in shape)
    ):
        raise DecodeError(
            f"array shape must be a list of at most {_MAX_NDIM} non-negative ints"
        )
    return shape, math.prod(shape)


def _dec_array(rec: dict[str, Any], budget: _Budget) -> np.ndarray:
    dtype = rec["__ndarray__"]
    shape, size = _dec_shape(rec.get("shape"))
    budget.spend(1)
    if dtype in _BINARY:
        wire = _BINARY[dtype]
        arr = _dec_bytes(rec, size, wire, f"{dtype} array", budget)
        if dtype == "bool":
            if arr.size and arr.max() > 1:
                raise DecodeError("bool array holds a byte other than 0 or 1")
            arr = arr.astype(bool)
        else:
            arr = arr.astype(wire.newbyteorder("="), copy=True)
        return arr.reshape(shape)
    if dtype == "str" and "levels" in rec:
        return _dec_strings(rec, shape, size, budget)
    data = rec.get("data")
    if not isinstance(data, list) or len(data) != size:
        raise DecodeError("array data must be a list matching its shape")
    budget.spend(len(data))
    # The type of every element, found in C: a column of 6,000 strings is
    # checked without a Python loop.
    kinds = set(map(type, data))
    if dtype == "str":
        if not kinds <= _STR_KINDS:
            raise DecodeError("str array holds a non-str")
        arr = np.empty(len(data), dtype=object)
        arr[:] = data
    elif dtype == "object":
        arr = np.empty(len(data), dtype=object)
        if kinds <= _PLAIN_KINDS:
            arr[:] = data
        else:
            arr[:] = [_dec_scalar(x, budget) for x in data]
    else:
        raise DecodeError(f"unknown array dtype {dtype!r}")
    return arr.reshape(shape)


def _dec_bytes(
    rec: dict[str, Any], size: int, wire: np.dtype, what: str, budget: _Budget
) -> np.ndarray:
    """The ``size`` little-endian values of ``wire`` that ``rec`` carries.

    ``rec`` holds them as base64 (``b64``) or names one of the buffers sent
    beside the JSON (``buf``); either must hold exactly ``size`` values.
    """
    if "buf" in rec:
        index, buffers = rec["buf"], budget.buffers
        if buffers is None or type(index) is not int or not 0 <= index < len(buffers):
            raise DecodeError(f"{what} names a buffer that was not sent")
        raw = buffers[index]
        if not isinstance(raw, (bytes, bytearray, memoryview)):
            raise DecodeError(f"{what} names a buffer that was not sent")
    else:
        text = rec.get("b64")
        if type(text) is not str or len(text) != 4 * math.ceil(
            size * wire.itemsize / 3
        ):
            raise DecodeError(f"{what} bytes must match its shape")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as error:
            raise DecodeError(f"{what} bytes are not base64") from error
    if len(raw) != size * wire.itemsize:
        raise DecodeError(f"{what} bytes must match its shape")
    return np.frombuffer(raw, dtype=wire)


def _dec_strings(
    rec: dict[str, Any], shape: list[int], size: int, budget: _Budget
) -> np.ndarray:
    """A string array sent as distinct ``levels`` and int32 ``codes``."""
    levels = rec.get("levels")
    if not isinstance(levels, list) or set(map(type, levels)) - {str}:
        raise DecodeError("str array levels must be a list of str")
    # Each element is a Python-level value of the decoded array, as when the
    # strings cross one by one: the budget bounds the array, not the wire.
    budget.spend(size + len(levels))
    codes = _dec_bytes(rec, size, _CODES, "str array codes", budget)
    if codes.size and not (-1 <= codes.min() and codes.max() < len(levels)):
        raise DecodeError("str array codes must index its levels")
    table = np.empty(len(levels) + 1, dtype=object)
    table[:-1] = levels
    table[-1] = None  # code -1: a missing value
    return table[codes].reshape(shape)


_STR_KINDS = {str, type(None)}
_PLAIN_KINDS = {str, type(None), bool, int, float}


def _dec_scalar(x: Any, budget: _Budget, _depth: int = 0) -> Any:
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, dict):
        return _dec_float(x)
    if isinstance(x, list) and _depth < _MAX_DEPTH:
        budget.spend(len(x))
        return tuple(_dec_scalar(v, budget, _depth + 1) for v in x)
    raise DecodeError(f"scalar expected; got {type(x).__name__}")


def _dec_name(name: Any) -> str | None:
    if name is None or type(name) is str:
        return name
    raise DecodeError("a name must be a string or null")


def _dec_index(rec: Any, budget: _Budget) -> pd.Index:
    if not isinstance(rec, dict):
        raise DecodeError("index record expected")
    if "__multiindex__" in rec:
        levels = rec["__multiindex__"]
        names = rec.get("names")
        if not isinstance(levels, list) or not 1 <= len(levels) <= MAX_LEVELS:
            raise DecodeError(f"a MultiIndex must have 1 to {MAX_LEVELS} levels")
        if not isinstance(names, list) or len(names) != len(levels):
            raise DecodeError("a MultiIndex needs one name per level")
        arrays = [_dec_array(_need_array(r), budget) for r in levels]
        if any(a.ndim != 1 or len(a) != len(arrays[0]) for a in arrays):
            raise DecodeError("MultiIndex levels must be 1-D and of one length")
        return pd.MultiIndex.from_arrays(arrays, names=[_dec_name(n) for n in names])
    if "__index__" in rec:
        values = _dec_array(_need_array(rec["__index__"]), budget)
        if values.ndim != 1:
            raise DecodeError("an Index must be 1-D")
        return pd.Index(values, name=_dec_name(rec.get("name")))
    raise DecodeError("index record expected")


def _need_array(rec: Any) -> dict[str, Any]:
    if not (isinstance(rec, dict) and "__ndarray__" in rec):
        raise DecodeError("array record expected")
    return rec


def decode(
    obj: Any,
    _depth: int = 0,
    *,
    max_items: int = MAX_ITEMS,
    buffers: Sequence[bytes] | None = None,
) -> Any:
    """Rebuild numpy and pandas objects from the output of :func:`encode`.

    ``buffers`` are the bytes that :func:`encode` put beside the JSON, if it
    was given a list for them.

    Raises
    ------
    DecodeError
        If ``obj`` is not such an output, or would take more than
        ``max_items`` Python-level values to build.
    """
    return _decode(obj, _depth, _Budget(max_items, buffers))


def _decode(obj: Any, _depth: int, budget: _Budget) -> Any:
    if _depth > _MAX_DEPTH + 2:
        raise DecodeError("nesting too deep")
    budget.spend(1)
    if obj is None or type(obj) in (bool, int, float, str):
        return obj
    if type(obj) is list:
        return [_decode(v, _depth + 1, budget) for v in obj]
    if type(obj) is not dict:
        raise DecodeError(f"unexpected {type(obj).__name__}")
    return _dec_record(obj, _depth, budget)


def _dec_record(obj: dict[str, Any], _depth: int, budget: _Budget) -> Any:
    """The object a record (a dict with one marker key, as encode writes it) stands for."""
    if "__float__" in obj:
        return _dec_float(obj)
    if "__dict__" in obj:
        return _dec_dict(obj["__dict__"], _depth, budget)
    if "__ndarray__" in obj:
        return _dec_array(obj, budget)
    if "__series__" in obj:
        return _dec_series(obj, budget)
    if "__frame__" in obj:
        return _dec_frame(obj, budget)
    if "__index__" in obj or "__multiindex__" in obj:
        return _dec_index(obj, budget)
    raise DecodeError("unknown record")


def _dec_dict(inner: Any, _depth: int, budget: _Budget) -> dict[str, Any]:
    if not isinstance(inner, dict):
        raise DecodeError("dict record expected")
    return {str(k): _decode(v, _depth + 1, budget) for k, v in inner.items()}


def _dec_series(obj: dict[str, Any], budget: _Budget) -> pd.Series:
    values = _dec_array(_need_array(obj["__series__"]), budget)
    index = _dec_index(obj.get("index"), budget)
    if values.ndim != 1 or len(values) != len(index):
        raise DecodeError("series values must be 1-D and match the index")
    return pd.Series(values, index=index, name=_dec_name(obj.get("name")))


def _dec_frame(obj: dict[str, Any], budget: _Budget) -> pd.DataFrame:
    records = obj["__frame__"]
    if not isinstance(records, list) or len(records) > MAX_COLUMNS:
        raise DecodeError(f"a DataFrame must have at most {MAX_COLUMNS:,} columns")
    columns = _dec_index(obj.get("columns"), budget)
    index = _dec_index(obj.get("index"), budget)
    cols = [_dec_array(_need_array(c), budget) for c in records]
    if len(cols) != len(columns) or any(
        c.ndim != 1 or len(c) != len(index) for c in cols
    ):
        raise DecodeError("frame shape does not match its index")
    frame = pd.DataFrame(dict(enumerate(cols)), index=index)
    frame.columns = columns
    return frame


def dumps(value: Any) -> str:
    """``json.dumps(encode(value))``, refusing NaN literals."""
    return json.dumps(encode(value), allow_nan=False, separators=(",", ":"))


def loads(
    text: str | bytes, *, max_bytes: int = 64 * 2**20, max_items: int = MAX_ITEMS
) -> Any:
    """Parse and :func:`decode` untrusted JSON of at most ``max_bytes``.

    The text is refused before it is parsed if it is longer than
    ``max_bytes`` or holds more than ``max_items`` JSON values (counted by
    their separators), so that parsing is bounded in time and memory too.
    """
    if len(text) > max_bytes:
        raise DecodeError(f"output must be at most {max_bytes} bytes; got {len(text)}")
    raw_bytes = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    values = raw_bytes.count(b",") + raw_bytes.count(b"[") + raw_bytes.count(b"{")
    if values > max_items:
        raise DecodeError(
            f"output must hold at most {max_items:,} JSON values; got about {values:,}"
        )

    def _no_constants(name: str) -> Any:
        raise DecodeError(f"JSON constant {name} is not allowed")

    try:
        raw = json.loads(raw_bytes, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        raise DecodeError(f"output is not valid JSON: {error}") from error
    except (RecursionError, UnicodeDecodeError) as error:
        raise DecodeError(
            f"output is not valid JSON ({type(error).__name__})"
        ) from error
    return decode(raw, max_items=max_items)
