import json

import numpy as np
import pandas as pd
import pytest

from course_tools.grading.codec import (
    DecodeError,
    EncodeError,
    decode,
    dumps,
    encode,
    loads,
)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -2.5,
        "text",
        [1, "a", None],
        {"a": [1.5, {"b": False}]},
        float("inf"),
    ],
)
def test_plain_values_round_trip(value):
    assert loads(dumps(value)) == value


def test_nan_round_trips_without_nan_literals():
    text = dumps([float("nan"), np.float64("nan")])
    assert "NaN" not in text
    assert all(np.isnan(loads(text)))


def test_numpy_arrays_round_trip_with_their_kind():
    for arr in (
        np.arange(6).reshape(2, 3),
        np.array([0.5, np.nan]),
        np.array([True, False]),
        np.array(["a", "b"]),
    ):
        back = loads(dumps(arr))
        assert back.shape == arr.shape
        assert np.array_equal(
            back.astype(arr.dtype), arr, equal_nan=arr.dtype.kind == "f"
        )


def test_frames_series_and_indexes_round_trip():
    frame = pd.DataFrame(
        {"count": [3, 4], "rate": [0.5, np.nan], "label": ["x", None]},
        index=pd.Index(["a", "b"], name="group"),
    )
    back = loads(dumps(frame))
    assert list(back.columns) == ["count", "rate", "label"]
    assert back.index.name == "group" and list(back.index) == ["a", "b"]
    assert back["count"].tolist() == [3, 4]
    assert np.isnan(back.loc["b", "rate"]) and pd.isna(back.loc["b", "label"])
    multi = pd.Series([1.0, 2.0], index=pd.MultiIndex.from_tuples([(1, "x"), (2, "y")]))
    assert loads(dumps(multi)).index.tolist() == [(1, "x"), (2, "y")]
    cat = pd.Series(pd.Categorical(["b", "a"]), name="c")
    assert loads(dumps(cat)).tolist() == ["b", "a"]
    dates = pd.Series(pd.to_datetime(["2013-01-02", None]))
    back_dates = loads(dumps(dates))
    assert back_dates[0] == "2013-01-02T00:00:00" and pd.isna(back_dates[1])


class AlwaysEqual:
    def __eq__(self, other):
        return True


class Subclass(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize(
    "value",
    [
        AlwaysEqual(),
        [AlwaysEqual()],
        {"a": AlwaysEqual()},
        {1: "int key"},
        np.array([AlwaysEqual()], dtype=object),
        pd.Series([AlwaysEqual()]),
        Subclass(1.0),
        lambda: 1,
    ],
)
def test_anything_but_plain_data_is_refused(value):
    with pytest.raises(EncodeError, match="must"):
        encode(value)


def test_subclass_of_frame_is_refused():
    class Sneaky(pd.DataFrame):
        pass

    with pytest.raises(EncodeError, match="plain data"):
        encode(Sneaky({"a": [1]}))


def test_too_deep_nesting_is_refused_both_ways():
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(EncodeError, match="deep"):
        encode(deep)
    with pytest.raises(DecodeError):
        decode(json.loads("[" * 40 + "]" * 40))


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "NaN",
        '{"__ndarray__": "int64", "shape": [2], "data": [1]}',
        '{"__ndarray__": "int64", "shape": [1], "data": ["x"]}',
        '{"__ndarray__": "int64", "shape": [2], "b64": "AAAAAAAAAAA="}',
        '{"__ndarray__": "float64", "shape": [1], "b64": "!!!!!!!!!!!="}',
        '{"__ndarray__": "bool", "shape": [1], "b64": "Ag=="}',
        '{"__ndarray__": "float64", "shape": [1099511627776, 1099511627776], "b64": ""}',
        '{"__ndarray__": "str", "shape": [1], "data": [["nested"]]}',
        '{"__ndarray__": "str", "shape": [2], "data": ["a", 1]}',
        '{"__ndarray__": "str", "shape": [2], "data": [null, {"x": 1}]}',
        '{"__ndarray__": "object", "shape": [2], "data": ["a", {"x": 1}]}',
        '{"__ndarray__": "pickle", "shape": [0], "data": []}',
        '{"__ndarray__": "str", "shape": [2], "levels": ["a"], "b64": "AAAAAAEAAAA="}',
        '{"__ndarray__": "str", "shape": [2], "levels": ["a"], "b64": "AAAAAP7///8="}',
        '{"__ndarray__": "str", "shape": [2], "levels": ["a"], "b64": "AAAAAA=="}',
        '{"__ndarray__": "str", "shape": [1], "levels": [1], "b64": "AAAAAA=="}',
        '{"__ndarray__": "str", "shape": [1], "levels": "a", "b64": "AAAAAA=="}',
        '{"__ndarray__": "str", "shape": [1], "levels": ["a"], "b64": [0]}',
        '{"__frame__": [], "columns": 1, "index": 2}',
        '{"unknown": 1}',
    ],
)
def test_malformed_input_raises_decode_error(text):
    with pytest.raises(DecodeError):
        loads(text)


def test_oversized_input_is_refused():
    with pytest.raises(DecodeError, match="at most 10 bytes"):
        loads("[" + "1," * 20 + "1]", max_bytes=10)


def test_numpy_strings_decode_the_same_with_or_without_json():
    """In-kernel grading decodes without a JSON round trip: np.str_ must survive."""
    frame = pd.DataFrame([{"group": np.str_("a"), "x": 1.0}])
    direct = decode(encode(frame))
    via_json = loads(dumps(frame))
    assert direct["group"].tolist() == via_json["group"].tolist() == ["a"]


def test_arrays_cross_as_bytes_and_keep_their_values():
    values = np.array(
        [0.1, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1.7976931348623157e308]
    )
    text = dumps(values)
    assert '"b64"' in text and "0.1" not in text  # bytes, not decimal text
    back = loads(text)
    assert back.dtype == np.float64
    assert np.array_equal(back, values, equal_nan=True)
    assert back.flags.writeable  # a check may modify what it receives
    ints = np.array([[2**62, -(2**62)], [0, 7]])
    assert np.array_equal(loads(dumps(ints)), ints)


def _frame_record(n_columns: int) -> dict:
    column = {"__ndarray__": "int64", "shape": [1], "b64": "AAAAAAAAAAA="}
    names = {"__ndarray__": "str", "shape": [n_columns], "data": ["c"] * n_columns}
    one = {"__ndarray__": "int64", "shape": [1], "b64": "AAAAAAAAAAA="}
    return {
        "__frame__": [column] * n_columns,
        "columns": {"__index__": names, "name": None},
        "index": {"__index__": one, "name": None},
    }


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (json.dumps(_frame_record(50_000)), "at most 10,000 columns"),
        ("[" + ",".join(["0"] * 3_000_000) + "]", "at most 2,000,000 JSON values"),
        (json.dumps([{"__dict__": {}}] * 2_100_000), "at most 2,000,000 JSON values"),
        (
            json.dumps(
                {
                    "__multiindex__": [{"__ndarray__": "str", "shape": [0], "data": []}]
                    * 40,
                    "names": [None] * 40,
                }
            ),
            "1 to 32 levels",
        ),
    ],
)
def test_crafted_results_are_refused_before_they_are_built(text, match):
    with pytest.raises(DecodeError, match=match):
        loads(text)


def test_decoding_spends_a_budget_of_values():
    many = [[]] * 1000
    assert decode(many, max_items=2000) == many
    with pytest.raises(DecodeError, match="at most"):
        decode(many, max_items=500)


def test_object_columns_keep_each_values_type():
    arr = np.array(["a", None, 1, 2.5, True], dtype=object)
    got = decode(encode(arr))
    assert got.dtype == object and list(got) == list(arr)
    assert [type(x) for x in got] == [type(x) for x in arr]


def test_string_columns_cross_as_distinct_strings_and_codes():
    race = np.array(["Black", "White", None, "Hispanic"] * 1500, dtype=object)
    frame = pd.DataFrame(
        {
            "race": race,
            "cat": pd.Categorical(race),
            "when": pd.to_datetime(
                [
                    "2013-01-02 00:00:00",
                    None,
                    "2014-05-06 07:08:09",
                    "2013-01-02 00:00:00",
                ]
                * 1500
            ),
            "u": np.array(["a", "b", "a", "c"] * 1500),
        }
    )
    text = dumps(frame)
    assert len(text) < 200_000  # not 6,000 strings per column
    assert text.count('"Hispanic"') == 2  # once per column that holds it
    back = loads(text)

    def values(column):
        return [None if pd.isna(x) else x for x in back[column]]

    assert values("race") == values("cat") == race.tolist()
    assert values("when")[:4] == [
        "2013-01-02T00:00:00",
        None,
        "2014-05-06T07:08:09",
        "2013-01-02T00:00:00",
    ]
    assert back["u"].tolist() == ["a", "b", "a", "c"] * 1500
    column = loads(dumps(race))
    assert column.dtype == object and {type(x) for x in column} == {str, type(None)}
    column[0] = "changed"  # a check may modify what it receives
    numbers = pd.Series(pd.Categorical([3, 1, None]))
    assert loads(dumps(numbers)).tolist()[:2] == [3, 1]


def test_coded_strings_spend_the_budget_of_their_elements():
    text = dumps(np.array(["a"] * 1000))
    assert len(loads(text)) == 1000
    with pytest.raises(DecodeError, match="at most"):
        loads(text, max_items=500)


def test_arrays_can_travel_as_buffers_beside_the_json():
    frame = pd.DataFrame(
        {"x": [0.5, np.nan, 2.0], "n": [1, 2, 3], "ok": [True, False, True]},
        index=pd.Index(["a", "b", "a"], name="g"),
    )
    buffers: list[bytes] = []
    record = json.loads(json.dumps(encode(frame, buffers=buffers)))
    # The three columns, and the codes of the column names and of the index.
    assert "b64" not in json.dumps(record) and len(buffers) == 5
    back = decode(record, buffers=buffers)
    pd.testing.assert_frame_equal(back, decode(encode(frame)))
    sent: list[bytes] = []
    assert decode(encode(np.arange(3), buffers=sent), buffers=sent).flags.writeable


@pytest.mark.parametrize(
    ("record", "buffers"),
    [
        ({"__ndarray__": "int64", "shape": [1], "buf": 0}, None),
        ({"__ndarray__": "int64", "shape": [1], "buf": 1}, [b"\x00" * 8]),
        ({"__ndarray__": "int64", "shape": [1], "buf": -1}, [b"\x00" * 8]),
        ({"__ndarray__": "int64", "shape": [1], "buf": True}, [b"\x00" * 8]),
        ({"__ndarray__": "int64", "shape": [2], "buf": 0}, [b"\x00" * 8]),
        ({"__ndarray__": "int64", "shape": [1], "buf": 0}, [[0] * 8]),
        (
            {"__ndarray__": "str", "shape": [1], "levels": ["a"], "buf": 0},
            [b"\x05\0\0\0"],
        ),
    ],
)
def test_a_buffer_that_was_not_sent_or_does_not_fit_is_refused(record, buffers):
    with pytest.raises(DecodeError):
        decode(record, buffers=buffers)
