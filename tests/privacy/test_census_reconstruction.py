"""Tests of course_lib.privacy._census_reconstruction: a census block's tables and its reconstruction.

Randomised tests use fixed seeds, so they are deterministic; each states why
the property holds for (almost) every seed, with the false-failure rate.
"""

import numpy as np
import pandas as pd
import pytest

from course_lib.privacy import (
    block_tables,
    census_block,
    reconstruct_block,
    reconstruction_rate,
)


@pytest.fixture(scope="module")
def published():
    return block_tables(census_block())


def test_block_tables_reproduce_garfinkel_table_1(published):
    table = published["table"]
    expected = {  # count, median, mean: Table 1 of Garfinkel et al. (2019)
        "1A": (7, 30, 38),
        "2A": (4, 30, 33.5),
        "2B": (3, 30, 44),
        "2C": (4, 51, 48.5),
        "2D": (3, 24, 24),
        "3B": (4, 51, 54),
        "4A": (3, 36, 36.7),
    }
    for code, values in expected.items():
        assert tuple(table.loc[code, ["count", "median_age", "mean_age"]]) == values
    suppressed = ["3A", "4B", "4C", "4D", "5A", "5B", "5C"]
    assert table.loc[suppressed, ["count", "median_age", "mean_age"]].isna().all().all()
    assert table["count"].dtype == "Int64"


def test_published_tables_have_exactly_one_solution_the_block(published):
    solutions = reconstruct_block(published)
    assert len(solutions) == 1
    pd.testing.assert_frame_equal(solutions[0], census_block())
    assert reconstruction_rate(solutions[0], census_block()) == 1.0


def test_fewer_tables_have_several_solutions(published):
    # Without 3B (married adults) marital status is underdetermined: 22 blocks
    # (found by exhaustive enumeration), all with the same ages, sexes and races.
    fewer = {**published, "table": published["table"].drop(index="3B")}
    solutions = reconstruct_block(fewer)
    assert len(solutions) == 22
    keys = {tuple(map(tuple, s.values.tolist())) for s in solutions}
    assert len(keys) == 22  # all distinct
    truth = census_block()
    assert any(s.equals(truth) for s in solutions)
    for s in solutions:  # every solution really is consistent
        check = block_tables(s)["table"].drop(index="3B")
        pd.testing.assert_frame_equal(check, fewer["table"])
        assert s["age"].tolist() == truth["age"].tolist()
    rates = [reconstruction_rate(s, truth) for s in solutions]
    assert min(rates) < 1.0 == max(rates)


def test_random_block_is_among_the_solutions():
    block = census_block(rng=np.random.default_rng(2), size=5)
    tables = block_tables(block, threshold=1)  # nothing suppressed but empty groups
    solutions = reconstruct_block(tables, max_age=90)
    assert any(s.equals(block) for s in solutions)
    for s in solutions:
        pd.testing.assert_frame_equal(
            block_tables(s, threshold=1)["table"], tables["table"]
        )


def test_block_errors(published):
    with pytest.raises(ValueError, match="must publish statistic 1A"):
        reconstruct_block({**published, "table": published["table"].drop(index="1A")})
    with pytest.raises(TypeError, match="tables must be a dict with a 'table'"):
        reconstruct_block(published["table"])
    bad = published["table"].rename(index={"5C": "9Z"})
    with pytest.raises(ValueError, match="index must hold codes of BLOCK_STATISTICS"):
        reconstruct_block({**published, "table": bad})
    with pytest.raises(ValueError, match="block\\['race'\\] values must be in"):
        block_tables(census_block().assign(race="Asian"))
    with pytest.raises(ValueError, match="block must have the columns \\['married'\\]"):
        block_tables(census_block().drop(columns="married"))
    with pytest.raises(ValueError, match="threshold must be an integer >= 1; got 0"):
        block_tables(census_block(), threshold=0)
    with pytest.raises(TypeError, match="decimals must be an integer; got float"):
        block_tables(census_block(), decimals=1.0)
    with pytest.raises(ValueError, match="max_age must be an integer >= 1; got 0"):
        reconstruct_block(published, max_age=0)
    with pytest.raises(TypeError, match="max_age must be an integer; got str"):
        reconstruct_block(published, max_age="90")
