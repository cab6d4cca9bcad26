"""Tests of course_lib.privacy._synthetic (synthetic data for the attacks)."""

import numpy as np
import pandas as pd
import pytest

from course_lib.datasets import load_adult
from course_lib.privacy import (
    CENSUS_YEAR,
    MIN_MARRIED_AGE,
    adult_with_identifiers,
    census_block,
    location_traces,
    uniqueness,
)


@pytest.fixture(scope="module")
def adult_ids():
    return adult_with_identifiers(load_adult(split="all"), rng=np.random.default_rng(0))


def test_adult_identifiers_are_consistent_and_unique_names(adult_ids):
    assert len(adult_ids) == 48_842
    assert (adult_ids["birth_date"].dt.year == CENSUS_YEAR - adult_ids["age"]).all()
    assert adult_ids["zip"].str.fullmatch(r"[1-9]\d{4}").all()
    assert adult_ids["zip"].nunique() <= 300
    assert adult_ids["name"].is_unique
    # First names follow sex: no male first name on a woman.
    first = adult_ids["name"].str.split(" ").str[0]
    assert not first[adult_ids["sex"] == "Female"].isin(["Adam", "Omar", "Wei"]).any()


def test_adult_uniqueness_high_on_birth_date_low_on_birth_year(adult_ids):
    # Deterministic for the seed; measured 0.941 and 0.164 (seed 0).
    df = adult_ids.assign(birth_year=adult_ids["birth_date"].dt.year)
    full = uniqueness(df, ["zip", "sex", "birth_date"])
    year = uniqueness(df, ["zip", "sex", "birth_year"])
    assert full > 0.85  # Sweeney: 87% of the US on ZIP, sex, birth date
    assert year < 0.3
    assert uniqueness(df, ["sex", "birth_year"]) < 0.01


def test_adult_zip_sizes_are_zipf_like(adult_ids):
    sizes = adult_ids["zip"].value_counts().to_numpy()
    # Largest ZIP ~ n / H_300 = 7,800 people; the median ZIP has ~ 100.
    assert sizes[0] > 5_000
    assert np.median(sizes) < 300


def test_adult_identifiers_reproducible_and_input_untouched():
    df = load_adult(split="all").head(500)
    before = df.copy()
    a = adult_with_identifiers(df, rng=np.random.default_rng(3))
    b = adult_with_identifiers(df, rng=np.random.default_rng(3))
    c = adult_with_identifiers(df, rng=np.random.default_rng(4))
    pd.testing.assert_frame_equal(a, b)
    assert not a["zip"].equals(c["zip"])
    pd.testing.assert_frame_equal(df, before)


def test_adult_identifiers_errors():
    good = pd.DataFrame({"age": [30], "sex": ["Male"]})
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        adult_with_identifiers(good, rng=0)
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        adult_with_identifiers([1], rng=rng)
    with pytest.raises(ValueError, match="df must have a 'sex' column"):
        adult_with_identifiers(good[["age"]], rng=rng)
    with pytest.raises(ValueError, match="df\\['sex'\\] must be 'Female' or 'Male'"):
        adult_with_identifiers(good.assign(sex="X"), rng=rng)
    with pytest.raises(ValueError, match=r"age.*non-negative whole numbers"):
        adult_with_identifiers(good.assign(age=-1), rng=rng)
    with pytest.raises(ValueError, match="n_zips must be an integer >= 1; got 0"):
        adult_with_identifiers(good, rng=rng, n_zips=0)
    with pytest.raises(
        ValueError, match=r"zipf_exponent must be a finite number >= 0; got -1\.0"
    ):
        adult_with_identifiers(good, rng=rng, zipf_exponent=-1.0)


def test_location_traces_shape_and_contributions():
    traces = location_traces(2_000, 50, 24 * 7, rng=np.random.default_rng(0))
    assert list(traces.columns) == ["person", "place", "hour"]
    assert (traces.dtypes == np.int64).all()
    assert traces["place"].between(0, 49).all()
    assert traces["hour"].between(0, 24 * 7 - 1).all()
    visits = traces.groupby("person").size()
    assert len(visits) == 2_000 and visits.min() >= 1
    # 1 + Poisson(9): mean 10 and sd 3, so the mean of 2,000 people is
    # within 10 +- 0.34 (5 sd, false failure < 1e-6).
    assert abs(visits.mean() - 10) < 0.34
    # Popular places are visited more; nights are quiet.
    by_place = traces["place"].value_counts()
    assert by_place.loc[0] > 5 * by_place.loc[49]
    night = (traces["hour"] % 24) < 6
    assert night.mean() < 0.1
    pd.testing.assert_frame_equal(
        traces, location_traces(2_000, 50, 24 * 7, rng=np.random.default_rng(0))
    )


def test_location_traces_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_people must be an integer >= 1; got 0"):
        location_traces(0, 5, 5, rng=rng)
    with pytest.raises(TypeError, match="n_places must be an integer; got float"):
        location_traces(5, 2.5, 5, rng=rng)
    with pytest.raises(
        ValueError, match=r"visits_per_person must be a finite number >= 1; got 0\.5"
    ):
        location_traces(5, 5, 5, rng=rng, visits_per_person=0.5)
    with pytest.raises(
        ValueError, match=r"p_favourite must be a finite number in \[0, 1\]; got 2"
    ):
        location_traces(5, 5, 5, rng=rng, p_favourite=2)


def test_census_block_published_matches_paper():
    block = census_block()
    assert block["age"].tolist() == [8, 18, 24, 30, 36, 66, 84]
    assert block["age"].median() == 30 and block["age"].mean() == 38
    female = block[block["sex"] == "F"]["age"]
    assert female.median() == 30 and female.mean() == 33.5
    black_female = block[(block["sex"] == "F") & (block["race"] == "Black")]["age"]
    assert black_female.tolist() == [8, 36, 66]
    assert block["married"].sum() == 4


def test_census_block_random():
    block = census_block(rng=np.random.default_rng(5), size=50)
    assert len(block) == 50
    assert not (block["married"] & (block["age"] < MIN_MARRIED_AGE)).any()
    assert set(block["sex"]) <= {"F", "M"} and set(block["race"]) <= {"Black", "White"}
    assert block["age"].is_monotonic_increasing
    with pytest.raises(ValueError, match="size must be 7 for the published block"):
        census_block(size=5)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        census_block(rng=1)
