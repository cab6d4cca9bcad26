"""Tests for course_lib.games._matching: brute force over all matchings."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_lib.games import blocking_pairs, deferred_acceptance, is_stable


def brute_blocking(matching, props, recs):
    """Plain loops over (proposer, receiver) pairs; None = unmatched."""
    partner_r = {r: p for p, r in matching.items() if r is not None}
    out = []
    for p, plist in enumerate(props):
        for r in plist:
            if matching.get(p) == r or p not in recs[r]:
                continue
            cur = matching.get(p)
            p_wants = cur is None or plist.index(r) < plist.index(cur)
            cur_r = partner_r.get(r)
            r_wants = cur_r is None or recs[r].index(p) < recs[r].index(cur_r)
            if p_wants and r_wants:
                out.append((p, r))
    return sorted(out)


def all_matchings(n_p, n_r, props, recs):
    """Every individually rational matching (partial ones included)."""
    options = [[None, *[r for r in props[p] if p in recs[r]]] for p in range(n_p)]
    for combo in itertools.product(*options):
        taken = [r for r in combo if r is not None]
        if len(taken) == len(set(taken)):
            yield dict(enumerate(combo))


def random_market(rng, n_p, n_r, complete=True):
    props = [list(rng.permutation(n_r)) for _ in range(n_p)]
    recs = [list(rng.permutation(n_p)) for _ in range(n_r)]
    if not complete:
        props = [pl[: rng.integers(0, n_r + 1)] for pl in props]
        recs = [rl[: rng.integers(0, n_p + 1)] for rl in recs]
    return [[int(v) for v in pl] for pl in props], [[int(v) for v in rl] for rl in recs]


def rank(prefs, agent, partner):
    return prefs[agent].index(partner) if partner is not None else len(prefs[agent])


MARKETS_PER_N = {1: 3, 2: 10, 3: 30, 4: 30, 5: 20, 6: 10}


@pytest.mark.parametrize("n", sorted(MARKETS_PER_N))
def test_perfect_markets_stable_and_proposer_optimal(n):
    rng = np.random.default_rng(n)
    several = 0
    for _ in range(MARKETS_PER_N[n]):
        props, recs = random_market(rng, n, n)
        da = deferred_acceptance(props, recs)
        assert all(r is not None for r in da.values())  # complete lists: perfect
        assert sorted(da.values()) == list(range(n))
        assert brute_blocking(da, props, recs) == []
        assert blocking_pairs(da, props, recs) == []
        assert is_stable(da, props, recs)
        # All n! perfect matchings; keep the stable ones.
        stable = []
        for perm in itertools.permutations(range(n)):
            m = dict(enumerate(perm))
            bp = brute_blocking(m, props, recs)
            if n <= 4:  # the vectorised checker agrees with the loops
                assert blocking_pairs(m, props, recs) == bp
            if not bp:
                stable.append(m)
        assert da in stable
        several += len(stable) > 1
        # Proposer-optimal: everyone's best stable partner; receivers' worst.
        for p in range(n):
            assert rank(props, p, da[p]) == min(rank(props, p, m[p]) for m in stable)
        inverse = {r: p for p, r in da.items()}
        for r in range(n):
            worst = max(rank(recs, r, {v: k for k, v in m.items()}[r]) for m in stable)
            assert rank(recs, r, inverse[r]) == worst
        # Receiver-proposing gives the other end of the lattice.
        ra = deferred_acceptance(recs, props)
        assert {p: r for r, p in ra.items()} in stable
    if n >= 4:
        assert several > 0  # markets with several stable matchings were tried


@pytest.mark.parametrize("seed", range(60))
def test_unequal_incomplete_markets(seed):
    rng = np.random.default_rng(100 + seed)
    n_p, n_r = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    props, recs = random_market(rng, n_p, n_r, complete=False)
    da = deferred_acceptance(props, recs)
    assert set(da) == set(range(n_p))
    assert is_stable(da, props, recs)
    assert brute_blocking(da, props, recs) == []
    stable = [
        m
        for m in all_matchings(n_p, n_r, props, recs)
        if not brute_blocking(m, props, recs)
    ]
    assert da in stable
    for p in range(n_p):
        assert rank(props, p, da[p]) == min(rank(props, p, m[p]) for m in stable)
    # Rural hospitals theorem: the same agents are matched in every stable matching.
    matched = {frozenset(p for p, r in m.items() if r is not None) for m in stable}
    assert len(matched) == 1
    for m in all_matchings(n_p, n_r, props, recs):
        assert blocking_pairs(m, props, recs) == brute_blocking(m, props, recs)
        assert is_stable(m, props, recs) == (not brute_blocking(m, props, recs))


def test_named_agents_and_unacceptable_partners():
    students = {"ann": ["mit", "cmu"], "ben": ["mit"], "cat": ["cmu", "mit"]}
    schools = {"mit": ["cat", "ben", "ann"], "cmu": ["ann"]}
    m = deferred_acceptance(students, schools)
    # cmu will not take cat, and mit prefers cat to ben.
    assert m == {"ann": "cmu", "ben": None, "cat": "mit"}
    assert is_stable(m, students, schools)
    # Matching someone to a school that did not list them is not stable,
    # even without a blocking pair.
    bad = {"ann": None, "ben": "mit", "cat": "cmu"}
    assert not is_stable(bad, students, schools)
    assert blocking_pairs(bad, students, schools) == [("ann", "cmu")]
    # Missing proposers count as unmatched.
    assert blocking_pairs({"ben": "mit"}, students, schools) == [
        ("ann", "cmu"),
        ("cat", "mit"),
    ]


def test_classic_example_men_vs_women_optimal():
    men = [[0, 1, 2], [1, 0, 2], [0, 1, 2]]
    women = [[1, 0, 2], [0, 1, 2], [0, 1, 2]]
    assert deferred_acceptance(men, women) == {0: 0, 1: 1, 2: 2}
    assert deferred_acceptance(women, men) == {0: 1, 1: 0, 2: 2}


def test_errors():
    with pytest.raises(TypeError, match="proposer_prefs must be a list"):
        deferred_acceptance("abc", [[0]])
    with pytest.raises(ValueError, match="must rank each agent at most once"):
        deferred_acceptance([[0, 0]], [[0]])
    with pytest.raises(ValueError, match="must list only receivers"):
        deferred_acceptance([[3]], [[0]])
    with pytest.raises(ValueError, match="must list only proposers"):
        deferred_acceptance([[0]], [[1]])
    with pytest.raises(TypeError, match="must be a sequence of agents"):
        deferred_acceptance([3], [[0]])
    with pytest.raises(TypeError, match="matching must be a dict"):
        blocking_pairs([(0, 0)], [[0]], [[0]])
    with pytest.raises(ValueError, match="matching must be one-to-one"):
        blocking_pairs({0: 0, 1: 0}, [[0], [0]], [[0, 1]])
    with pytest.raises(ValueError, match="matching must map proposers"):
        is_stable({5: 0}, [[0]], [[0]])
    with pytest.raises(ValueError, match="matching must map to receivers or None"):
        is_stable({0: 7}, [[0]], [[0]])
