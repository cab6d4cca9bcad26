"""Tests for course_lib.pipeline's labels: COMPAS labels and unrecorded offences.

The tables are those of the pipeline chapter's design (section 1.2), on the
6,172 ProPublica rows of the vendored COMPAS data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_lib.datasets import load_compas
from course_lib.fairness import group_metrics
from course_lib.pipeline import (
    DISCRETIONARY_PATTERNS,
    charge_categories,
    compas_labels,
    missed_offence_rates,
)

BLACK, WHITE = "African-American", "Caucasian"


@pytest.fixture(scope="module")
def compas():
    return load_compas()


@pytest.fixture(scope="module")
def labels(compas):
    return compas_labels(compas)


@pytest.fixture(scope="module")
def two_races(compas):
    rows = compas[compas["race"].isin([BLACK, WHITE])]
    return (
        rows["two_year_recid"].to_numpy(),
        (rows["decile_score"] >= 5).to_numpy().astype(int),
        rows["race"].astype(str).to_numpy(),
    )


# ------------------------------------------------------------ compas_labels


def test_label_counts_on_the_propublica_rows(labels):
    assert len(labels) == 6172
    assert labels.sum().to_dict() == {
        "any_charge": 2809,
        "violent_charge": 600,
        "discretionary_charge": 1282,
        "other_charge": 1527,
    }
    # The split is a partition of the charged, and violent charges are charges.
    both = labels["discretionary_charge"] + labels["other_charge"]
    assert (both == labels["any_charge"]).all()
    assert not ((labels["violent_charge"] == 1) & (labels["any_charge"] == 0)).any()


def test_label_table_by_race(compas, labels):
    """The design's section 1.2 table (with the corrected discretionary rule)."""
    rows = compas["race"].isin([BLACK, WHITE])
    table = labels[rows].groupby(compas.loc[rows, "race"].astype(str)).mean()
    expected = pd.DataFrame(
        {
            "any_charge": [0.523, 0.391],
            "violent_charge": [0.116, 0.079],
            "discretionary_charge": [0.255, 0.154],
            "other_charge": [0.268, 0.237],
        },
        index=[BLACK, WHITE],
    )
    np.testing.assert_allclose(table.loc[[BLACK, WHITE]], expected, atol=5e-4)
    assert compas["race"].value_counts()[[BLACK, WHITE]].tolist() == [3175, 2103]
    gap = table.loc[BLACK] - table.loc[WHITE]
    assert round(gap["any_charge"], 3) == 0.132
    assert round(gap["other_charge"], 3) == 0.031


def test_labels_keep_the_index_and_the_horizon_shortens_violent(compas, labels):
    subset = compas.iloc[::7]
    assert compas_labels(subset).index.equals(subset.index)
    assert labels.index.equals(compas.index)
    shorter = compas_labels(compas, horizon_days=365)
    assert shorter["violent_charge"].sum() == 382
    assert (shorter["violent_charge"] <= labels["violent_charge"]).all()
    assert (shorter["any_charge"] == labels["any_charge"]).all()
    assert set(labels.dtypes.astype(str)) == {"int64"}


@pytest.mark.parametrize("bad", [0, -3])
def test_horizon_must_be_positive(compas, bad):
    with pytest.raises(
        ValueError, match=rf"horizon_days must be an integer >= 1; got {bad}"
    ):
        compas_labels(compas, horizon_days=bad)


@pytest.mark.parametrize("bad", [1.5, "730", True])
def test_horizon_must_be_an_integer(compas, bad):
    with pytest.raises(TypeError, match="horizon_days must be an integer; got"):
        compas_labels(compas, horizon_days=bad)


def test_missing_column_is_named(compas):
    with pytest.raises(KeyError, match="vr_offense_date"):
        compas_labels(compas.drop(columns="vr_offense_date"))
    with pytest.raises(KeyError, match="r_charge_desc"):
        charge_categories(compas.drop(columns="r_charge_desc"))
    with pytest.raises(TypeError, match="compas must be a DataFrame"):
        charge_categories(compas.to_numpy())


# --------------------------------------------------------- charge_categories


def _frame(descriptions, recid=None):
    recid = [1] * len(descriptions) if recid is None else recid
    return pd.DataFrame({"two_year_recid": recid, "r_charge_desc": descriptions})


@pytest.mark.parametrize(
    "description",
    [
        "Possess Cannabis/20 Grams Or Less",
        "Possession of Cocaine",
        "Poss Pyrrolidinovalerophenone",
        "Possess Drug Paraphernalia",
        "Driving License Suspended",
        "Operating W/O Valid License",
        "Susp Drivers Lic 1st Offense",
        "Driving While License Revoked",
        "DWLS Canceled Disqul 1st Off",
        "Resist/Obstruct W/O Violence",
    ],
)
def test_discretionary_descriptions(description):
    assert charge_categories(_frame([description])).tolist() == ["discretionary"]


@pytest.mark.parametrize(
    "description",
    [
        "Poss Cocaine/Intent To Del/Sel",
        "Poss of Cocaine W/I/D/S 1000FT Park",
        "Driving Under The Influence",
        "Poss F/Arm Delinq",
        "Possess Countrfeit Credit Card",
        "Resist Officer w/Violence",
        "Battery",
        # "lic" inside a word is not a licence offence
        "Threat Public Servant",
        "Fail To Obey Police Officer",
        "Loiter Solicit Act Prostitute",
        "Unlaw Malic Strike K9/Horses",
        "Sale of Alcoholic Bev to Minor",
        None,
    ],
)
def test_other_descriptions(description):
    assert charge_categories(_frame([description])).tolist() == ["other"]


def test_no_charge_is_none_whatever_the_description():
    out = charge_categories(_frame(["Possession of Cocaine", None], recid=[0, 0]))
    assert out.tolist() == ["none", "none"]
    assert list(out.cat.categories) == ["none", "discretionary", "other"]
    assert out.name == "charge_category"


def test_the_patterns_are_the_documented_three():
    assert list(DISCRETIONARY_PATTERNS) == [
        "drug possession",
        "licence",
        "resisting without violence",
    ]


def test_top_matched_descriptions(compas):
    disc = charge_categories(compas) == "discretionary"
    top = compas.loc[disc, "r_charge_desc"].value_counts().head(5)
    assert top.to_dict() == {
        "Possess Cannabis/20 Grams Or Less": 219,
        "Driving License Suspended": 214,
        "Resist/Obstruct W/O Violence": 159,
        "Operating W/O Valid License": 143,
        "Possession of Cocaine": 109,
    }


@pytest.mark.parametrize("bad", [2, np.nan])
def test_recid_must_be_binary(bad):
    with pytest.raises(
        ValueError, match="two_year_recid must be 0 or 1 in every row; got"
    ):
        charge_categories(_frame(["Battery", "Battery"], recid=[1, bad]))


# ------------------------------------------------------ missed_offence_rates


def _table(y, pred, race, m_black, m_white):
    return missed_offence_rates(
        y, pred, sensitive_features=race, miss_rate={BLACK: m_black, WHITE: m_white}
    )


def test_no_missed_offences_gives_the_observed_rates(two_races):
    y, pred, race = two_races
    table = _table(y, pred, race, 0, 0)
    observed = group_metrics(y, pred, sensitive_features=race)
    for column in ("count", "base_rate", "tpr", "fpr", "fnr", "ppv"):
        assert table[column].tolist() == observed[column].tolist(), column
    assert table["miss_rate"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("m_black", "m_white", "expected"),
    [
        # base B/W, FPR B/W, PPV B/W (the design's section 1.2 sensitivity table)
        (0.0, 0.0, (0.523, 0.391, 0.423, 0.220, 0.650, 0.595)),
        (0.0, 0.1, (0.523, 0.434, 0.423, 0.198, 0.650, 0.661)),
        (0.0, 0.2, (0.523, 0.489, 0.423, 0.166, 0.650, 0.744)),
        (0.1, 0.0, (0.581, 0.391, 0.383, 0.220, 0.722, 0.595)),
    ],
)
def test_sensitivity_table(two_races, m_black, m_white, expected):
    y, pred, race = two_races
    table = _table(y, pred, race, m_black, m_white)
    got = (
        *table.loc[[BLACK, WHITE], "base_rate"],
        *table.loc[[BLACK, WHITE], "fpr"],
        *table.loc[[BLACK, WHITE], "ppv"],
    )
    np.testing.assert_allclose(got, expected, atol=5e-4)


def test_tpr_fixed_and_monotone_in_the_miss_rate(two_races):
    y, pred, race = two_races
    rates = np.linspace(0, 0.3, 7)
    tables = [_table(y, pred, race, m, m) for m in rates]
    for group in (BLACK, WHITE):
        tpr = [t.loc[group, "tpr"] for t in tables]
        assert tpr == [tpr[0]] * len(tpr)
        # TPR > observed FPR in both groups, so FPR falls as m rises.
        assert tables[0].loc[group, "tpr"] > tables[0].loc[group, "fpr"]
        for column, sign in (("base_rate", 1), ("ppv", 1), ("fpr", -1)):
            steps = np.diff([t.loc[group, column] for t in tables])
            assert np.all(sign * steps > 0), (group, column)


def test_hand_case():
    # P = 2, N = 4, TP = 1, FP = 2, flagged = 3; m = 0.5 hides h = 2.
    table = missed_offence_rates(
        [1, 1, 0, 0, 0, 0],
        [1, 0, 1, 1, 0, 0],
        sensitive_features=["a"] * 6,
        miss_rate={"a": 0.5},
    )
    row = table.loc["a"]
    assert row["base_rate"] == pytest.approx(4 / 6)
    assert row["tpr"] == pytest.approx(0.5)
    assert row["fpr"] == pytest.approx((2 - 2 * 0.5) / (4 - 2))
    assert row["ppv"] == pytest.approx((1 + 2 * 0.5) / 3)
    assert row["fnr"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("rate", "error", "message"),
    [
        (1, ValueError, r"miss_rate\['b'\] must be a finite number in \[0, 1\); got 1"),
        (
            -0.1,
            ValueError,
            r"miss_rate\['b'\] must be a finite number in \[0, 1\); got -0.1",
        ),
        (np.nan, ValueError, r"miss_rate\['b'\] must be a finite number"),
        ("0.1", TypeError, r"miss_rate\['b'\] must be a real number; got str"),
    ],
)
def test_miss_rate_values_are_checked(rate, error, message):
    with pytest.raises(error, match=message):
        missed_offence_rates(
            [1, 0, 1, 0],
            [1, 0, 1, 0],
            sensitive_features=["a", "a", "b", "b"],
            miss_rate={"a": 0.0, "b": rate},
        )


def test_numpy_scalars_are_accepted():
    table = missed_offence_rates(
        [1, 0, 1, 0, 0, 0],
        [1, 1, 1, 0, 1, 0],
        sensitive_features=["a", "a", "b", "b", "b", "b"],
        miss_rate={"a": np.float32(0.0), "b": np.float64(0.25)},
    )
    assert table["miss_rate"].tolist() == [0.0, 0.25]


def test_every_group_needs_a_rate_and_no_other():
    args = ([1, 0, 1, 0], [1, 0, 1, 0])
    with pytest.raises(
        ValueError, match=r"miss_rate must give a rate for every group .*'b'"
    ):
        missed_offence_rates(
            *args, sensitive_features=["a", "a", "b", "b"], miss_rate={"a": 0}
        )
    with pytest.raises(
        ValueError, match=r"miss_rate must name only groups in the data .*'c'"
    ):
        missed_offence_rates(
            *args,
            sensitive_features=["a", "a", "b", "b"],
            miss_rate={"a": 0, "b": 0, "c": 0},
        )
    with pytest.raises(TypeError, match="miss_rate must be a mapping"):
        missed_offence_rates(
            *args, sensitive_features=["a", "a", "b", "b"], miss_rate=[0, 0]
        )


def test_a_miss_rate_that_empties_the_negatives_raises():
    # P = 2, N = 2 (FP = 1, TN = 1), TPR = 0.5: at most h = 2 hidden, m = 0.5.
    args = ([1, 1, 0, 0], [1, 0, 1, 0])
    ok = missed_offence_rates(*args, sensitive_features=["g"] * 4, miss_rate={"g": 0.4})
    assert ok.loc["g", "fpr"] == pytest.approx((1 - 4 / 3 * 0.5) / (2 - 4 / 3))
    with pytest.raises(
        ValueError,
        match=r"miss_rate\['g'\] must leave negatives in group 'g' \(at most 0.5.*; got 0.6",
    ):
        missed_offence_rates(*args, sensitive_features=["g"] * 4, miss_rate={"g": 0.6})


def test_groups_need_positives_and_negatives():
    with pytest.raises(
        ValueError, match="positives and negatives in every group; got 0 positives"
    ):
        missed_offence_rates(
            [0, 0, 1, 0],
            [1, 0, 1, 0],
            sensitive_features=["a", "a", "b", "b"],
            miss_rate={"a": 0, "b": 0},
        )
