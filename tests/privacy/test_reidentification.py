"""Tests of course_lib.privacy._reidentification: re-identification, k-anonymity, differencing.

Randomised tests use fixed seeds, so they are deterministic; each states why
the property holds for (almost) every seed, with the false-failure rate.
"""

import numpy as np
import pandas as pd
import pytest

from course_lib.datasets import load_adult
from course_lib.privacy import (
    adult_with_identifiers,
    differencing_attack,
    generalize,
    homogeneity_attack,
    k_anonymity,
    linkage_attack,
    uniqueness,
)


@pytest.fixture
def people():
    return pd.DataFrame(
        {
            "zip": ["13053", "13068", "13068", "13053", "14853", "14853", "14850"],
            "age": [28, 29, 21, 23, 50, 55, 57],
            "sex": ["F", "F", "M", "M", "F", "F", "M"],
            "disease": ["heart", "heart", "heart", "heart", "cancer", "flu", "flu"],
        }
    )


def test_uniqueness_and_k_anonymity(people):
    assert uniqueness(people, ["zip"]) == pytest.approx(1 / 7)
    assert uniqueness(people, ["zip", "age"]) == 1.0
    assert k_anonymity(people, ["zip"]) == 1
    coarse = generalize(people, {"zip": 3, "age": 10})
    assert coarse["zip"].tolist()[:2] == ["130**", "130**"]
    assert coarse["age"].tolist()[:3] == ["20-29", "20-29", "20-29"]
    assert k_anonymity(coarse, ["zip", "age"]) == 3  # 130**/20-29 and 148**/50-59
    assert uniqueness(coarse, ["zip", "age"]) == 0.0


def test_uniqueness_counts_missing_values_as_a_value():
    df = pd.DataFrame({"a": [1.0, np.nan, np.nan, 2.0]})
    assert uniqueness(df, "a") == 0.5
    assert k_anonymity(df, ["a"]) == 1


def test_homogeneity_attack(people):
    coarse = generalize(people, {"zip": 3, "age": 10})
    # The 20-somethings in 130** all have heart disease: 4 of 7 exposed;
    # the 148** class has cancer and flu.
    assert homogeneity_attack(coarse, ["zip", "age"], "disease") == pytest.approx(4 / 7)
    assert homogeneity_attack(coarse, ["sex"], "disease") == 0.0


def test_generalize_callable_suppression_and_errors(people):
    out = generalize(people, {"sex": None, "age": lambda s: s // 20})
    assert set(out["sex"]) == {"*"}
    assert out["age"].tolist() == [1, 1, 1, 1, 2, 2, 2]
    assert people["sex"].tolist()[0] == "F"  # input unchanged
    with pytest.raises(ValueError, match="rule for 'age' must be a positive integer"):
        generalize(people, {"age": 0})
    with pytest.raises(TypeError, match="rule for 'age' must be a positive int"):
        generalize(people, {"age": 2.5})
    with pytest.raises(ValueError, match="df must have the columns \\['nope'\\]"):
        generalize(people, {"nope": 1})


def test_linkage_attack_keeps_only_one_to_one_matches():
    released = pd.DataFrame(
        {
            "zip": ["1", "1", "2", "3"],
            "sex": ["F", "F", "M", "F"],
            "dx": ["a", "b", "c", "d"],
        }
    )
    voters = pd.DataFrame(
        {"zip": ["1", "2", "3", "3"], "sex": ["F", "M", "F", "F"], "name": list("WXYZ")}
    )
    linked = linkage_attack(released, voters, ["zip", "sex"])
    assert linked[["dx", "name"]].values.tolist() == [["c", "X"]]
    with pytest.raises(ValueError, match="auxiliary must have the columns"):
        linkage_attack(released, voters.drop(columns="sex"), ["zip", "sex"])


def test_linkage_on_synthetic_adult_identifiers():
    df = adult_with_identifiers(
        load_adult(split="all").head(5_000), rng=np.random.default_rng(1)
    )
    released = df.drop(columns="name")
    voters = df[["name", "zip", "sex", "birth_date"]].sample(frac=1.0, random_state=0)
    linked = linkage_attack(released, voters, ["zip", "sex", "birth_date"])
    # Every one-to-one match is correct here (the voter list is complete) and
    # the share re-identified equals the uniqueness on the quasi-identifiers.
    truth = df.set_index(["zip", "sex", "birth_date"])["name"]
    keys = pd.MultiIndex.from_frame(linked[["zip", "sex", "birth_date"]])
    assert (truth.loc[keys].to_numpy() == linked["name"].to_numpy()).all()
    assert len(linked) / len(df) == pytest.approx(
        uniqueness(df, ["zip", "sex", "birth_date"])
    )
    assert len(linked) / len(df) > 0.9


def test_errors_re_identification(people):
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        uniqueness([1, 2], ["a"])
    with pytest.raises(ValueError, match="df must have the columns \\['nope'\\]"):
        k_anonymity(people, ["nope"])
    with pytest.raises(ValueError, match="df must have at least one row"):
        k_anonymity(people.iloc[:0], ["zip"])
    with pytest.raises(ValueError, match="quasi_identifiers must name at least one"):
        uniqueness(people, [])


def test_differencing_attack():
    assert differencing_attack(1342, 1341) == 1
    assert differencing_attack(np.int64(7), 7) == 0
    with pytest.raises(ValueError, match="must be 0 or 1"):
        differencing_attack(10, 5)
    with pytest.raises(TypeError, match="count_all must be an integer; got float"):
        differencing_attack(1.5, 1)
    with pytest.raises(
        ValueError, match="count_all_but_one must be an integer >= 0; got -1"
    ):
        differencing_attack(0, -1)
