"""Tests for course_lib.fairness._metrics, cross-checked against fairlearn 0.15."""

from __future__ import annotations

import functools
import warnings

import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, precision_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import course_lib.fairness as cf
from course_lib.datasets import load_adult, load_compas
from course_lib.fairness import _metrics as cfm

TOL = 1e-12
METHODS = ["between_groups", "to_overall"]
AGGS = ["worst_case", "mean"]
DISPARITIES = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
]
RATES = [
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
]
COLUMNS = [
    "count",
    "base_rate",
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "ppv",
    "npv",
    "accuracy",
]


def assert_same(ours: float, theirs: float) -> None:
    """Equal to TOL, or both NaN."""
    assert isinstance(ours, float)
    if np.isnan(theirs):
        assert np.isnan(ours), (ours, theirs)
    else:
        assert abs(ours - theirs) <= TOL, (ours, theirs)


def assert_frames_close(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    a = ours.to_numpy(dtype=float)
    b = theirs.to_numpy(dtype=float)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    both = ~np.isnan(a)
    assert np.max(np.abs(a[both] - b[both]), initial=0.0) <= TOL


# --------------------------------------------------------------------------
# Random inputs
# --------------------------------------------------------------------------

LABELS = {
    "01": (0, 1),
    "-11": (-1, 1),
    "bool": (False, True),
    "float": (0.0, 1.0),
    "str": ("no", "yes"),
}


def random_case(
    seed: int,
    *,
    n: int = 300,
    n_groups: tuple[int, ...] = (3,),
    weighted: bool = False,
    labels: str = "01",
    sf_kind: str = "array",
) -> dict:
    """Random binary labels and groups in which every group has all 4 cells.

    Every (intersectional) group gets a TP, TN, FP and FN row, so no rate has a
    zero denominator and fairlearn's 0-for-0/0 convention never applies.
    """
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(0, k, n) for k in n_groups])
    # Drop the last combination entirely so that intersections can be empty.
    if len(n_groups) > 1:
        empty = np.all(codes == np.array(n_groups) - 1, axis=1)
        codes[empty, 0] = 0
    t = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.7, t, 1 - t)
    combo = pd.factorize(pd.MultiIndex.from_arrays(codes.T))[0]
    for g in np.unique(combo):
        rows = np.flatnonzero(combo == g)
        assert len(rows) >= 4, "too few rows per group for this case"
        t[rows[:4]] = [1, 0, 1, 0]
        p[rows[:4]] = [1, 0, 0, 1]
    neg, pos = LABELS[labels]
    y_true = np.where(t == 1, pos, neg)
    y_pred = np.where(p == 1, pos, neg)
    if labels == "bool":
        y_true, y_pred = y_true.astype(bool), y_pred.astype(bool)
    names = [f"g{j}" for j in range(len(n_groups))]
    values = {
        name: np.array([f"{name}_{c}" for c in codes[:, j]], dtype=object)
        for j, name in enumerate(names)
    }
    if sf_kind == "array":
        sf = codes[:, 0] * 10 if len(n_groups) == 1 else codes * 10
    elif sf_kind == "list":
        sf = list(values["g0"])
    elif sf_kind == "series":
        sf = pd.Series(values["g0"], name="grp")
    elif sf_kind == "categorical":
        sf = pd.Series(pd.Categorical(values["g0"]), name="grp")
    elif sf_kind == "frame":
        sf = pd.DataFrame(values)
    elif sf_kind == "dict":
        sf = dict(values)
    else:  # pragma: no cover
        raise AssertionError(sf_kind)
    weights = rng.uniform(0.1, 3.0, n) if weighted else None
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "sensitive_features": sf,
        "sample_weight": weights,
        "pos": pos,
        "neg": neg,
    }


CASES = [
    dict(seed=0),
    dict(seed=1, weighted=True),
    dict(seed=2, n_groups=(2,), labels="-11", sf_kind="list"),
    dict(seed=3, n_groups=(5,), labels="bool", weighted=True, sf_kind="series"),
    dict(seed=4, n_groups=(8,), n=600, labels="float", sf_kind="categorical"),
    dict(seed=5, n_groups=(2, 3), weighted=True, sf_kind="frame"),
    dict(seed=6, n_groups=(3, 2), sf_kind="dict"),
    dict(seed=7, n_groups=(2, 2), weighted=True, sf_kind="array"),
    dict(seed=8, n_groups=(2, 2, 2), n=800, sf_kind="frame"),
    dict(seed=9, n_groups=(1,)),
    dict(seed=10, n_groups=(12,), n=900, weighted=True),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_disparities_match_fairlearn_on_random_inputs(case):
    data = random_case(**case)
    kwargs = {k: data[k] for k in ("sensitive_features", "sample_weight")}
    y = (data["y_true"], data["y_pred"])
    for method in METHODS:
        for name in DISPARITIES[:2]:
            ours = getattr(cf, name)(*y, method=method, **kwargs)
            theirs = getattr(flm, name)(*y, method=method, **kwargs)
            assert_same(ours, theirs)
        for name in DISPARITIES[2:]:
            for agg in AGGS:
                ours = getattr(cf, name)(*y, method=method, agg=agg, **kwargs)
                theirs = getattr(flm, name)(*y, method=method, agg=agg, **kwargs)
                assert_same(ours, theirs)


@pytest.mark.parametrize(
    "case", [c for c in CASES if "labels" not in c], ids=lambda c: f"seed{c['seed']}"
)
def test_disparities_match_fairlearn_with_string_labels_for_selection(case):
    # Demographic parity only looks at y_pred == 1; y_true may be anything.
    data = random_case(**case)
    y_true = np.where(data["y_true"] == 1, "yes", "no")
    for method in METHODS:
        for name in DISPARITIES[:2]:
            ours = getattr(cf, name)(
                y_true,
                data["y_pred"],
                sensitive_features=data["sensitive_features"],
                sample_weight=data["sample_weight"],
                method=method,
            )
            theirs = getattr(flm, name)(
                y_true,
                data["y_pred"],
                sensitive_features=data["sensitive_features"],
                sample_weight=data["sample_weight"],
                method=method,
            )
            assert_same(ours, theirs)


@pytest.mark.parametrize("labels", list(LABELS))
@pytest.mark.parametrize("weighted", [False, True])
def test_base_rates_match_fairlearn(labels, weighted):
    data = random_case(20 + len(labels), weighted=weighted, labels=labels)
    y = (data["y_true"], data["y_pred"])
    sw = data["sample_weight"]
    pos_labels = [data["pos"], data["neg"]]
    if labels != "str":
        pos_labels.append(None)
    for pos_label in pos_labels:
        for name in RATES:
            ours = getattr(cf, name)(*y, sample_weight=sw, pos_label=pos_label)
            theirs = getattr(flm, name)(*y, sample_weight=sw, pos_label=pos_label)
            assert_same(ours, theirs)
            # Positional arguments as in fairlearn's signature.
            assert_same(getattr(cf, name)(*y, sw, pos_label), theirs)
        selected = 1 if pos_label is None else pos_label
        ours = cf.selection_rate(*y, pos_label=selected, sample_weight=sw)
        theirs = flm.selection_rate(*y, pos_label=selected, sample_weight=sw)
        assert_same(ours, theirs)


def test_rates_with_pos_label_zero_swap_roles():
    y_true = [1, 1, 1, 0, 0]
    y_pred = [1, 1, 0, 1, 0]
    assert cf.true_positive_rate(y_true, y_pred) == pytest.approx(2 / 3)
    assert cf.true_positive_rate(y_true, y_pred, pos_label=0) == pytest.approx(0.5)
    assert cf.false_positive_rate(y_true, y_pred, pos_label=0) == pytest.approx(1 / 3)
    assert cf.selection_rate(y_true, y_pred, pos_label=0) == pytest.approx(0.4)


def test_label_inputs_of_other_types():
    y_true = pd.Series(pd.Categorical(["<=50K", ">50K", ">50K", "<=50K"]))
    y_pred = np.array(["<=50K", ">50K", "<=50K", "<=50K"])
    assert cf.true_positive_rate(y_true, y_pred, pos_label=">50K") == 0.5
    y_nullable = pd.array([0, 1, 1, 0], dtype="Int64")
    assert cf.true_positive_rate(y_nullable, [0, 1, 0, 0]) == 0.5
    assert cf.false_positive_rate(pd.Series([False, True]), [True, True]) == 1.0
    assert cf.selection_rate(["anything", "else", "x"], [1, 0, 1]) == 2 / 3


def test_inputs_are_aligned_by_position_not_index():
    y_true = pd.Series([1, 0, 1, 0, 1, 1], index=[5, 4, 3, 2, 1, 0])
    y_pred = pd.Series([1, 1, 0, 0, 1, 0], index=list("abcdef"))
    group = pd.Series(["a", "a", "a", "b", "b", "b"], index=[0, 1, 2, 3, 4, 5])
    for name in DISPARITIES:
        ours = getattr(cf, name)(y_true, y_pred, sensitive_features=group)
        plain = getattr(cf, name)(
            y_true.to_numpy(), y_pred.to_numpy(), sensitive_features=list(group)
        )
        assert (
            ours
            == plain
            == getattr(flm, name)(y_true, y_pred, sensitive_features=group)
        )


def test_list_of_mixed_scalars_is_not_stringified():
    table = cf.group_metrics([0, 1, 1], [0, 1, 0], sensitive_features=[1, "1", 1])
    assert list(table["count"]) == [2, 1]
    assert table.index.tolist() == [1, "1"]


# --------------------------------------------------------------------------
# Undefined rates: our convention (NaN) versus fairlearn's (0.0)
# --------------------------------------------------------------------------


def _nan_rate(num_cells, den_cells, y_true, y_pred, sample_weight=None):
    """Reference: a confusion-matrix rate with NaN for a zero denominator."""
    t = np.asarray(y_true) == 1
    p = np.asarray(y_pred) == 1
    w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight)
    cells = {"tp": t & p, "fp": ~t & p, "fn": t & ~p, "tn": ~t & ~p}
    num = sum(w[cells[c]].sum() for c in num_cells)
    den = sum(w[cells[c]].sum() for c in den_cells)
    return num / den if den > 0 else np.nan


_ref_tpr = functools.partial(_nan_rate, ["tp"], ["tp", "fn"])
_ref_fpr = functools.partial(_nan_rate, ["fp"], ["fp", "tn"])


def _fairlearn_eo_with_nan(y_true, y_pred, sf, sw, method, agg, kind):
    """fairlearn's MetricFrame aggregation, fed NaN for undefined rates."""
    params = {"sample_weight": sw}
    mf = flm.MetricFrame(
        metrics={"tpr": _ref_tpr, "fpr": _ref_fpr},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sf,
        sample_params={"tpr": params, "fpr": params},
    )
    parts = getattr(mf, kind)(method=method).to_numpy()
    parts = parts[~np.isnan(parts)]
    if parts.size == 0:
        return np.nan
    if agg == "mean":
        return parts.mean()
    return parts.max() if kind == "difference" else parts.min()


def test_group_without_positives_gives_nan_not_zero():
    y_true = [1, 0, 1, 0, 0, 0]
    y_pred = [1, 0, 0, 1, 1, 0]
    group = ["a", "a", "a", "a", "b", "b"]
    # fairlearn maps 0/0 to 0, so group "b" seems to have TPR 0 ...
    assert flm.true_positive_rate([0, 0], [1, 0]) == 0.0
    assert np.isnan(cf.true_positive_rate([0, 0], [1, 0]))
    assert np.isnan(cf.false_positive_rate([1, 1], [1, 0]))
    # ... and its TPR gap (0.5 - 0) becomes the equalized odds difference.
    assert (
        flm.equalized_odds_difference(y_true, y_pred, sensitive_features=group) == 0.5
    )
    # Here group "b" is skipped for the TPR: only the FPR gap |0.5 - 0.5| = 0.
    ours = cf.equalized_odds_difference(y_true, y_pred, sensitive_features=group)
    assert ours == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_sparse_groups_match_fairlearn_aggregation_with_nan_rates(seed):
    rng = np.random.default_rng(100 + seed)
    n = 60
    sf = pd.DataFrame(
        {"a": rng.choice(list("pqrs"), n), "b": rng.choice(list("xyz"), n)}
    )
    y_true = (rng.random(n) < 0.25).astype(int)
    y_pred = (rng.random(n) < 0.3).astype(int)
    sw = rng.uniform(0, 2, n) if seed % 2 else None
    for method in METHODS:
        for agg in AGGS:
            for kind, func in (
                ("difference", cf.equalized_odds_difference),
                ("ratio", cf.equalized_odds_ratio),
            ):
                ours = func(
                    y_true,
                    y_pred,
                    sensitive_features=sf,
                    sample_weight=sw,
                    method=method,
                    agg=agg,
                )
                ref = _fairlearn_eo_with_nan(y_true, y_pred, sf, sw, method, agg, kind)
                assert_same(ours, ref)


def test_all_rates_undefined_give_nan_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        group = ["a", "b", "a", "b"]
        # No true positives anywhere: TPR undefined, FPR gap still defined.
        eod = cf.equalized_odds_difference(
            [0, 0, 0, 0], [1, 0, 0, 0], sensitive_features=group
        )
        assert eod == 0.5
        # Nobody selected: ratio 0/0.
        dpr = cf.demographic_parity_ratio([0] * 4, [0] * 4, sensitive_features=group)
        assert np.isnan(dpr)
        dpr_overall = cf.demographic_parity_ratio(
            [0] * 4, [0] * 4, sensitive_features=group, method="to_overall"
        )
        assert np.isnan(dpr_overall)
        assert np.isnan(
            flm.demographic_parity_ratio([0] * 4, [0] * 4, sensitive_features=group)
        )
        # A group whose weights are all zero is skipped.
        dpd = cf.demographic_parity_difference(
            [0] * 4,
            [1, 0, 1, 1],
            sensitive_features=["a", "a", "b", "b"],
            sample_weight=[1, 1, 0, 0],
        )
        assert dpd == 0.0


def test_ratio_to_overall_with_a_zero_group():
    y_pred = [0, 0, 1, 1]
    group = ["a", "a", "b", "b"]
    kwargs = {"sensitive_features": group, "method": "to_overall"}
    assert cf.demographic_parity_ratio([0] * 4, y_pred, **kwargs) == 0.0
    assert flm.demographic_parity_ratio([0] * 4, y_pred, **kwargs) == 0.0
    assert cf.demographic_parity_difference([0] * 4, y_pred, **kwargs) == 0.5


# --------------------------------------------------------------------------
# group_metrics
# --------------------------------------------------------------------------


def _metric_frame(
    y_true, y_pred, sf, sw=None, pos_label=1, neg_label=0, columns=COLUMNS
):
    """fairlearn MetricFrame computing (some of) the columns of group_metrics."""

    def base_rate(y_true, y_pred, sample_weight=None):
        return flm.selection_rate(
            y_true, y_true, pos_label=pos_label, sample_weight=sample_weight
        )

    fns = {
        "base_rate": base_rate,
        "selection_rate": functools.partial(flm.selection_rate, pos_label=pos_label),
        "tpr": functools.partial(flm.true_positive_rate, pos_label=pos_label),
        "fpr": functools.partial(flm.false_positive_rate, pos_label=pos_label),
        "fnr": functools.partial(flm.false_negative_rate, pos_label=pos_label),
        "ppv": functools.partial(
            precision_score, pos_label=pos_label, zero_division=np.nan
        ),
        "npv": functools.partial(
            precision_score, pos_label=neg_label, zero_division=np.nan
        ),
        "accuracy": accuracy_score,
    }
    fns = {name: fn for name, fn in fns.items() if name in columns}
    params = {name: {"sample_weight": sw} for name in fns}
    mf = flm.MetricFrame(
        metrics={"count": flm.count} | fns,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sf,
        sample_params=params,
    )
    return mf


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_group_metrics_match_metric_frame(case):
    data = random_case(**case)
    ours = cf.group_metrics(
        data["y_true"],
        data["y_pred"],
        sensitive_features=data["sensitive_features"],
        sample_weight=data["sample_weight"],
        pos_label=data["pos"],
    )
    mf = _metric_frame(
        data["y_true"],
        data["y_pred"],
        data["sensitive_features"],
        data["sample_weight"],
        data["pos"],
        data["neg"],
    )
    theirs = mf.by_group
    assert list(ours.columns) == COLUMNS
    assert ours.index.equals(theirs.index)
    assert list(ours.index.names) == list(theirs.index.names)
    assert ours["count"].dtype == np.int64
    # MetricFrame reports NaN as the count of an empty intersection; we say 0.
    theirs = theirs.assign(count=theirs["count"].fillna(0))
    assert_frames_close(ours, theirs[COLUMNS])


def test_group_metrics_hand_computed():
    sex = pd.Series(["f", "f", "f", "m", "m", "m"], name="sex")
    table = cf.group_metrics(
        [1, 0, 1, 0, 0, 1], [1, 1, 0, 0, 0, 1], sensitive_features=sex
    )
    expected = pd.DataFrame(
        {
            "count": [3, 3],
            "base_rate": [2 / 3, 1 / 3],
            "selection_rate": [2 / 3, 1 / 3],
            "tpr": [1 / 2, 1.0],
            "fpr": [1.0, 0.0],
            "fnr": [1 / 2, 0.0],
            "ppv": [1 / 2, 1.0],
            "npv": [0.0, 1.0],
            "accuracy": [1 / 3, 1.0],
        },
        index=pd.Index(["f", "m"], name="sex"),
    )
    pd.testing.assert_frame_equal(table, expected, check_index_type=False)


def test_group_metrics_weighted_hand_computed():
    # Group a: TP (w=1), FP (w=3), TN (w=0); count stays unweighted.
    table = cf.group_metrics(
        [1, 0, 0],
        [1, 1, 0],
        sensitive_features=np.array(["a", "a", "a"]),
        sample_weight=[1.0, 3.0, 0.0],
    )
    row = table.loc["a"]
    assert row["count"] == 3
    assert row["base_rate"] == 0.25
    assert row["selection_rate"] == 1.0
    assert row["fpr"] == 1.0
    assert row["ppv"] == 0.25
    assert np.isnan(row["npv"])  # only negative prediction has weight 0
    assert row["accuracy"] == 0.25


def test_group_metrics_nan_for_empty_denominators_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = cf.group_metrics(
            [0, 0, 1, 1],
            [0, 0, 1, 0],
            sensitive_features=["neg_only", "neg_only", "pos_only", "pos_only"],
        )
    neg, pos = table.loc["neg_only"], table.loc["pos_only"]
    assert np.isnan(neg["tpr"]) and np.isnan(neg["fnr"]) and np.isnan(neg["ppv"])
    assert neg["fpr"] == 0.0 and neg["npv"] == 1.0
    assert np.isnan(pos["fpr"]) and pos["tpr"] == 0.5 and pos["ppv"] == 1.0


def test_group_metrics_index_names_and_order():
    y = [0, 1, 1, 0]
    table = cf.group_metrics(y, y, sensitive_features=["b", "a", "b", "a"])
    assert table.index.name == "sensitive_feature_0"
    assert list(table.index) == ["a", "b"]
    series = pd.Series([3, 1, 2, 1], name="age_band")
    assert cf.group_metrics(y, y, sensitive_features=series).index.name == "age_band"
    arr2d = np.array([[1, 0], [2, 0], [1, 1], [2, 1]])
    table = cf.group_metrics(y, y, sensitive_features=arr2d)
    assert table.index.names == ["sensitive_feature_0", "sensitive_feature_1"]
    frame = pd.DataFrame({"sex": ["m", "f", "m", "f"], "race": ["x", "x", "y", "x"]})
    table = cf.group_metrics(y, y, sensitive_features=frame)
    assert table.index.names == ["sex", "race"]
    assert list(table.index) == [("f", "x"), ("f", "y"), ("m", "x"), ("m", "y")]
    assert table.loc[("f", "y"), "count"] == 0
    assert table.loc[("f", "y")].drop("count").isna().all()
    by_dict = cf.group_metrics(y, y, sensitive_features=dict(frame))
    pd.testing.assert_frame_equal(by_dict, table)


def test_group_metrics_categorical_keeps_observed_groups_sorted_by_value():
    sf = pd.Series(
        pd.Categorical(["x", "y", "x", "y"], categories=["z", "y", "x"]), name="c"
    )
    y = [0, 1, 1, 0]
    table = cf.group_metrics(y, y, sensitive_features=sf)
    mf = flm.MetricFrame(metrics=flm.count, y_true=y, y_pred=y, sensitive_features=sf)
    assert list(table.index) == ["x", "y"] == list(mf.by_group.index)
    assert table.index.name == "c"
    assert list(table["count"]) == [2, 2]


def test_group_metrics_string_labels_need_pos_label():
    y_true = ["yes", "no", "yes"]
    y_pred = ["yes", "yes", "no"]
    table = cf.group_metrics(
        y_true, y_pred, sensitive_features=[0, 0, 0], pos_label="yes"
    )
    assert table.loc[0, "tpr"] == 0.5
    with pytest.raises(ValueError, match=r"pos_label must be one of the labels"):
        cf.group_metrics(y_true, y_pred, sensitive_features=[0, 0, 0])


# --------------------------------------------------------------------------
# Real data: Adult and COMPAS
# --------------------------------------------------------------------------

REAL_COLUMNS = ["count", "base_rate", "selection_rate", "tpr", "fpr"]
ADULT_NUMERIC = ["age", "education_num", "capital_gain", "capital_loss"]
ADULT_NUMERIC += ["hours_per_week"]


@pytest.fixture(scope="module")
def adult():
    df = load_adult(split="all")
    X = df[ADULT_NUMERIC].to_numpy(dtype=float)
    y_true = (df["income"] == ">50K").to_numpy().astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y_true)
    return df, y_true, model.predict(X)


@pytest.fixture(scope="module")
def compas():
    df = load_compas(filter=None)
    y_true = df["two_year_recid"].to_numpy()
    y_pred = (df["decile_score"] >= 5).to_numpy().astype(int)
    return df, y_true, y_pred


def _check_real(df, y_true, y_pred, features):
    sf = df[features[0]] if len(features) == 1 else df[features]
    # fairlearn's functions are thin wrappers around one MetricFrame; compute it
    # once and apply exactly their aggregation. fairlearn needs about 0.15 s per
    # metric on Adult, so only the columns the disparities need are compared
    # here; the random cases compare every column.
    mf = _metric_frame(y_true, y_pred, sf, columns=REAL_COLUMNS)
    ours = cf.group_metrics(y_true, y_pred, sensitive_features=sf)
    # Every observed group has positives and negatives, so fairlearn's 0-for-0/0
    # convention for TPR/FPR never applies on these data.
    observed = ours[ours["count"] > 0]
    assert not observed[["tpr", "fpr"]].isna().any().any()
    for method in METHODS:
        sel = mf.difference(method=method)["selection_rate"]
        assert_same(
            cf.demographic_parity_difference(
                y_true, y_pred, sensitive_features=sf, method=method
            ),
            sel,
        )
        sel = mf.ratio(method=method)["selection_rate"]
        assert_same(
            cf.demographic_parity_ratio(
                y_true, y_pred, sensitive_features=sf, method=method
            ),
            sel,
        )
        diff = mf.difference(method=method)[["tpr", "fpr"]]
        ratio = mf.ratio(method=method)[["tpr", "fpr"]]
        for agg, d_ref, r_ref in (
            ("worst_case", max(diff), min(ratio)),
            ("mean", diff.mean(), ratio.mean()),
        ):
            kwargs = {"sensitive_features": sf, "method": method, "agg": agg}
            assert_same(cf.equalized_odds_difference(y_true, y_pred, **kwargs), d_ref)
            assert_same(cf.equalized_odds_ratio(y_true, y_pred, **kwargs), r_ref)
    assert ours.index.equals(mf.by_group.index)
    assert list(ours.index.names) == features
    theirs = mf.by_group.assign(count=mf.by_group["count"].fillna(0))
    assert_frames_close(ours[REAL_COLUMNS], theirs[REAL_COLUMNS])


@pytest.mark.parametrize("features", [["sex"], ["race"], ["sex", "race"]])
def test_adult_matches_fairlearn(adult, features):
    _check_real(*adult, features)


@pytest.mark.parametrize("features", [["race"], ["sex"], ["race", "sex"]])
def test_compas_matches_fairlearn(compas, features):
    _check_real(*compas, features)


def test_real_data_through_fairlearn_functions(adult, compas):
    # The public fairlearn functions themselves, on their default arguments.
    for (df, y_true, y_pred), column in ((adult, "sex"), (compas, "race")):
        for name in DISPARITIES:
            ours = getattr(cf, name)(y_true, y_pred, sensitive_features=df[column])
            theirs = getattr(flm, name)(y_true, y_pred, sensitive_features=df[column])
            assert_same(ours, theirs)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------

Y = [0, 1, 1, 0]
SF = ["a", "a", "b", "b"]


def _eod(y_true=Y, y_pred=Y, **kwargs):
    kwargs.setdefault("sensitive_features", SF)
    return cf.equalized_odds_difference(y_true, y_pred, **kwargs)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: _eod(y_pred=[0, 1, 1]), ValueError, r"same length; got 4 and 3"),
        (
            lambda: cf.selection_rate([0, 1], [0, 1, 1]),
            ValueError,
            r"y_true and y_pred must have the same length; got 2 and 3",
        ),
        (
            lambda: _eod(sample_weight=[1, 1]),
            ValueError,
            r"sample_weight must have the same length as y_true \(4\); got 2",
        ),
        (
            lambda: _eod(sensitive_features=["a", "b"]),
            ValueError,
            r"column 'sensitive_feature_0' must have the same length as y_true "
            r"\(4\); got 2",
        ),
        (
            lambda: _eod(sensitive_features=pd.DataFrame({"s": [1, 2], "t": [1, 2]})),
            ValueError,
            r"column 's' must have the same length",
        ),
        (
            lambda: _eod(sensitive_features={"s": SF, "t": ["a"]}),
            ValueError,
            r"column 't' must have the same length",
        ),
        (lambda: _eod([], [], sensitive_features=[]), ValueError, r"must not be empty"),
        (lambda: cf.true_positive_rate([], []), ValueError, r"must not be empty"),
        (
            lambda: _eod(y_true=np.zeros((4, 2))),
            ValueError,
            r"y_true must be 1-D; got an array of shape \(4, 2\)",
        ),
        (
            lambda: _eod(y_pred=np.zeros((4, 1))),
            ValueError,
            r"y_pred must be 1-D; got an array of shape \(4, 1\)",
        ),
        (
            lambda: _eod(y_pred=pd.DataFrame({"a": Y})),
            ValueError,
            r"y_pred must be 1-D; got a DataFrame",
        ),
        (
            lambda: cf.demographic_parity_difference(
                np.zeros((4, 2)), Y, sensitive_features=SF
            ),
            ValueError,
            r"y_true must be 1-D",
        ),
        (lambda: _eod(y_true=5), ValueError, r"y_true must be 1-D"),
        (
            lambda: _eod(y_pred=[0, 1, 2, 0]),
            ValueError,
            r"at most two distinct labels \(binary classification\); got 3",
        ),
        (
            lambda: cf.selection_rate(Y, [0.1, 0.7, 0.4, 0.9]),
            ValueError,
            r"y_pred must contain at most two distinct labels \(binary "
            r"classification\); got 4",
        ),
        (
            lambda: _eod(y_true=["n", "y", "y", "n"], y_pred=["n", "y", "n", "n"]),
            ValueError,
            r"must use labels from \{0, 1\} or \{-1, 1\} when pos_label is None",
        ),
        (
            lambda: cf.false_positive_rate([1, 2, 2], [1, 1, 2]),
            ValueError,
            r"must use labels from \{0, 1\} or \{-1, 1\}",
        ),
        (
            lambda: cf.true_positive_rate(["n", "y"], ["y", "y"], pos_label="x"),
            ValueError,
            r"pos_label must be one of the labels \['n', 'y'\].*got 'x'",
        ),
        (
            lambda: cf.demographic_parity_difference(
                Y, ["no", "yes", "no", "no"], sensitive_features=SF
            ),
            ValueError,
            r"pos_label must be one of the labels .* of y_pred; got 1",
        ),
        (
            lambda: cf.true_positive_rate(Y, Y, pos_label=[1]),
            TypeError,
            r"pos_label must be a scalar label; got list",
        ),
        (
            lambda: _eod(y_true=[0, 1, np.nan, 0]),
            ValueError,
            r"y_true must not contain missing values \(NaN/None\); got 1 missing",
        ),
        (
            lambda: _eod(y_pred=[0, None, None, 1]),
            ValueError,
            r"y_pred must not contain missing values .*got 2 missing of 4",
        ),
        (
            lambda: _eod(sensitive_features=pd.Series(["a", None, "b", np.nan])),
            ValueError,
            r"column 'sensitive_feature_0' must not contain missing values "
            r"\(NaN/None\); got 2 missing of 4\. Fill them with an explicit "
            r"category",
        ),
        (
            lambda: _eod(
                sensitive_features=pd.DataFrame(
                    {"sex": SF, "race": pd.Categorical(["x", None, "y", "x"])}
                )
            ),
            ValueError,
            r"column 'race' must not contain missing values.*got 1 missing",
        ),
        (
            lambda: _eod(sensitive_features=[1.0, np.nan, 2.0, 2.0]),
            ValueError,
            r"column 'sensitive_feature_0' must not contain missing values",
        ),
        (
            lambda: _eod(sample_weight=[1, -1, 1, -2]),
            ValueError,
            r"sample_weight must be finite and non-negative; got 2 negative, 0 NaN",
        ),
        (
            lambda: _eod(sample_weight=[1, np.nan, 1, 1]),
            ValueError,
            r"finite and non-negative; got 0 negative, 1 NaN and 0 infinite",
        ),
        (
            lambda: _eod(sample_weight=[1, np.inf, 1, 1]),
            ValueError,
            r"0 NaN and 1 infinite",
        ),
        (
            lambda: _eod(sample_weight=[0, 0, 0, 0]),
            ValueError,
            r"sample_weight must have a positive sum; got all weights equal to 0",
        ),
        (
            lambda: _eod(sample_weight=["a", "b", "c", "d"]),
            TypeError,
            r"sample_weight must be numeric",
        ),
        (
            lambda: _eod(sample_weight=np.ones((4, 1))),
            ValueError,
            r"sample_weight must be 1-D; got shape \(4, 1\)",
        ),
        (
            lambda: _eod(method="overall"),
            ValueError,
            r"method must be 'between_groups' or 'to_overall'; got 'overall'",
        ),
        (
            lambda: cf.demographic_parity_ratio(Y, Y, sensitive_features=SF, method=1),
            TypeError,
            r"method must be .*; got int 1",
        ),
        (
            lambda: _eod(agg="max"),
            ValueError,
            r"agg must be 'worst_case' or 'mean'; got 'max'",
        ),
        (
            lambda: cf.equalized_odds_ratio(Y, Y, sensitive_features=SF, agg="sum"),
            ValueError,
            r"agg must be 'worst_case' or 'mean'; got 'sum'",
        ),
        (
            lambda: _eod(sensitive_features=None),
            TypeError,
            r"sensitive_features must be array-like .*; got None",
        ),
        (
            lambda: _eod(sensitive_features=pd.DataFrame(index=range(4))),
            ValueError,
            r"sensitive_features must have at least one column; got 0",
        ),
        (
            lambda: _eod(sensitive_features=pd.DataFrame({0: SF})),
            TypeError,
            r"sensitive feature names \(DataFrame column names\) must be strings; "
            r"got 0 of type int",
        ),
        (
            lambda: _eod(sensitive_features=pd.Series(SF, name=3)),
            TypeError,
            r"must be strings; got 3",
        ),
        (
            lambda: _eod(
                sensitive_features=pd.DataFrame([[1, 2]] * 4, columns=["s", "s"])
            ),
            ValueError,
            r"sensitive feature names must be unique; got 's' twice",
        ),
        (
            lambda: _eod(sensitive_features=[["a", "b"]] * 4),
            ValueError,
            r"flat list of scalars \(one per row\); got a list as first element",
        ),
        (
            lambda: _eod(sensitive_features=["a", ["b", "c"], "a", "b"]),
            TypeError,
            r"column 'sensitive_feature_0' must contain hashable",
        ),
        (
            lambda: _eod(sensitive_features=np.zeros((4, 2, 2))),
            ValueError,
            r"sensitive_features must be 1-D or 2-D; got an array of shape",
        ),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_too_many_intersections_to_tabulate(monkeypatch):
    monkeypatch.setattr(cfm, "_MAX_TABULATED_GROUPS", 3)
    frame = pd.DataFrame({"a": [1, 2, 1, 2], "b": [1, 1, 2, 2]})
    with pytest.raises(ValueError, match=r"at most 3 combinations .*; got 4"):
        cf.group_metrics(Y, Y, sensitive_features=frame)
    # The scalar metrics only use observed groups and are unaffected.
    assert cf.demographic_parity_difference(Y, Y, sensitive_features=frame) == 1.0


def test_public_api():
    # Every metric is exported from the package (next to the other modules').
    assert set(cfm.__all__) <= set(cf.__all__)
    for name in cfm.__all__:
        assert getattr(cf, name) is getattr(cfm, name)
        assert getattr(cf, name).__doc__


# --------------------------------------------------------------------------
# Equal opportunity and fairlearn's generated <rate>_difference / _ratio
# --------------------------------------------------------------------------

EQUAL_OPPORTUNITY = ["equal_opportunity_difference", "equal_opportunity_ratio"]
DERIVED_BASES = [
    "true_positive_rate",
    "true_negative_rate",
    "false_positive_rate",
    "false_negative_rate",
    "selection_rate",
]
DERIVED = [
    f"{base}_{kind}" for base in DERIVED_BASES for kind in ("difference", "ratio")
]


def test_fairlearn_has_the_derived_metrics():
    # We only mirror functions that fairlearn 0.15 itself exposes.
    for name in EQUAL_OPPORTUNITY + DERIVED:
        assert name in flm.__all__, name
        assert name in cfm.__all__, name
        assert getattr(cfm, name).__name__ == name
        assert "Examples" in getattr(cfm, name).__doc__


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_equal_opportunity_and_derived_match_fairlearn_on_random_inputs(case):
    data = random_case(**case)
    kwargs = {k: data[k] for k in ("sensitive_features", "sample_weight")}
    y = (data["y_true"], data["y_pred"])
    # fairlearn's public functions, default pos_label (None for the four rates,
    # 1 for selection).
    for method in METHODS:
        for name in EQUAL_OPPORTUNITY:
            ours = getattr(cfm, name)(*y, method=method, **kwargs)
            theirs = getattr(flm, name)(*y, method=method, **kwargs)
            assert_same(ours, theirs)
    for name in DERIVED:
        ours = getattr(cfm, name)(*y, **kwargs)
        assert_same(ours, getattr(flm, name)(*y, **kwargs))
    # Other pos_label values and both methods: fairlearn generates these
    # functions as MetricFrame(<base rate>).difference/ratio(method=...), so one
    # MetricFrame per pos_label gives all of its answers (~10 ms per call).
    pos_labels = [data["pos"], data["neg"]]
    if "labels" not in case:
        pos_labels.append(None)
    for pos_label in pos_labels:
        bases = {
            base: functools.partial(getattr(flm, base), pos_label=pos_label)
            for base in DERIVED_BASES
            # fairlearn's selection_rate compares y_pred == None, so its
            # pos_label=None silently gives 0; ours means 1 (module notes).
            if pos_label is not None or base != "selection_rate"
        }
        sw = {"sample_weight": data["sample_weight"]}
        mf = flm.MetricFrame(
            metrics=bases,
            y_true=data["y_true"],
            y_pred=data["y_pred"],
            sensitive_features=data["sensitive_features"],
            sample_params={base: sw for base in bases},
        )
        for method in METHODS:
            for kind in ("difference", "ratio"):
                ref = getattr(mf, kind)(method=method)
                for base in bases:
                    ours = getattr(cfm, f"{base}_{kind}")(
                        *y, method=method, pos_label=pos_label, **kwargs
                    )
                    assert_same(ours, float(ref[base]))


def test_equal_opportunity_is_the_tpr_part_of_equalized_odds():
    data = random_case(31, n_groups=(4,), weighted=True)
    kwargs = {k: data[k] for k in ("sensitive_features", "sample_weight")}
    y = (data["y_true"], data["y_pred"])
    for method in METHODS:
        eod = cfm.equal_opportunity_difference(*y, method=method, **kwargs)
        assert eod == cfm.true_positive_rate_difference(*y, method=method, **kwargs)
        assert eod <= cfm.equalized_odds_difference(*y, method=method, **kwargs)
        eor = cfm.equal_opportunity_ratio(*y, method=method, **kwargs)
        assert eor == cfm.true_positive_rate_ratio(*y, method=method, **kwargs)
        assert eor >= cfm.equalized_odds_ratio(*y, method=method, **kwargs)
    # TPR and FNR are complements: their between-group gaps are equal.
    assert_same(
        cfm.false_negative_rate_difference(*y, **kwargs),
        cfm.true_positive_rate_difference(*y, **kwargs),
    )


def test_equal_opportunity_hand_computed():
    y_true = [1, 1, 1, 1, 0, 1, 1, 0]
    y_pred = [1, 1, 1, 0, 1, 1, 0, 0]
    group = ["a"] * 4 + ["b"] * 4  # TPR a = 3/4, b = 1/2, overall 4/6
    kw = {"sensitive_features": group}
    assert cfm.equal_opportunity_difference(y_true, y_pred, **kw) == 0.25
    assert cfm.equal_opportunity_ratio(y_true, y_pred, **kw) == 0.5 / 0.75
    assert cfm.equal_opportunity_difference(
        y_true, y_pred, method="to_overall", **kw
    ) == pytest.approx(4 / 6 - 0.5, abs=TOL)
    assert cfm.equal_opportunity_ratio(
        y_true, y_pred, method="to_overall", **kw
    ) == pytest.approx(0.5 / (4 / 6), abs=TOL)
    # A weight of 0 on the missed positive of group "a" makes its TPR 1.
    w = [1, 1, 1, 0, 1, 1, 1, 1]
    assert cfm.equal_opportunity_difference(
        y_true, y_pred, sample_weight=w, **kw
    ) == pytest.approx(0.5, abs=TOL)


def test_equal_opportunity_skips_groups_without_positives():
    y_true = [1, 0, 1, 0, 0, 0]
    y_pred = [1, 0, 0, 1, 1, 0]
    group = ["a", "a", "a", "a", "b", "b"]
    kw = {"sensitive_features": group}
    # fairlearn gives group "b" a TPR of 0 (0/0 -> 0) ...
    assert flm.equal_opportunity_difference(y_true, y_pred, **kw) == 0.5
    assert flm.equal_opportunity_ratio(y_true, y_pred, **kw) == 0.0
    # ... we skip it: only group "a" is left, so there is no gap.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cfm.equal_opportunity_difference(y_true, y_pred, **kw) == 0.0
        assert cfm.equal_opportunity_ratio(y_true, y_pred, **kw) == 1.0
        # No positives anywhere: undefined.
        assert np.isnan(cfm.equal_opportunity_difference([0] * 6, y_pred, **kw))
        assert np.isnan(cfm.true_positive_rate_ratio([0] * 6, y_pred, **kw))
        # FPR is defined for both groups: same as fairlearn.
        assert cfm.false_positive_rate_difference(
            y_true, y_pred, **kw
        ) == flm.false_positive_rate_difference(y_true, y_pred, **kw)


@pytest.mark.parametrize("seed", range(4))
def test_sparse_groups_match_metric_frame_with_nan_rates(seed):
    rng = np.random.default_rng(200 + seed)
    n = 60
    sf = pd.DataFrame(
        {"a": rng.choice(list("pqrs"), n), "b": rng.choice(list("xyz"), n)}
    )
    y_true = (rng.random(n) < 0.25).astype(int)
    y_pred = (rng.random(n) < 0.3).astype(int)
    sw = rng.uniform(0, 2, n) if seed % 2 else None
    cells = {
        "true_positive_rate": (["tp"], ["tp", "fn"]),
        "false_positive_rate": (["fp"], ["fp", "tn"]),
        "false_negative_rate": (["fn"], ["fn", "tp"]),
        "true_negative_rate": (["tn"], ["fp", "tn"]),
    }
    for base, (num, den) in cells.items():

        def ref(y_true, y_pred, sample_weight=None, num=num, den=den):
            return _nan_rate(num, den, y_true, y_pred, sample_weight)

        mf = flm.MetricFrame(
            metrics=ref,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sf,
            sample_params={"sample_weight": sw},
        )
        for method in METHODS:
            for kind in ("difference", "ratio"):
                ours = getattr(cfm, f"{base}_{kind}")(
                    y_true,
                    y_pred,
                    sensitive_features=sf,
                    sample_weight=sw,
                    method=method,
                )
                assert_same(ours, float(getattr(mf, kind)(method=method)))
                if base == "true_positive_rate":
                    eo = getattr(cfm, f"equal_opportunity_{kind}")(
                        y_true,
                        y_pred,
                        sensitive_features=sf,
                        sample_weight=sw,
                        method=method,
                    )
                    assert eo == ours


def test_derived_with_string_labels_and_pos_label():
    y_true = np.array(["yes", "no", "yes", "yes", "no", "yes"])
    y_pred = np.array(["yes", "yes", "no", "yes", "no", "yes"])
    group = ["a", "a", "a", "b", "b", "b"]
    for name in DERIVED:
        ours = getattr(cfm, name)(
            y_true, y_pred, sensitive_features=group, pos_label="yes"
        )
        theirs = getattr(flm, name)(
            y_true, y_pred, sensitive_features=group, pos_label="yes"
        )
        assert_same(ours, theirs)


def test_real_data_equal_opportunity_and_derived(adult, compas):
    # The public fairlearn functions for equal opportunity; the generated
    # <rate>_difference/_ratio are MetricFrame.difference/ratio of the base
    # rate, so one MetricFrame per grouping checks them all (fairlearn needs
    # about 0.15 s per call on Adult).
    bases = {
        "true_positive_rate": flm.true_positive_rate,
        "true_negative_rate": flm.true_negative_rate,
        "false_positive_rate": flm.false_positive_rate,
        "false_negative_rate": flm.false_negative_rate,
        "selection_rate": flm.selection_rate,
    }
    for (df, y_true, y_pred), columns in (
        (adult, ["sex"]),
        (adult, ["sex", "race"]),
        (compas, ["race"]),
        (compas, ["race", "sex"]),
    ):
        sf = df[columns[0]] if len(columns) == 1 else df[columns]
        if len(columns) == 1:
            for name in EQUAL_OPPORTUNITY:
                ours = getattr(cfm, name)(y_true, y_pred, sensitive_features=sf)
                theirs = getattr(flm, name)(y_true, y_pred, sensitive_features=sf)
                assert_same(ours, theirs)
        mf = flm.MetricFrame(
            metrics=bases, y_true=y_true, y_pred=y_pred, sensitive_features=sf
        )
        for method in METHODS:
            for kind in ("difference", "ratio"):
                ref = getattr(mf, kind)(method=method)
                for base in bases:
                    ours = getattr(cfm, f"{base}_{kind}")(
                        y_true, y_pred, sensitive_features=sf, method=method
                    )
                    assert_same(ours, ref[base])
                eo = getattr(cfm, f"equal_opportunity_{kind}")(
                    y_true, y_pred, sensitive_features=sf, method=method
                )
                assert_same(eo, ref["true_positive_rate"])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: cfm.equal_opportunity_difference(
                Y, Y, sensitive_features=SF, method="overall"
            ),
            ValueError,
            r"method must be 'between_groups' or 'to_overall'; got 'overall'",
        ),
        (
            lambda: cfm.equal_opportunity_ratio(
                ["n", "y", "y", "n"], ["n", "y", "n", "n"], sensitive_features=SF
            ),
            ValueError,
            r"must use labels from \{0, 1\} or \{-1, 1\} when pos_label is None",
        ),
        (
            lambda: cfm.false_negative_rate_ratio(
                Y, [0, 1, 2, 0], sensitive_features=SF
            ),
            ValueError,
            r"at most two distinct labels \(binary classification\); got 3",
        ),
        (
            lambda: cfm.selection_rate_difference(
                Y, ["no", "yes", "no", "no"], sensitive_features=SF
            ),
            ValueError,
            r"pos_label must be one of the labels .* of y_pred; got 1",
        ),
        (
            lambda: cfm.true_negative_rate_difference(
                Y, Y, sensitive_features=["a", "b"]
            ),
            ValueError,
            r"must have the same length as y_true \(4\); got 2",
        ),
        (
            lambda: cfm.false_positive_rate_difference(
                Y, Y, sensitive_features=SF, pos_label=[1]
            ),
            TypeError,
            r"pos_label must be a scalar label; got list",
        ),
        (
            lambda: cfm.equal_opportunity_difference(
                Y, Y, sensitive_features=SF, sample_weight=[0, 0, 0, 0]
            ),
            ValueError,
            r"sample_weight must have a positive sum",
        ),
    ],
)
def test_equal_opportunity_and_derived_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
