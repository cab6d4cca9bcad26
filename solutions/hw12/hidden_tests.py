"""Hidden tests of homework 12 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw12.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Each part's calls use only that part's function, and every check
computes its reference answers from the calls it receives.

Inputs drawn per submission (from the ``rng`` the grader passes to ``calls``):

- part 1: the random table of 400 rows (integers, one-decimal numbers and
  colours), redrawn until every rule of its list decides some rows, some rows
  get the default, and every value that a condition compares with occurs;
- part 2: the synthetic data set (two noisy signals, pure noise, and a feature
  that leaks the label in the training rows only), with both labels equally
  frequent in the training and the test rows. It is not refitted at draw time
  (that would cost six fits per submission): the fixed cases below catch each
  recognised mistake whatever the draw, and this one adds a case that the
  student has not seen;
- part 3: three denied applicants of a random linear model (2 to 5 of 6
  features mutable, recourse guaranteed, the cheapest change away from those
  of the recognised mistakes) and one approved applicant;
- part 4: the random model, rows, bounds and mutable features (3 and 5 of 8),
  with intercepts that leave about 40% of the rows without recourse and no
  row's best score within 1e-6 of 0;
- part 5: three sets of 6 to 10 models' predictions with correlated errors
  (0/1 labels, "no"/"yes" labels, lists for y_true and predictions), at confidence 0.9, 0.99 and 0.8,
  redrawn until one model is the most accurate, some but not all models are
  in the set, and no other model's lower bound is within 1e-9 of 0.

Fixed: the public checks' cases, the small hand-written cases, and the inputs
built from the course's COMPAS and German credit data (including the splits
and the shuffled COMPAS rows, whose seeds are part of those inputs).

Every part is deterministic (false-failure rate zero):

- part 1 (rule lists) and part 4 (recourse under bounds) are compared with
  reference answers exactly;
- part 2 (best pair) accepts any pair whose held-out accuracy is the largest,
  allowing one test row of slack for solver rounding between processes;
- part 5 (the Rashomon set) is compared with the reference exactly; its fixed
  cases are the public checks', one with lower bounds on either side of 0
  that the 1/(n - 1) and the unpaired intervals decide the other way, and the
  predictions of the 21 pairs' models on COMPAS, fitted once in the grader
  (so that the student's function and the reference see the same arrays);
- part 2's fixed cases include one where every pair scores 0 on the test
  rows (one must still be returned), part 3's an applicant approved by a
  margin below 1 and one exactly on the boundary with nothing mutable;
- part 3 (counterfactual) checks properties, not one formula: the point is
  approved (up to rounding), the immutable features are unchanged and its cost
  is at most the exact optimum (closed form) plus 1e-6 relative, so any correct
  method earns full marks.

See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import itertools
import operator

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from course_lib.datasets import load_compas, load_german
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

# --------------------------------------------------------------------------
# Course data, built as in the notebook's setup cell
# --------------------------------------------------------------------------


@functools.cache
def compas_data() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    raw = load_compas(filter="propublica")
    features = pd.DataFrame(
        {
            "age": raw["age"],
            "priors_count": raw["priors_count"],
            "male": raw["sex"] == "Male",
            "felony": raw["c_charge_degree"] == "F",
            "juv_fel_count": raw["juv_fel_count"],
            "juv_misd_count": raw["juv_misd_count"],
            "juv_other_count": raw["juv_other_count"],
        }
    ).astype(float)
    return raw, features, raw["two_year_recid"].to_numpy()


def compas_split(seed: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(compas_data()[1])
    order = np.random.default_rng(seed).permutation(n)
    return order[n * 3 // 10 :], order[: n * 3 // 10]


@functools.cache
def german_model() -> dict:
    raw = load_german()
    cols = ["duration", "credit_amount", "installment_rate", "existing_credits"]
    data = raw[[*cols, "age", "people_liable"]].assign(
        no_checking=raw["status"] == "no checking account",
        checking_negative=raw["status"] == "... < 0 DM",
        foreign_worker=raw["foreign_worker"],
        critical_history=raw["credit_history"].astype(str).str.startswith("critical"),
    )
    data = data.astype(float)
    target = (raw["credit"] == "good").astype(int).to_numpy()
    mu, sigma = data.mean(), data.std()
    fitted = LogisticRegression(max_iter=1000).fit((data - mu) / sigma, target)
    coef = fitted.coef_[0] / sigma.to_numpy()
    return {
        "X": data,
        "y": target,
        "w": coef,
        "b": float(fitted.intercept_[0] - coef @ mu.to_numpy()),
        "sd": sigma.to_numpy(),
        "lower": data.min().to_numpy(),
        "upper": data.max().to_numpy(),
    }


def german_mask(*names: str) -> np.ndarray:
    return german_model()["X"].columns.isin(list(names))


# --------------------------------------------------------------------------
# Part 1: apply_rule_list
# --------------------------------------------------------------------------


def _within(column: str, low: int, high: int) -> list[tuple]:
    return [(column, ">=", low), (column, "<=", high)]


# Angelino et al.'s list; the last rule is written "priors_count >= 4", which is
# the same as "> 3" for counts.
CORELS = [
    ([*_within("age", 18, 20), ("sex", "==", "Male")], 1),
    ([*_within("age", 21, 23), *_within("priors_count", 2, 3)], 1),
    ([("priors_count", ">=", 4)], 1),
]


# The rule list of the random table; its rows get "F" by default.
RAND_RULES = [
    ([("u", ">=", 7), ("k", "==", "red")], "A"),
    ([("v", "<", -0.5)], "B"),
    ([("u", "<=", 2), ("v", ">", 0.0)], "C"),
    ([("u", ">=", 5)], "D"),
    ([("k", "==", "blue"), ("v", ">=", 0.3)], "E"),
]


@functools.cache
def fixed_rule_inputs() -> list[tuple]:
    """The public checks' cases, small hand-written ones and COMPAS."""
    small = pd.DataFrame({"age": [19, 22, 30, 45], "priors": [0, 3, 5, 1]})
    line = pd.DataFrame({"x": [1, 2, 3, 4, 5]}, index=[50, 40, 30, 20, 10])
    both = pd.DataFrame(
        {"x": [0, 1, 0, 1], "z": [0, 0, 1, 1], "g": ["a", "b", "a", "b"]},
        index=["p", "q", "r", "s"],
    )
    raw = compas_data()[0]
    shuffled = raw.sample(frac=1.0, random_state=12)
    return [
        (
            small,
            [([("age", "<", 21)], "young"), ([("priors", ">=", 3)], "priors")],
            "other",
        ),
        (small, [([("age", ">", 20)], 1), ([], 0)], 0),
        (small, [], 7),
        (
            line,
            [
                ([("x", "<=", 2)], "a"),
                ([("x", "<", 4)], "b"),
                ([("x", ">", 4)], "c"),
                ([("x", ">=", 4)], "d"),
            ],
            "z",
        ),
        (line, [([("x", ">=", 2)], 1), ([("x", ">=", 4)], 0)], 0),
        (both, [([("x", "==", 1), ("z", "==", 1)], 1), ([("g", "==", "a")], 0)], 1),
        (both, [([("x", "==", 0), ("z", "==", 0)], 0)], 1),
        (raw, CORELS, 0),
        (shuffled, CORELS, 0),
    ]


def exercises_rules(df: pd.DataFrame, rules: list, default) -> bool:
    """Whether every rule decides some rows, some rows get the default, and
    every value that a condition compares with occurs in its column."""
    decided = set(rules_reference(df, rules, default))
    if not all(prediction in decided for _, prediction in rules):
        return False
    if default not in decided:
        return False
    conditions = [c for rule, _ in rules for c in rule]
    return all((df[column] == value).any() for column, _, value in conditions)


def draw_rule_table(rng: np.random.Generator, n: int = 400) -> pd.DataFrame:
    """A random table for ``RAND_RULES``, redrawn until it exercises them all."""
    while True:
        df = pd.DataFrame(
            {
                "u": rng.integers(0, 10, n),
                "v": rng.normal(size=n).round(1),
                "k": rng.choice(["red", "green", "blue"], n),
            }
        )
        if exercises_rules(df, RAND_RULES, "F"):
            return df


def rules_reference(
    df, rules, default, *, last_wins=False, any_of=False, strict_swap=False, deflt=None
) -> list:
    n = len(df)
    out = np.array([default if deflt is None else deflt] * n, dtype=object)
    decided = np.zeros(n, dtype=bool)
    swap = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"} if strict_swap else {}
    for conditions, prediction in rules:
        tests = []
        for column, op, value in conditions:
            op = swap.get(op, op)
            col = df[column].to_numpy()
            tests.append(_OPS[op](col, value))
        if any_of:
            holds = np.any(tests, axis=0) if tests else np.zeros(n, dtype=bool)
        else:
            holds = np.all(tests, axis=0) if tests else np.ones(n, dtype=bool)
        if last_wins:
            out[holds] = prediction
        else:
            out[holds & ~decided] = prediction
            decided |= holds
    return out.tolist()


_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}
_NONE = object()  # marks the rows that no rule matched


def _same(got: list, want: list) -> bool:
    return len(got) == len(want) and all(g == w for g, w in zip(got, want, strict=True))


def rule_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then a random table drawn from ``rng``."""
    inputs = [*fixed_rule_inputs(), (draw_rule_table(rng), RAND_RULES, "F")]
    return [Call("apply_rule_list", args) for args in inputs]


def rule_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        df, rules, default = call.args
        try:
            got = np.asarray(value).ravel().tolist()
        except (TypeError, ValueError) as error:
            raise Fail("apply_rule_list must return an array of predictions") from error
        if value is None or len(got) != len(df):
            raise Fail(f"return one prediction per row of df ({len(df)} here)")
        want = rules_reference(df, rules, default)
        if _same(got, want):
            continue
        if _same(got, rules_reference(df, rules, default, last_wins=True)):
            raise Fail(
                "the FIRST rule that holds decides: a later rule must not overwrite "
                "the prediction of an earlier one"
            )
        if _same(got, rules_reference(df, rules, default, any_of=True)):
            raise Fail("a rule holds when ALL its conditions hold, not any of them")
        if _same(got, rules_reference(df, rules, default, strict_swap=True)):
            raise Fail("'<' and '>' are strict, '<=' and '>=' include the value")
        unmatched = [
            i
            for i, v in enumerate(rules_reference(df, rules, default, deflt=_NONE))
            if v is _NONE
        ]
        others = set(range(len(want))) - set(unmatched)
        if (
            unmatched
            and all(got[i] == want[i] for i in others)
            and all(got[i] != default for i in unmatched)
        ):
            raise Fail("rows that no rule matches get the default")
        raise Fail("the predictions are wrong")


# --------------------------------------------------------------------------
# Part 2: best_pair
# --------------------------------------------------------------------------


@functools.cache
def fixed_pair_inputs() -> list[tuple]:
    """The public checks' cases, COMPAS and German credit, and small tables."""
    _, features, target = compas_data()
    tr0, te0 = compas_split(0)
    tr1, te1 = compas_split(1)
    logistic = make_pipeline(StandardScaler(), LogisticRegression())
    g = german_model()
    gX = g["X"][["duration", "credit_amount", "age", "installment_rate", "no_checking"]]
    labels = np.where(g["y"] == 1, "good", "bad")
    tiny = pd.DataFrame(
        {
            "a": [0.0, 1.0, 2.0, 3.0],
            "b": [1.0, 0.0, 1.0, 0.0],
            "c": [0.0, 0.0, 1.0, 1.0],
        }
    )
    twin = features[["priors_count", "age"]].assign(age_again=features["age"])
    return [
        (logistic, features.iloc[tr0], target[tr0], features.iloc[te0], target[te0]),
        (
            DecisionTreeClassifier(max_depth=2, random_state=0),
            features.iloc[tr0],
            target[tr0],
            features.iloc[te0],
            target[te0],
        ),
        (
            logistic,
            features.iloc[tr1][["felony", "male", "juv_fel_count", "juv_other_count"]],
            target[tr1],
            features.iloc[te1][["felony", "male", "juv_fel_count", "juv_other_count"]],
            target[te1],
        ),
        (
            DecisionTreeClassifier(max_depth=3, random_state=0),
            gX.iloc[:700],
            labels[:700],
            gX.iloc[700:],
            labels[700:],
        ),
        (
            DecisionTreeClassifier(random_state=0),
            tiny,
            np.array([0, 0, 1, 1]),
            tiny,
            np.array([0, 0, 1, 1]),
        ),
        (
            logistic,
            features.iloc[tr1][["age", "priors_count"]],
            target[tr1],
            features.iloc[te1][["age", "priors_count"]],
            target[te1],
        ),
        (logistic, twin.iloc[tr0], target[tr0], twin.iloc[te0], target[te0]),
        # Every pair fits the training rows exactly and the test labels are
        # flipped: every pair scores 0, and one of them must still be returned.
        (
            DecisionTreeClassifier(random_state=0),
            tiny,
            np.array([0, 0, 1, 1]),
            tiny,
            np.array([1, 1, 0, 0]),
        ),
    ]


def balanced_labels(rng: np.random.Generator, n: int) -> np.ndarray:
    """n labels 0 and 1, half of each (one more 1 if n is odd), shuffled."""
    return rng.permutation(np.arange(n) >= n // 2).astype(int)


def draw_leaky_input(rng: np.random.Generator, n: int = 300) -> tuple:
    """A logistic regression on synthetic data where one feature leaks the label.

    Two noisy signals of the label (s1, s2), pure noise (n1), and ``leak``,
    which agrees with the label for 90% of the training rows but is noise in
    the test rows: choosing by training accuracy picks a pair with ``leak``,
    which is far from the best on the test rows. Both label sets are balanced,
    so that both classes are always present.
    """
    y_train, y_test = balanced_labels(rng, n), balanced_labels(rng, n)
    y = np.concatenate([y_train, y_test])
    leak = np.where(rng.random(n) < 0.9, y_train, 1 - y_train) + rng.normal(0, 0.1, n)
    data = pd.DataFrame(
        {
            "s1": y + rng.normal(0, 1.2, 2 * n),
            "n1": rng.normal(size=2 * n),
            "s2": y + rng.normal(0, 1.2, 2 * n),
            "leak": np.concatenate([leak, rng.normal(0.5, 0.5, n)]),
        },
        index=pd.RangeIndex(2 * n),
    )
    return (LogisticRegression(), data.iloc[:n], y_train, data.iloc[n:], y_test)


def pair_table(model, X_train, y_train, X_test, y_test) -> dict:
    """Held-out and training accuracy of every pair."""
    table = {}
    yt, ys = np.asarray(y_train), np.asarray(y_test)
    for pair in itertools.combinations(X_train.columns, 2):
        cols = list(pair)
        fitted = clone(model).fit(X_train[cols], yt)
        table[pair] = (
            float(np.mean(fitted.predict(X_test[cols]) == ys)),
            float(np.mean(fitted.predict(X_train[cols]) == yt)),
        )
    return table


@functools.cache
def fixed_pair_tables() -> list[dict]:
    """The tables of the fixed cases, fitted once per grading process."""
    return [pair_table(*args) for args in fixed_pair_inputs()]


def table_for(args: tuple) -> dict:
    """The table of a case: cached if it is one of the fixed cases, else fitted."""
    for fixed, table in zip(fixed_pair_inputs(), fixed_pair_tables(), strict=True):
        if args is fixed:
            return table
    return pair_table(*args)


def pair_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then synthetic data drawn from ``rng``."""
    inputs = [*fixed_pair_inputs(), draw_leaky_input(rng)]
    return [Call("best_pair", args) for args in inputs]


def pair_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        args = call.args
        columns = list(args[1].columns)
        if isinstance(value, (tuple, list)) and value and value[0] is None:
            raise Fail(
                "no pair returned: even when every pair has accuracy 0 on the test "
                "rows, return one of them (start the running best below 0)"
            )
        try:
            pair, accuracy = value
            pair = tuple(pair)
            accuracy = float(accuracy)
        except (TypeError, ValueError) as error:
            raise Fail("best_pair must return a tuple (pair, accuracy)") from error
        if len(pair) != 2 or pair[0] == pair[1] or not set(pair) <= set(columns):
            raise Fail("pair must hold the names of two different columns of X_train")
        table = table_for(args)
        key = tuple(sorted(pair, key=columns.index))
        held_out, training = table[key]
        slack = 1.5 / len(args[4])  # one test row, for solver rounding
        best = max(a for a, _ in table.values())
        if abs(accuracy - held_out) > slack:
            if abs(accuracy - training) <= slack < abs(training - held_out):
                raise Fail(
                    "return the accuracy on the TEST rows (X_test, y_test), not on "
                    "the training rows"
                )
            raise Fail(
                f"the accuracy returned for {key} is not that pair's accuracy on the "
                "test rows"
            )
        if held_out >= best - slack:
            continue
        best_train = max(t for _, t in table.values())
        if training >= best_train - 1e-12:
            raise Fail(
                "choose the pair by its accuracy on the test rows, not on the "
                "training rows (that favours pairs that overfit)"
            )
        if all(held_out <= a + slack for a, _ in table.values()):
            raise Fail("return the MOST accurate pair, not the least accurate")
        raise Fail(f"{key} is not the most accurate pair on the test rows")


# --------------------------------------------------------------------------
# Part 3: counterfactual_l2
# --------------------------------------------------------------------------


@functools.cache
def fixed_cf_inputs() -> list[tuple]:
    """The public checks' cases, small hand-written ones and German applicants."""
    g = german_model()
    rows = g["X"].to_numpy()
    denied = np.flatnonzero(rows @ g["w"] + g["b"] < 0)
    loans = german_mask("duration", "credit_amount")
    wide = german_mask(
        "duration", "credit_amount", "installment_rate", "existing_credits"
    )
    cases = [
        ([2.0, 1.0], -4.0, [0.0, 0.0], [True, True], [1.0, 1.0]),
        ([2.0, 1.0], -4.0, [0.0, 0.0], [False, True], [1.0, 1.0]),
        ([2.0, 1.0], -4.0, [0.0, 0.0], [True, True], [1.0, 2.0]),
        ([1.0], 0.5, [2.0], [True], [1.0]),
        ([2.0, 1.0], -4.0, [0.0, 0.0], [False, False], [1.0, 1.0]),
        ([1.0, 1.0], -2.0, [1.0, 1.0], [True, True], [1.0, 1.0]),
        ([-1.0, -2.0], -1.0, [0.0, 0.0], [True, True], [3.0, 0.5]),
        ([0.0, 3.0, 1.0], -5.0, [1.0, 1.0, 1.0], [True, False, False], [1.0, 1.0, 1.0]),
        ([1, 2, 3], -20, [1, 1, 1], [True, False, True], [2, 1, 1]),
        # Approved by a margin below 1, and exactly on the boundary (approved)
        # with nothing mutable: x itself, cost 0.
        ([1.0, 1.0], -1.75, [1.0, 1.0], [True, True], [1.0, 1.0]),
        ([2.0, 1.0], -4.0, [1.5, 1.0], [False, False], [1.0, 1.0]),
        (g["w"], g["b"], rows[1], loans, g["sd"]),
    ]
    for i in denied[:4]:
        cases.append((g["w"], g["b"], rows[i], wide, g["sd"]))
    return cases


def cf_reference(w, b, x, mutable, scale, *, scaled=True, masked=True):
    """Exact optimum (closed form), or None without recourse."""
    w, x = np.asarray(w, float), np.asarray(x, float)
    s = np.asarray(scale, float) if scaled else np.ones_like(x)
    m = np.asarray(mutable, bool) if masked else np.ones(len(x), dtype=bool)
    need = -(w @ x + float(b))
    if need <= 0:
        return x.copy()
    a = np.where(m, w * s, 0.0)
    if not (a != 0).any():
        return None
    return x + s * need * a / (a @ a)


def clear_of_mistakes(w, x, mutable, scale) -> bool:
    """Whether a denied case tells the optimum apart from the recognised mistakes.

    With ``a = w * scale``: the mutable part of ``a`` is not small (no huge
    moves) and its norm is not near 1 (where dividing by the norm instead of
    its square gives the same point); the immutable features carry at least 1%
    of ``|a|^2`` (so that moving them, or masking afterwards, shows); and
    ignoring the scale costs at least 0.1% more.
    """
    a = w * scale
    norm = float(np.linalg.norm(a[mutable]))
    share = float(a[~mutable] @ a[~mutable]) / float(a @ a)
    if norm < 0.1 or abs(norm - 1) < 0.05 or share < 0.01:
        return False
    b = -float(w @ x) - 1.0  # the costs scale with the need, which cancels out
    unscaled = cf_reference(w, b, x, mutable, scale, scaled=False)
    optimum = cf_reference(w, b, x, mutable, scale)
    return _cost(unscaled, x, scale) >= 1.001 * _cost(optimum, x, scale)


def draw_denied(rng: np.random.Generator, p: int = 6) -> tuple:
    """(w, b, x, mutable, scale): a denied applicant of a random linear model.

    2 to 5 of the ``p`` features are mutable, the score is at most -0.5, and
    the draw is repeated until :func:`clear_of_mistakes` holds.
    """
    while True:
        w, x = rng.normal(size=p), rng.normal(size=p)
        mutable = rng.permutation(p) < rng.integers(2, p)
        scale = rng.exponential(size=p) + 0.1
        if clear_of_mistakes(w, x, mutable, scale):
            b = -float(w @ x) - rng.exponential() - 0.5
            return (w, b, x, mutable, scale)


def draw_approved(rng: np.random.Generator, p: int = 6) -> tuple:
    """(w, b, x, mutable, scale): an applicant approved with a margin of 0.5 or more."""
    w, x = rng.normal(size=p), 0.1 * rng.normal(size=p)
    b = float(np.abs(w) @ np.abs(x)) + 0.5 + rng.exponential()
    return (w, b, x, np.ones(p, dtype=bool), np.ones(p))


def _cost(point, x, scale) -> float:
    return float(np.sqrt((((point - x) / scale) ** 2).sum()))


def cf_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then three denied applicants and one approved, drawn."""
    drawn = [draw_denied(rng), draw_denied(rng), draw_denied(rng), draw_approved(rng)]
    return [Call("counterfactual_l2", args) for args in [*fixed_cf_inputs(), *drawn]]


def cf_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        w, b, x, mutable, scale = call.args
        w, x = np.asarray(w, float), np.asarray(x, float)
        s, m = np.asarray(scale, float), np.asarray(mutable, bool)
        want = cf_reference(w, b, x, m, s)
        if want is None:
            if value is not None:
                raise Fail(
                    "return None when no change of the mutable features can get the "
                    "applicant approved (no mutable feature has a nonzero weight)"
                )
            continue
        if value is None:
            if w @ x + b >= 0:
                raise Fail(
                    "x is already approved (a point on the boundary, w @ x + b = 0, "
                    "counts as approved): return x itself, not None"
                )
            raise Fail("a counterfactual exists here: return it instead of None")
        _check_counterfactual(value, w, b, x, m, s, want)


def _check_counterfactual(value, w, b, x, m, s, want) -> None:
    try:
        got = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError) as error:
        raise Fail("counterfactual_l2 must return an array of numbers") from error
    if got.shape != x.shape or not np.isfinite(got).all():
        raise Fail(f"return a point of {len(x)} finite numbers, like x")
    size = 1.0 + np.abs(w) @ np.abs(x) + abs(float(b))
    approved = got @ w + b >= -1e-9 * size
    if not approved and np.allclose(got, want - x, atol=1e-9):
        raise Fail("return the new point x', not the change x' - x")
    if np.array_equal(want, x) and not np.allclose(got, x):
        raise Fail("x is already approved: return x itself (a change of cost 0)")
    tol = 1e-9 * (1.0 + np.abs(x))
    if (np.abs(got - x)[~m] > tol[~m]).any():
        raise Fail("immutable features must keep their values")
    if not approved:
        raise Fail("the counterfactual must be approved: w @ x' + b >= 0")
    optimum = _cost(want, x, s)
    if _cost(got, x, s) <= optimum * (1 + 1e-6) + 1e-9:
        return
    if np.allclose(got, cf_reference(w, b, x, m, s, scaled=False), atol=1e-9):
        raise Fail(
            "measure the change in units of scale: the cost is the norm of "
            "(x' - x) / scale, so features with a large scale are cheaper to move"
        )
    raise Fail(
        "this counterfactual is approved but not the cheapest: there is one of "
        f"cost {optimum:.6g}, yours costs {_cost(got, x, s):.6g}"
    )


# --------------------------------------------------------------------------
# Part 4: recourse_exists
# --------------------------------------------------------------------------


@functools.cache
def fixed_rec_inputs() -> list[tuple]:
    """The public checks' cases, small hand-written ones and German credit."""
    g = german_model()
    rows = g["X"].to_numpy()
    loans = german_mask("duration", "credit_amount")
    wide = german_mask(
        "duration", "credit_amount", "installment_rate", "existing_credits"
    )
    small = np.array([[0.0, 0.0], [1.0, 3.0], [3.0, 0.0]])
    none = np.zeros(len(loans), dtype=bool)
    return [
        ([1.0, -1.0], -2.0, small, [False, False], [0.0, 0.0], [3.0, 3.0]),
        ([1.0, -1.0], -2.0, small, [True, False], [0.0, 0.0], [3.0, 3.0]),
        (
            [1.0, 1.0],
            -4.0,
            np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]),
            [True, False],
            [0.0, 0.0],
            [4.0, 4.0],
        ),
        (
            [-2.0, 1.0],
            -1.0,
            np.array([[1.0, 0.0], [3.0, 3.0], [2.0, 1.0]]),
            [True, False],
            [0.0, 0.0],
            [3.0, 3.0],
        ),
        (
            [-2.0, 1.0],
            -1.0,
            np.array([[1.0, 0.0], [3.0, 3.0], [2.0, 1.0]]),
            [True, True],
            [1.0, 0.0],
            [3.0, 3.0],
        ),
        (
            [0.5, 0.0, -1.0],
            -1.0,
            np.array([[1.0, 5.0, 2.0]]),
            [False, True, True],
            [0.0, 0.0, 0.0],
            [2.0, 9.0, 2.0],
        ),
        (g["w"], g["b"], rows, loans, g["lower"], g["upper"]),
        (g["w"], g["b"], rows, wide, g["lower"], g["upper"]),
        (g["w"], g["b"], rows, german_mask("duration"), g["lower"], g["upper"]),
        (g["w"], g["b"], rows, none, g["lower"], g["upper"]),
    ]


#: Smallest distance from 0 of a random row's best score.
SCORE_GAP = 1e-6


def clear_intercept(reach: np.ndarray, quantile: float) -> float:
    """An intercept near ``-quantile`` (3 decimals) with no score within ``SCORE_GAP`` of 0.

    ``reach`` holds each row's best score without intercept; a score that close
    to 0 could be decided either way by correct answers that add it up in
    another order.
    """
    cut = -round(quantile, 3)
    while np.any(np.abs(reach + cut) < SCORE_GAP):
        cut += 0.001
    return cut


def draw_recourse_inputs(rng: np.random.Generator, n: int = 300, p: int = 8):
    """Two random cases sharing a model, rows and bounds: 3 and 5 mutable features.

    Each intercept leaves about 40% of the rows without recourse; redrawn
    until both cases have rows with and rows without recourse.
    """
    while True:
        lo, hi = -rng.exponential(size=p), rng.exponential(size=p)
        X = lo + (hi - lo) * rng.random((n, p))
        w = rng.normal(size=p)
        cases = []
        for k in (3, 5):
            mutable = rng.permutation(p) < k
            reach = np.where(mutable, np.where(w > 0, hi, lo), X) @ w
            cut = clear_intercept(reach, float(np.quantile(reach, 0.4)))
            cases.append((w, cut, X, mutable, lo, hi))
        if all(0 < rec_reference(*case).sum() < n for case in cases):
            return cases


def rec_reference(
    w, b, X, mutable, lower, upper, *, strict=False, sign=True, mask=True, bounds=True
):
    w, X = np.asarray(w, float), np.asarray(X, float)
    m = np.asarray(mutable, bool) if mask else np.ones(len(w), dtype=bool)
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    if not bounds:
        free = (m & (w != 0)).any()
        return (X @ w + b >= 0) | free
    target = np.where(w > 0, upper, lower) if sign else upper
    best = np.where(m, target, X) @ w + b
    return best > 0 if strict else best >= 0


def rec_calls(rng: np.random.Generator) -> list[Call]:
    """The fixed cases, then two random ones drawn from ``rng``."""
    inputs = [*fixed_rec_inputs(), *draw_recourse_inputs(rng)]
    return [Call("recourse_exists", args) for args in inputs]


def rec_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        args = call.args
        n = len(args[2])
        try:
            got = np.asarray(value).ravel()
        except (TypeError, ValueError) as error:
            raise Fail("recourse_exists must return a boolean array") from error
        if value is None or got.shape != (n,):
            raise Fail(f"return one True/False per row of X ({n} here)")
        if got.dtype.kind not in "biuf" or not np.isin(got, [0, 1]).all():
            raise Fail("return booleans (True when the row has recourse)")
        got = got.astype(bool)
        want = rec_reference(*args)
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, rec_reference(*args, strict=True)):
            raise Fail("a score of exactly 0 counts as approved (w @ x + b >= 0)")
        if np.array_equal(got, rec_reference(*args, sign=False)):
            raise Fail(
                "move each mutable feature towards the bound that RAISES the score: "
                "the upper bound when its weight is positive, the lower bound when negative"
            )
        if np.array_equal(got, rec_reference(*args, bounds=False)):
            raise Fail("the mutable features must stay within lower and upper")
        if np.array_equal(got, rec_reference(*args, mask=False)):
            raise Fail(
                "immutable features must keep their values: only mutable ones move"
            )
        raise Fail("the answers are wrong")


# --------------------------------------------------------------------------
# Part 5: rashomon_set (deterministic)
# --------------------------------------------------------------------------

#: Distance from 0 below which a lower bound counts as on the boundary: two
#: correct answers that compute the interval in another order could decide it
#: differently. Drawn cases are redrawn until every model but the best is
#: farther than this (the best model's bound is exactly 0).
RASHOMON_GAP = 1e-9


def rashomon_reference(y_true, predictions, confidence, mistake: str | None = None):
    """The Rashomon set by the definition (or a recognised mistake), input order.

    Also returns each model's lower bound, for the draws' clearance check.
    """
    y = np.asarray(y_true)
    names = list(predictions)
    correct = {k: (np.asarray(predictions[k]) == y).astype(float) for k in names}
    accuracy = {k: correct[k].mean() for k in names}
    best = max(names, key=accuracy.__getitem__)
    side = confidence if mistake == "one-sided" else (1 + confidence) / 2
    z = float(stats.norm.ppf(side))
    n = y.size
    if mistake == "overlap":
        return (
            [
                k
                for k in names
                if _wilson(accuracy[k], n, z)[1] >= _wilson(accuracy[best], n, z)[0]
            ],
            {},
            best,
        )
    chosen, lowers = [], {}
    for k in names:
        d = correct[best] - correct[k]
        if mistake == "unpaired":
            pb, pk = accuracy[best], accuracy[k]
            half = z * np.sqrt((pb * (1 - pb) + pk * (1 - pk)) / n)
        else:
            half = z * d.std(ddof=1 if mistake == "ddof" else 0) / np.sqrt(n)
        lower = d.mean() - half
        lowers[k] = lower
        if (lower < 0) if mistake == "strict" else (lower <= 0):
            chosen.append(k)
    if mistake == "sorted":
        chosen.sort(key=accuracy.__getitem__, reverse=True)
    return chosen, lowers, best


def _wilson(p: float, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of an accuracy p on n rows."""
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


RASHOMON_HINTS = {
    "overlap": (
        "do not compare two separate intervals (they overlap more than the "
        "difference's interval reaches 0): use the paired interval of the "
        "difference, from d_i = [best right] - [model right]"
    ),
    "unpaired": (
        "the interval is PAIRED: use the per-row differences d_i = [best right] - "
        "[model right] on the same rows, not the two accuracies' separate variances"
    ),
    "ddof": "the standard deviation of d uses 1/n (np.std's default, ddof=0)",
    "one-sided": (
        "the interval is two-sided: z = norm.ppf((1 + confidence) / 2), not "
        "norm.ppf(confidence)"
    ),
    "strict": (
        "a model is in the set when the lower bound is <= 0: the best model itself "
        "(lower bound exactly 0) is always in it"
    ),
    "sorted": "return the names in the order of `predictions`, not sorted",
}


def _labels(correct: np.ndarray, y: np.ndarray, classes) -> np.ndarray:
    """Predictions that are right exactly where ``correct`` is True."""
    other = np.where(y == classes[0], classes[1], classes[0])
    return np.where(correct, y, other)


def _hand_case() -> tuple:
    """The public checks' case: 12 rows, two models tied at the top."""
    y = np.array([1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1])
    predictions = {
        "tree": [1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0],
        "rules": [1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1],
        "coin": [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1],
    }
    return y, predictions


def _boundary_case() -> tuple:
    """40 rows with lower bounds just above 0 that wrong intervals reach.

    "best" is right on 32 rows; "near" is wrong on 13 of them and right on 5
    of the 8 others: mean(d) = 8/40, sd(d) with 1/n gives a lower bound of
    +0.0016 at 95% (excluded), with 1/(n - 1) one of -0.0010 (included).
    "twin" (wrong on 6 of best's right rows, right on 1 of its wrong ones) has
    +0.0013 (excluded), -0.0003 with 1/(n - 1) and -0.066 with the unpaired
    interval (its errors are nearly best's, which only the paired interval
    sees). "close" (3 and 1 such rows) and "same" (identical predictions) are
    in the set. A model tied with the best comes after it, so the first best
    decides.
    """
    y = np.tile([0, 1], 20)
    best = np.arange(40) < 32
    near = best.copy()
    near[:13] = False
    near[32:37] = True
    close = best.copy()
    close[:3] = False
    close[32] = True
    twin = best.copy()
    twin[:6] = False
    twin[32] = True
    tie = best.copy()
    tie[:2], tie[32:34] = False, True
    predictions = {
        "close": _labels(close, y, (0, 1)),
        "best": _labels(best, y, (0, 1)),
        "near": _labels(near, y, (0, 1)),
        "twin": _labels(twin, y, (0, 1)),
        "same": _labels(best, y, (0, 1)),
        "tie": _labels(tie, y, (0, 1)),
    }
    return y, predictions


@functools.cache
def compas_pair_predictions() -> dict:
    """Held-out predictions of the 21 pairs' logistic regressions (seed-0 split)."""
    _, features, target = compas_data()
    train, test = compas_split(0)
    out = {}
    for a, c in itertools.combinations(features.columns, 2):
        model = make_pipeline(StandardScaler(), LogisticRegression())
        model.fit(features.iloc[train][[a, c]], target[train])
        out[f"{a} + {c}"] = model.predict(features.iloc[test][[a, c]])
    return out


def rashomon_clear(y, predictions, confidence) -> bool:
    """One best model, every other bound clear of 0, and some models in and out."""
    chosen, lowers, best = rashomon_reference(y, predictions, confidence)
    y = np.asarray(y)
    accuracy = [np.mean(np.asarray(p) == y) for p in predictions.values()]
    return (
        accuracy.count(max(accuracy)) == 1
        and all(abs(v) > RASHOMON_GAP for k, v in lowers.items() if k != best)
        and 1 < len(chosen) < len(predictions)
    )


def draw_rashomon_case(rng, n, n_models, confidence, classes, as_list=False):
    """Models that agree with a base model on most rows, in random order.

    Each model flips a share (0 to 30%) of the base model's right and wrong
    rows, so that the models' errors are correlated, as those of models
    fitted to the same data are; redrawn until it is clear (rashomon_clear).
    """
    while True:
        y = rng.choice(np.asarray(classes), size=n)
        base = rng.random(n) < 0.72
        predictions = {}
        for i in rng.permutation(n_models):
            flip = rng.random(n) < rng.uniform(0.0, 0.3)
            labels = _labels(base ^ flip, y, classes)
            predictions[f"model {i}"] = labels.tolist() if as_list else labels
        if rashomon_clear(y, predictions, confidence):
            return (y.tolist() if as_list else y), predictions, confidence


def rashomon_calls(rng: np.random.Generator) -> list[Call]:
    pairs = compas_pair_predictions()
    no_age = {k: v for k, v in pairs.items() if not k.startswith("age")}
    y_test = compas_data()[2][compas_split(0)[1]]
    hand_y, hand = _hand_case()
    edge_y, edge = _boundary_case()
    cases = [
        (hand_y, hand, 0.95),
        (hand_y, hand, 0.5),
        (edge_y, edge, 0.95),
        (hand_y, {"only": hand["coin"]}, 0.9),
        (y_test, pairs, 0.95),
        (y_test, no_age, 0.99),
        draw_rashomon_case(rng, 500, 8, 0.9, (0, 1)),
        draw_rashomon_case(rng, 1000, 6, 0.99, ("no", "yes")),
        draw_rashomon_case(rng, 300, 10, 0.8, (0, 1), as_list=True),
    ]
    return [Call("rashomon_set", case) for case in cases]


def _rashomon_mistake(values: list, calls: list[Call]) -> str | None:
    """The recognised mistake that explains the most cases (all, if one does)."""

    def matches(mistake: str) -> int:
        return sum(
            _as_list(v) == rashomon_reference(*c.args, mistake)[0]
            for v, c in zip(values, calls, strict=True)
        )

    counts = {mistake: matches(mistake) for mistake in RASHOMON_HINTS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > 0 else None


def _as_list(value) -> list | None:
    try:
        return list(value)
    except TypeError:
        return None


def rashomon_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    values = returned_values(outcomes)
    for value, call in zip(values, calls, strict=True):
        y, predictions, confidence = call.args
        want = rashomon_reference(y, predictions, confidence)[0]
        got = _as_list(value)
        if got is None:
            raise Fail("rashomon_set must return a list of names")
        if got == want:
            continue
        mistake = _rashomon_mistake(values, calls)
        if mistake is not None and got == rashomon_reference(*call.args, mistake)[0]:
            raise Fail(RASHOMON_HINTS[mistake])
        if sorted(map(str, got)) == sorted(map(str, want)):
            raise Fail("return the names in the order of `predictions`")
        if len(got) == len(predictions):
            raise Fail(
                "keep only the models whose interval for acc(best) - acc(model) "
                "reaches 0 (lower bound <= 0), not every model"
            )
        raise Fail(
            f"wrong set for {len(predictions)} models on {np.size(y)} rows at "
            f"confidence {confidence}"
        )


TESTS = {
    "test_apply_rule_list": Test(rule_calls, rule_check),
    "test_best_pair": Test(pair_calls, pair_check),
    "test_counterfactual_l2": Test(cf_calls, cf_check),
    "test_recourse_exists": Test(rec_calls, rec_check),
    "test_rashomon_set": Test(rashomon_calls, rashomon_check),
}
