"""Hidden tests of homework 10 (never released to students).

``TESTS`` maps the grade id of each autograder test cell of hw10.ipynb to a
Test: the calls made on the student's functions and the check of what they
returned. Every part is deterministic and every check holds for a correct
answer on any draw of the inputs, so the false-failure rate is zero.

Hidden inputs drawn per submission: every test cell keeps the cases of the
notebook's public checks and the hand-written edge cases fixed, and draws its
random cases from the ``rng`` the grader seeds for each submission
(``calls(rng)``): six road networks in part 1, the random markets and
matchings of parts 2 and 3, two random games (shapes and payoffs) in part 4,
fifteen random games with starting profiles in part 5 and twelve random sets
of roads in part 6. Each check
computes its references from the calls it receives (``check(outcomes,
calls)``). Every draw is a valid input by construction: in part 1 the slopes
never both vanish and the constants are positive, so both splits are unique
and the price of anarchy is defined; in part 4 the random games are never
square, so swapped strategies are recognised; random preferences are complete
strict rankings, whose resident-optimal stable matching is unique.

- Part 1 (``two_roads``) is compared with the closed-form equilibrium and
  optimum (clipped to [0, demand]) at a relative tolerance of 1e-7.
- Parts 2 and 3 (``find_blocking_pairs``, ``resident_proposing``) are compared
  exactly with ``course_lib.games`` (the set of blocking pairs in any order; the
  resident-optimal stable matching, which is unique).
- Part 5 (``best_response_play``) follows a fully specified rule (row player
  first, smallest-index best response, move only when not best-responding),
  so its path is compared exactly with ``course_lib.games``; None on cycles.
- Part 4 (``hedge_play``) is checked twice: first by the guarantee the
  chapter proves (the returned average strategies must be probability
  vectors whose duality gap ``max_i (A q)_i - min_j (p A)_j`` is at most the
  sum of the two players' regret bounds, ``r (sqrt(ln m / (2T)) +
  sqrt(ln n / (2T)))`` with ``r`` the payoff range, plus 1e-9; after one
  round the average must be uniform), then against a reference run of the
  rule, which fixes every step, at an absolute tolerance of 1e-7 per
  probability. Faithful implementations differ only in rounding (log weights
  or renormalised probabilities, gains or losses): the bank's right answers
  agree with the reference to 2e-14 on the fixed games and on five
  submissions' random ones, so a correct answer does not fail. The comparison catches learning rates that still meet the bound
  (constants 4 or 16 instead of 8, ln n for ln m).
- Part 6 (``optimal_tolls``) has many right answers (any nonnegative tolls
  under which the system optimum is the tolled equilibrium), so it checks
  that property: the optimum is computed by bisection on the common marginal
  cost, and the tolled costs ``a_i x_i + b_i + tau_i`` must be equal on the
  roads it uses and no smaller on the others, to a relative 1e-7. All slopes
  are positive, so the tolled equilibrium is unique and the property means
  it IS the optimum. Random roads are redrawn while a constant lies within a
  relative 1e-3 of the marginal cost, so "used" is never ambiguous.
See ``course_tools.grading.spec`` and the README's section for course authors.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from course_lib.games import (
    best_response_dynamics,
    blocking_pairs,
    deferred_acceptance,
    is_stable,
)
from course_tools.grading.spec import Call, Fail, Outcome, Test, returned_values

RTOL = 1e-7


# --------------------------------------------------------------------------
# Part 1: two_roads
# --------------------------------------------------------------------------


# Hand-written networks, the public checks' three first; six more are drawn.
ROADS_FIXED = [
    (1.0, [1.0, 0.0], [0.0, 1.0]),  # Pigou
    (1.0, [0.0, 1.0], [1.0, 0.0]),  # Pigou, roads swapped
    (10.0, [1.0, 2.0], [0.0, 0.0]),  # both used, price of anarchy 1
    (4.0, [1.0, 1.0], [0.0, 10.0]),  # road 2 unused at both
    (3.0, [0.5, 0.0], [1.0, 2.0]),
    (5.0, [0.0, 2.0], [3.0, 1.0]),
    (2.0, [1.0, 0.5], [0.0, 2.0]),  # equilibrium exactly at the corner
    (4000.0, [0.01, 0.02], [45.0, 20.0]),
    (1, [2, 3], [1, 0]),  # ints
    (0.5, (0.0, 4.0), (2.0, 0.0)),
]


def roads_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Six random networks ``(demand, slopes, constants)``.

    Demand uniform in [0.1, 20]; each slope exponential(1) and zero with
    probability 0.2, but one of the two gets 0.1 more, so a1 + a2 >= 0.1 and
    both splits are unique; constants 0.01 + exponential(3), so every total
    travel time is positive and the price of anarchy is defined.
    """
    cases = []
    for _ in range(6):
        slopes = rng.exponential(size=2) * (rng.random(2) < 0.8)
        slopes[rng.integers(2)] += 0.1
        constants = 0.01 + rng.exponential(3, size=2)
        cases.append((float(rng.uniform(0.1, 20)), slopes.tolist(), constants))
    return cases


def roads_reference(demand, slopes, constants, *, factor=2.0, clip=True) -> dict:
    a1, a2 = (float(v) for v in slopes)
    b1, b2 = (float(v) for v in constants)
    d = float(demand)

    def split(k: float) -> float:
        x = (k * a2 * d + b2 - b1) / (k * (a1 + a2))
        return min(max(x, 0.0), d) if clip else x

    def cost(x: float) -> float:
        return x * (a1 * x + b1) + (d - x) * (a2 * (d - x) + b2)

    x1, y1 = split(1.0), split(factor)
    return {
        "equilibrium": [x1, d - x1],
        "optimum": [y1, d - y1],
        "price_of_anarchy": cost(x1) / cost(y1),
    }


def roads_calls(rng: np.random.Generator) -> list[Call]:
    inputs = ROADS_FIXED + roads_random_inputs(rng)
    return [Call("two_roads", args) for args in inputs]


def _flows(value, key: str) -> np.ndarray:
    try:
        flows = np.asarray(value[key], dtype=float)
    except (TypeError, ValueError, KeyError, IndexError) as error:
        raise Fail(f'value["{key}"] must be a list of two flows') from error
    if flows.shape != (2,):
        raise Fail(f'value["{key}"] must be a list of two flows; got {flows.shape}')
    return flows


def _same(got, want, demand: float) -> bool:
    return bool(np.allclose(got, want, rtol=RTOL, atol=1e-9 * max(1.0, demand)))


def roads_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        d, a, b = call.args
        if not isinstance(value, dict) or set(value) != {
            "equilibrium",
            "optimum",
            "price_of_anarchy",
        }:
            raise Fail(
                'return a dict with keys "equilibrium", "optimum" and '
                '"price_of_anarchy"'
            )
        want = roads_reference(d, a, b)
        eq, opt = _flows(value, "equilibrium"), _flows(value, "optimum")
        if (eq < -1e-9).any() or (opt < -1e-9).any():
            raise Fail(
                "a flow is negative: when a road is slower even with all the "
                "traffic elsewhere, nobody uses it (clip the split to [0, demand])"
            )
        if not np.isclose(eq.sum(), d, rtol=RTOL) or not np.isclose(
            opt.sum(), d, rtol=RTOL
        ):
            raise Fail("the two flows must add up to the demand")
        if not _same(eq, want["equilibrium"], d):
            if _same(eq, want["optimum"], d) and _same(opt, want["equilibrium"], d):
                raise Fail("the equilibrium and the optimum are swapped")
            raise Fail(
                "the equilibrium split is wrong: at a Wardrop equilibrium every "
                "used road has the same travel time, and an unused road is not faster"
            )
        if not _same(opt, want["optimum"], d):
            if _same(opt, want["equilibrium"], d):
                raise Fail(
                    "the optimum is not the equilibrium: it equalises the MARGINAL "
                    "costs 2 a x + b of the roads (the derivative of x (a x + b)), "
                    "not their travel times"
                )
            raise Fail(
                "the optimal split is wrong: it minimises the total travel time "
                "x1 l1(x1) + x2 l2(x2)"
            )
        _check_price_of_anarchy(value["price_of_anarchy"], want, d, a, b)


def _check_price_of_anarchy(value: object, want: dict, d: float, a, b) -> None:
    try:
        poa = float(value)
    except (TypeError, ValueError) as error:
        raise Fail("the price of anarchy must be a number") from error
    if math.isclose(poa, want["price_of_anarchy"], rel_tol=RTOL):
        return
    if math.isclose(poa * want["price_of_anarchy"], 1.0, rel_tol=RTOL):
        raise Fail(
            "the price of anarchy is the equilibrium's cost divided by the "
            "optimum's (at least 1), not the other way round"
        )
    unclipped = roads_reference(d, a, b, clip=False)["price_of_anarchy"]
    if math.isclose(poa, unclipped, rel_tol=RTOL):
        raise Fail(
            "compute the price of anarchy from the clipped flows (the ones "
            "you return), not from the unclipped formulas"
        )
    raise Fail(
        "the price of anarchy is wrong: divide the TOTAL travel times "
        "x1 l1(x1) + x2 l2(x2) of the equilibrium and of the optimum"
    )


# --------------------------------------------------------------------------
# Markets for parts 2 and 3
# --------------------------------------------------------------------------

CH_RESIDENTS = {
    "Ana": ["City", "Mercy", "County", "Rural"],
    "Ben": ["Mercy", "City", "Rural", "County"],
    "Chloe": ["City", "County", "Mercy", "Rural"],
    "Dev": ["County", "Rural", "City", "Mercy"],
}
CH_HOSPITALS = {
    "City": ["Ben", "Dev", "Ana", "Chloe"],
    "Mercy": ["Ana", "Chloe", "Ben", "Dev"],
    "County": ["Chloe", "Ana", "Dev", "Ben"],
    "Rural": ["Dev", "Ben", "Chloe", "Ana"],
}


def random_market(
    rng: np.random.Generator, n_res: int, n_hosp: int
) -> tuple[dict, dict]:
    """Residents r0, r1, ... and hospitals h0, h1, ..., each ranking every
    member of the other side in a uniformly random order."""
    res = [f"r{i}" for i in range(n_res)]
    hosp = [f"h{j}" for j in range(n_hosp)]
    rp = {r: [hosp[k] for k in rng.permutation(n_hosp)] for r in res}
    hp = {h: [res[k] for k in rng.permutation(n_res)] for h in hosp}
    return rp, hp


def random_matching(rng: np.random.Generator, rp: dict, hp: dict) -> dict:
    """A uniformly random one-to-one matching of as many residents as there are
    places; the others are unmatched (None)."""
    res, hosp = list(rp), list(hp)
    order = rng.permutation(len(hosp)).tolist()
    matching = dict.fromkeys(res)
    for r, k in zip(rng.permutation(res).tolist(), order, strict=False):
        matching[r] = hosp[k]
    return matching


# --------------------------------------------------------------------------
# Part 2: find_blocking_pairs
# --------------------------------------------------------------------------


@functools.cache
def blocking_fixed() -> list[tuple]:
    """The public checks' cases (the chapter's market, two men and two women)
    and hand-written ones: a stable matching, unmatched agents, one pair."""
    naive = dict(zip(CH_RESIDENTS, sorted(CH_HOSPITALS), strict=True))
    men = {"m0": ["w0", "w1"], "m1": ["w0", "w1"]}
    women = {"w0": ["m1", "m0"], "w1": ["m1", "m0"]}
    return [
        (naive, CH_RESIDENTS, CH_HOSPITALS),
        (deferred_acceptance(CH_RESIDENTS, CH_HOSPITALS), CH_RESIDENTS, CH_HOSPITALS),
        ({"m0": "w0", "m1": "w1"}, men, women),
        ({"m0": "w1", "m1": "w0"}, men, women),
        ({"m0": "w1", "m1": None}, men, women),  # m1 and w0 both unmatched
        ({"solo": None}, {"solo": ["only"]}, {"only": ["solo"]}),
    ]


def blocking_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Random matchings of random markets (some with more residents, some with
    more hospitals), and the stable matching of a random 7 x 7 market."""
    cases = []
    for n_res, n_hosp in [(6, 6), (8, 5), (5, 8), (12, 12), (3, 3)]:
        rp, hp = random_market(rng, n_res, n_hosp)
        cases.append((random_matching(rng, rp, hp), rp, hp))
    rp, hp = random_market(rng, 7, 7)
    cases.append((deferred_acceptance(rp, hp), rp, hp))
    return cases


def blocking_calls(rng: np.random.Generator) -> list[Call]:
    inputs = blocking_fixed() + blocking_random_inputs(rng)
    return [Call("find_blocking_pairs", args) for args in inputs]


def _pair_list(value) -> list[tuple]:
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 for p in value
    ):
        raise Fail("return a list of (resident, hospital) pairs")
    return [tuple(p) for p in value]


def blocking_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        matching, rp, hp = call.args
        got = _pair_list(value)
        want = set(blocking_pairs(matching, rp, hp))
        if set(got) == want and len(got) == len(want):
            continue
        if len(set(got)) != len(got):
            raise Fail("each blocking pair must appear once")
        if want and {(h, r) for r, h in got} == want:
            raise Fail("write each pair as (resident, hospital), resident first")
        matched = {(r, h) for r, h in matching.items() if h is not None}
        if set(got) & matched:
            raise Fail(
                "a resident and the hospital they are matched to never block: "
                "both must STRICTLY prefer each other to their partners"
            )
        if set(got) > want:
            raise Fail(
                "a pair blocks only if BOTH sides prefer each other to their "
                "partners: check the hospital's ranking too"
            )
        missing = want - set(got)
        unmatched = {r for r, h in matching.items() if h is None} | (
            set(hp) - set(matching.values())
        )
        if missing and all(r in unmatched or h in unmatched for r, h in missing):
            raise Fail(
                "being unmatched is worse than any partner: an unmatched resident "
                "or hospital wants anyone on their list"
            )
        raise Fail("the blocking pairs are wrong")


# --------------------------------------------------------------------------
# Part 3: resident_proposing
# --------------------------------------------------------------------------


# The public checks' markets and hand-written ones; five more are drawn.
_SAME = {f"s{i}": ["A", "B", "C"] for i in range(3)}
DA_FIXED = [
    (CH_RESIDENTS, CH_HOSPITALS),
    (  # one resident too many
        {
            "alice": ["city", "rural"],
            "bob": ["city", "rural"],
            "carol": ["city", "rural"],
        },
        {"city": ["carol", "alice", "bob"], "rural": ["alice", "bob", "carol"]},
    ),
    (CH_HOSPITALS, CH_RESIDENTS),  # the other side proposing
    (
        {"m0": ["w0", "w1"], "m1": ["w1", "w0"]},
        {"w0": ["m1", "m0"], "w1": ["m0", "m1"]},
    ),
    (_SAME, {h: ["s2", "s0", "s1"] for h in "ABC"}),  # common rankings
    ({"solo": ["only"]}, {"only": ["solo"]}),
]


def da_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Five random markets: square, with more residents, with more hospitals,
    and two large ones."""
    sizes = [(6, 6), (9, 4), (4, 9), (30, 30), (20, 25)]
    return [random_market(rng, n_res, n_hosp) for n_res, n_hosp in sizes]


def da_calls(rng: np.random.Generator) -> list[Call]:
    inputs = DA_FIXED + da_random_inputs(rng)
    return [Call("resident_proposing", args) for args in inputs]


def da_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        rp, hp = call.args
        if not isinstance(value, dict):
            raise Fail("return a dict {resident: hospital or None}")
        want = deferred_acceptance(rp, hp)
        if value == want:
            continue
        if set(value) == set(hp) and set(value) != set(rp):
            raise Fail("the keys are the residents: return {resident: hospital}")
        if set(value) != set(rp):
            raise Fail("return every resident as a key, with None if unmatched")
        taken = [h for h in value.values() if h is not None]
        if len(taken) != len(set(taken)) or not set(taken) <= set(hp):
            raise Fail("each hospital has one place: match it at most once")
        if not is_stable(value, rp, hp):
            raise Fail(
                "the matching is not stable: for instance "
                f"{blocking_pairs(value, rp, hp)[0]} would block it. A hospital "
                "holds the best offer so far and rejects it later if a better "
                "resident proposes, and rejected residents propose again"
            )
        hospitals_first = {r: None for r in rp}
        for h, r in deferred_acceptance(hp, rp).items():
            if r is not None:
                hospitals_first[r] = h
        if value == hospitals_first:
            raise Fail(
                "this is the stable matching the HOSPITALS prefer (hospitals "
                "proposing); the residents must propose"
            )
        raise Fail(
            "the matching is stable but not the one the residents prefer: "
            "residents propose in the order of their lists"
        )


# --------------------------------------------------------------------------
# Part 4: hedge_play
# --------------------------------------------------------------------------

INSPECTION = [[4.0, -2.0, -3.0], [-1.0, 4.0, -3.0], [-1.0, -2.0, 4.0]]
RPS = [[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]
SKEWED_RPS = [[0.0, -1.0, 2.0], [1.0, 0.0, -1.0], [-2.0, 1.0, 0.0]]


# Two long games. In the first, the first row always pays 1 and the last row
# always 0 (rescaled), so the row player's log weights spread over about
# eta T = sqrt(8 T ln 8) = 816 > 709; the second is its mirror for the column
# player (the first column always costs it 0, the last always 1). Weights kept
# without renormalising, or logarithms exponentiated without subtracting
# their maximum (or after subtracting their minimum), overflow to inf and the
# strategies become NaN, as the notebook warns.
LONG_ROUNDS = 40_000
LONG_GAME = (
    [[1.0] * 8]
    + [[((3 * i + 5 * j) % 10) / 11 for j in range(8)] for i in range(1, 7)]
    + [[0.0] * 8]
)
LONG_GAME_COLUMNS = [[1.0 - row[i] for row in LONG_GAME] for i in range(8)]

# The public checks' games (the first, and the last before the long games) and
# hand-written ones;
# RESCALING are the positions of the two that fail without rescaling.
HEDGE_FIXED = [
    (INSPECTION, 2000),
    (SKEWED_RPS, 3000),
    ((np.asarray(INSPECTION) * 25 + 7).tolist(), 2000),  # range 175: rescale
    ((np.asarray(INSPECTION) * 1e-4).tolist(), 2000),  # range 7e-4: rescale
    ([[3.0, 1.0], [4.0, 2.0]], 500),  # saddle point
    ([[1.0, -2.0, 3.0]], 100),  # the row player has one action
    ([[1.0], [-2.0], [3.0]], 100),  # the column player has one action
    ([[2.0, 2.0], [2.0, 2.0]], 50),  # every strategy is optimal
    (RPS, 1),
    ([[0.0, 2.0], [3.0, -1.0]], 1),
    (LONG_GAME, LONG_ROUNDS),
    (LONG_GAME_COLUMNS, LONG_ROUNDS),
]
RESCALING = {2, 3}


def hedge_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Two random games with fewer rows than columns and the other way round
    (so that swapped strategies have the wrong shapes): normal payoffs, 2-5
    rows and up to 7 columns, for 5,000 rounds; integer payoffs in [-5, 5],
    2-4 columns and up to 8 rows, for 4,000 rounds."""
    m = int(rng.integers(2, 6))
    normal = rng.normal(size=(m, int(rng.integers(m + 1, 8))))
    n = int(rng.integers(2, 5))
    integers = rng.integers(-5, 6, size=(int(rng.integers(n + 1, 9)), n))
    return [(normal, 5000), (integers, 4000)]


def hedge_calls(rng: np.random.Generator) -> list[Call]:
    inputs = HEDGE_FIXED + hedge_random_inputs(rng)
    return [Call("hedge_play", args) for args in inputs]


def hedge_bound(a: np.ndarray, rounds: int) -> float:
    m, n = a.shape
    per = math.sqrt(math.log(m) / (2 * rounds)) + math.sqrt(math.log(n) / (2 * rounds))
    return float((a.max() - a.min()) * per)


# The update is fully specified, so the averages are also compared with a
# reference run. Implementations differ only in rounding (logarithms of the
# weights or renormalised probabilities, losses 1 - S or gains S, summing
# or averaging); over these games their averages agree to about 1e-13, and
# every variant of the rule we tried (other learning rates, ln m and ln n
# swapped, no rescaling, the update before playing) moves some game's
# averages by more than 1e-4 (see hedge_check).
HEDGE_ATOL = 1e-7


def hedge_reference(a, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """The average strategies of the rule in the notebook's part 4 (log weights)."""
    a = np.asarray(a, dtype=float)
    m, n = a.shape
    span = a.max() - a.min()
    s = (a - a.min()) / span if span > 0 else np.zeros_like(a)
    eta_row = math.sqrt(8 * math.log(m) / rounds)
    eta_col = math.sqrt(8 * math.log(n) / rounds)
    log_w, log_v = np.zeros(m), np.zeros(n)
    p_sum, q_sum = np.zeros(m), np.zeros(n)
    for _ in range(rounds):
        p, q = np.exp(log_w - log_w.max()), np.exp(log_v - log_v.max())
        p, q = p / p.sum(), q / q.sum()
        p_sum += p
        q_sum += q
        log_w += eta_row * (s @ q)
        log_v -= eta_col * (p @ s)
    return p_sum / rounds, q_sum / rounds


def _strategies(value, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, list) or len(value) != 2:
        raise Fail("return a tuple (row strategy, column strategy)")
    try:
        p, q = (np.asarray(v, dtype=float) for v in value)
    except (TypeError, ValueError) as error:
        raise Fail("each strategy must be a vector of probabilities") from error
    if p.shape == (n,) and q.shape == (m,) and m != n:
        raise Fail("return the ROW player's strategy first, then the column player's")
    if p.shape != (m,) or q.shape != (n,):
        raise Fail(
            f"the strategies must have shapes ({m},) and ({n},); got {p.shape} "
            f"and {q.shape}"
        )
    for s in (p, q):
        if not np.isfinite(s).all():
            raise Fail(
                "a strategy has NaN or infinite values (renormalise the weights "
                "every round, and handle a game whose payoffs are all equal)"
            )
        if (s < -1e-12).any() or not np.isclose(s.sum(), 1.0, atol=1e-9):
            raise Fail("each strategy must be a probability vector (>= 0, sum 1)")
    return p, q


def hedge_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    """The regret bound on the duality gap, then the reference run at 1e-7."""
    failed, off = [], []
    for k, (value, call) in enumerate(
        zip(returned_values(outcomes), calls, strict=True)
    ):
        a, rounds = call.args
        a = np.asarray(a, dtype=float)
        m, n = a.shape
        p, q = _strategies(value, m, n)
        if rounds == 1:
            if not (np.allclose(p, 1 / m) and np.allclose(q, 1 / n)):
                raise Fail(
                    "after one round the average is the first strategies played, "
                    "which are uniform (all weights start equal)"
                )
            continue
        gap = float((a @ q).max() - (p @ a).min())
        if gap > hedge_bound(a, rounds) + 1e-9:
            failed.append(k)
            continue
        want_p, want_q = hedge_reference(a, rounds)
        if not (
            np.allclose(p, want_p, rtol=0, atol=HEDGE_ATOL)
            and np.allclose(q, want_q, rtol=0, atol=HEDGE_ATOL)
        ):
            off.append(k)
    if not failed and not off:
        return
    if not failed:
        raise Fail(
            "your averages are within the regret bound but differ from those of "
            "the rule: follow it exactly (rescaled payoffs S, the rates "
            "sqrt(8 ln m / T) for the rows and sqrt(8 ln n / T) for the columns, "
            "and in each round play the current strategies before updating them)"
        )
    if set(failed) <= RESCALING:
        raise Fail(
            "with a very large or very small payoff range the average strategies "
            "are too exploitable: "
            "rescale the payoffs to [0, 1] before the update"
        )
    raise Fail(
        "the average strategies are more exploitable than the regret bound allows "
        f"(on {len(failed)} of the games): the row player's weights grow with its "
        "payoffs, the column player's shrink (it pays A), both use the rescaled "
        "payoffs, and you return the AVERAGE of the strategies played, not the last"
    )


# --------------------------------------------------------------------------
# Part 5: best_response_play
# --------------------------------------------------------------------------

PENNIES = ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])


def br_fixed() -> list[tuple]:
    """The public checks' games (two drivers, matching pennies, coordination)
    and hand-written ones: a dilemma, a flat game, ties, a 3 x 3 game whose
    play cycles."""
    drivers = ([[-3, -1], [-2, -2]], [[-3, -2], [-1, -2]])
    coordination = [[2, 0], [0, 1]]
    dilemma = ([[-1, -3], [0, -2]], [[-1, 0], [-3, -2]])
    flat = np.zeros((3, 3))
    cases = [
        (*drivers, (0, 0)),
        (*drivers, (1, 1)),
        (*PENNIES, (0, 0)),
        (*PENNIES, (1, 0)),
        (coordination, coordination, (0, 1)),
        (coordination, coordination, (1, 0)),
        (*dilemma, (0, 0)),
        (flat, flat, (2, 1)),  # everyone is best-responding already
        ([[0, 1, 1], [1, 1, 0]], [[1, 1, 1], [0, 1, 1]], (0, 0)),  # ties
    ]
    cyc = np.array([[3, 0, 1], [1, 3, 0], [0, 1, 3]])
    cases.append((cyc, -cyc.T + 3, (0, 0)))
    return cases


def br_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Fifteen random games of 2-5 actions each, payoffs in {0, 1, 2, 3} (so
    with many ties), from a random starting profile."""
    cases = []
    for _ in range(15):
        m, n = (int(v) for v in rng.integers(2, 6, size=2))
        a, b = rng.integers(0, 4, size=(m, n)), rng.integers(0, 4, size=(m, n))
        cases.append((a, b, (int(rng.integers(m)), int(rng.integers(n)))))
    return cases


def br_reference(a, b, start) -> list[tuple[int, int]] | None:
    result = best_response_dynamics((np.asarray(a), np.asarray(b)), start=start)
    return result.path if result.converged else None


def br_calls(rng: np.random.Generator) -> list[Call]:
    inputs = br_fixed() + br_random_inputs(rng)
    return [Call("best_response_play", args) for args in inputs]


def _profiles(value) -> list[tuple[int, int]] | None:
    if value is None:
        return None
    try:
        path = [tuple(int(v) for v in p) for p in value]
    except (TypeError, ValueError) as error:
        raise Fail("return a list of profiles (i, j), or None") from error
    if not all(len(p) == 2 for p in path):
        raise Fail("each profile is a pair (row action, column action)")
    return path


def br_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        a, b, start = call.args
        got, want = _profiles(value), br_reference(a, b, start)
        if got == want:
            continue
        if want is None:
            raise Fail(
                "when a profile comes back with the same player to move, the play "
                "cycles forever (as in matching pennies): return None"
            )
        if got is None:
            raise Fail("this play reaches a pure Nash equilibrium: return its path")
        if not got or got[0] != tuple(start):
            raise Fail("the path starts with the starting profile")
        if len(want) > 1 and len(got) > 1 and got[1][0] == start[0] != want[1][0]:
            raise Fail("the ROW player moves first")
        raise Fail(
            "the path is wrong: a player moves only if its action is not a best "
            "response, to its best response with the SMALLEST index, players "
            "alternate (row, column, row, ...), and payoffs are to be maximised"
        )


# --------------------------------------------------------------------------
# Part 6: optimal_tolls (a property: many toll vectors are right)
# --------------------------------------------------------------------------

# (demand, slopes, constants): the public checks' cases and hand-written ones
# (a road left empty, identical roads, one road taking everything, ties in
# the constants, tuples); the rest is drawn.
TOLLS_FIXED = [
    (1.0, [1.0, 1.0, 1.0], [0.0, 0.5, 2.0]),
    (10.0, [1.0, 2.0], [0.0, 0.0]),
    (4.0, [1.0, 1.0], [0.0, 10.0]),
    (3.0, (0.5, 0.5, 0.5, 0.5), (1.0, 1.0, 1.0, 1.0)),
    (2.0, [1.0, 0.5], [0.0, 2.0]),
    (6.0, [2.0, 0.25, 1.0, 0.1], [3.0, 0.0, 1.0, 30.0]),
    (7.2, [0.1, 0.1], [0.0, 1.4]),  # mu = 1.42: road 2 is used, barely
    (1.0, [5.0, 5.0], [0.0, 9.8]),  # mu = 9.9: the same with steep roads
]
# Relative tolerance of the equilibrium conditions (about seven digits).
TOLLS_RTOL = 1e-7
# Random roads are redrawn while a road's constant is this close (relative)
# to the optimum's marginal cost, where "used" and "unused" would blur.
TOLLS_GAP = 1e-3


def tolls_optimum(demand, slopes, constants) -> tuple[np.ndarray, float]:
    """The system optimum's flows and marginal cost, by bisection on the
    marginal cost mu (a method other than the solution's): the flow of road i
    is max(0, (mu - b_i) / (2 a_i)), increasing in mu."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    d = float(demand)
    lo, hi = float(b.min()), float(b.min() + 2 * a.max() * d)

    def total(mu: float) -> float:
        return float(np.maximum((mu - b) / (2 * a), 0.0).sum())

    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if total(mid) < d else (lo, mid)
    mu = (lo + hi) / 2
    return np.maximum((mu - b) / (2 * a), 0.0), mu


def tolls_random_inputs(rng: np.random.Generator) -> list[tuple]:
    """Twelve random sets of 2-8 roads, given as arrays, lists and tuples.

    Slopes log-uniform in [0.01, 10], constants in [0, 5] times 0.2, 1 or 5,
    demands log-uniform in [0.2, 20]; in the first set one road's constant is
    0 and another's far above the rest, so the optimum leaves it empty. All
    are redrawn while a constant is within TOLLS_GAP (relative) of the
    optimum's marginal cost mu, so "used" is never ambiguous. In the last six
    sets one more road is added whose constant lies 0.2% to 2% below mu: the
    optimum uses it a little, and tolls computed from a level below its
    constant (an underestimated marginal cost) break the equilibrium.
    """
    cases = []
    while len(cases) < 12:
        k = int(rng.integers(2, 8 if len(cases) >= 6 else 9))
        a = np.exp(rng.uniform(np.log(0.01), np.log(10.0), size=k))
        b = rng.uniform(0.0, 5.0, size=k) * rng.choice([0.2, 1.0, 5.0])
        if len(cases) == 0:
            b[0], b[-1] = 0.0, 50.0
        d = float(np.exp(rng.uniform(np.log(0.2), np.log(20.0))))
        if len(cases) >= 6:
            _, mu = tolls_optimum(d, a, b)
            at = int(rng.integers(k + 1))
            a = np.insert(a, at, np.exp(rng.uniform(np.log(0.01), np.log(10.0))))
            b = np.insert(b, at, mu * (1 - rng.uniform(0.002, 0.02)))
        _, mu = tolls_optimum(d, a, b)
        if np.any(np.abs(b - mu) < TOLLS_GAP * (1 + mu)):
            continue
        kind = len(cases) % 3
        if kind == 1:
            a, b = a.tolist(), b.tolist()
        elif kind == 2:
            a, b = tuple(a.tolist()), tuple(b.tolist())
        cases.append((d, a, b))
    return cases


def tolls_calls(rng: np.random.Generator) -> list[Call]:
    return [
        Call("optimal_tolls", args) for args in TOLLS_FIXED + tolls_random_inputs(rng)
    ]


def tolls_violation(flows, tolls, slopes, constants) -> float:
    """How far (relative) the flows are from an equilibrium under the tolls:
    0 if every used road has the lowest cost and no unused road is cheaper."""
    a, b = np.asarray(slopes, dtype=float), np.asarray(constants, dtype=float)
    cost = a * flows + b + tolls
    used = flows > 0
    level = cost[used].min()
    spread = cost[used].max() - level
    cheaper = max(0.0, level - cost[~used].min()) if (~used).any() else 0.0
    return max(spread, cheaper) / max(1.0, abs(level))


def tolls_check(outcomes: list[Outcome], calls: list[Call]) -> None:
    for value, call in zip(returned_values(outcomes), calls, strict=True):
        demand, slopes, constants = call.args
        a = np.asarray(slopes, dtype=float)
        k = a.size
        try:
            tolls = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as error:
            raise Fail("return the tolls as a list or array of numbers") from error
        if tolls.shape != (k,):
            raise Fail(f"return one toll per road: shape ({k},); got {tolls.shape}")
        if not np.isfinite(tolls).all():
            raise Fail("the tolls must be finite numbers")
        flows, mu = tolls_optimum(demand, slopes, constants)
        if (tolls < -TOLLS_RTOL * max(1.0, mu)).any():
            raise Fail("tolls must be nonnegative")
        if tolls_violation(flows, tolls, slopes, constants) <= TOLLS_RTOL:
            continue
        b = np.asarray(constants, dtype=float)
        equilibrium = _parallel_equilibrium(demand, a, b)
        if np.allclose(tolls, a * equilibrium, rtol=1e-6, atol=1e-9):
            raise Fail(
                "charge the delay a driver imposes at the OPTIMUM flows, not at "
                "the untolled equilibrium's"
            )
        if np.allclose(tolls, 2 * a * flows, rtol=1e-6, atol=1e-9) or np.allclose(
            tolls, 2 * a * flows + b, rtol=1e-6, atol=1e-9
        ):
            raise Fail(
                "the toll is the delay one more driver imposes on the others, "
                "a_i x_i, not the whole marginal cost"
            )
        raise Fail(
            "with your tolls the system optimum is not the tolled equilibrium "
            f"(on {k} roads with demand {float(demand):.3g}): find the optimum "
            "first (equal marginal costs 2 a_i x_i + b_i on the used roads, "
            "flows never negative)"
        )


def _parallel_equilibrium(demand, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The untolled Wardrop equilibrium (common latency by bisection)."""
    lo, hi = float(b.min()), float(b.min() + a.max() * float(demand))
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.maximum((mid - b) / a, 0).sum() < demand else (lo, mid)
    return np.maximum(((lo + hi) / 2 - b) / a, 0.0)


TESTS = {
    "test_two_roads": Test(roads_calls, roads_check),
    "test_find_blocking_pairs": Test(blocking_calls, blocking_check),
    "test_resident_proposing": Test(da_calls, da_check),
    "test_hedge_play": Test(hedge_calls, hedge_check),
    "test_best_response_play": Test(br_calls, br_check),
    "test_optimal_tolls": Test(tolls_calls, tolls_check),
}
