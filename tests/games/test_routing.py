"""Tests for course_lib.games._routing: exact classics and random small networks."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from course_lib.games import (
    RoutingNetwork,
    affine,
    braess,
    pigou,
    price_of_anarchy,
    simple_paths,
    system_optimum,
    total_cost,
    wardrop_equilibrium,
    wardrop_gap,
)


def as_fraction(x: float) -> Fraction:
    return Fraction(x).limit_denominator(10_000)


# --- the classics, exactly ---------------------------------------------------


def test_pigou_exact():
    net = pigou()
    eq, opt = wardrop_equilibrium(net), system_optimum(net)
    assert eq.path_flow.tolist() == [1.0, 0.0]
    assert opt.path_flow.tolist() == [0.5, 0.5]
    assert eq.total_cost == 1.0
    assert opt.total_cost == 0.75
    poa = price_of_anarchy(net)
    assert as_fraction(poa) == Fraction(4, 3)
    assert poa == pytest.approx(4 / 3, abs=1e-15)


@pytest.mark.parametrize("demand", [1.0, 3.0, 1000.0])
def test_pigou_scales_with_demand(demand):
    net = pigou(demand=demand)
    assert wardrop_equilibrium(net).total_cost == pytest.approx(demand, rel=1e-14)
    assert system_optimum(net).total_cost == pytest.approx(0.75 * demand, rel=1e-14)


def test_nonlinear_pigou_matches_closed_form():
    # Latency x**2: the optimum puts 1/sqrt(3) on it, cost 1 - 2/(3 sqrt 3).
    net = pigou(degree=2)
    opt = system_optimum(net)
    x = 1 / math.sqrt(3)
    assert opt.path_flow[0] == pytest.approx(x, abs=1e-7)
    assert opt.total_cost == pytest.approx(1 - 2 / (3 * math.sqrt(3)), abs=1e-10)
    assert wardrop_equilibrium(net).total_cost == pytest.approx(1.0, abs=1e-9)
    # The price of anarchy grows with the degree.
    poas = [price_of_anarchy(pigou(degree=d)) for d in (1, 2, 4)]
    assert poas[0] < poas[1] < poas[2]


def test_braess_unit_demand_exact():
    with_sc, without = braess(with_shortcut=True), braess(with_shortcut=False)
    eq_sc, eq_no = wardrop_equilibrium(with_sc), wardrop_equilibrium(without)
    assert with_sc.paths == ((0, 1), (2, 3), (0, 4, 3))
    assert eq_sc.path_flow.tolist() == [0.0, 0.0, 1.0]
    assert eq_sc.total_cost == 2.0
    assert eq_sc.path_latency.tolist() == [2.0, 2.0, 2.0]
    assert eq_no.path_flow.tolist() == [0.5, 0.5]
    assert eq_no.total_cost == 1.5
    assert system_optimum(with_sc).total_cost == 1.5
    assert system_optimum(without).total_cost == 1.5
    assert as_fraction(price_of_anarchy(with_sc)) == Fraction(4, 3)
    assert price_of_anarchy(without) == 1.0


def test_braess_wikipedia_4000_drivers():
    kw = {"demand": 4000, "slope": 1 / 100, "constant": 45}
    assert wardrop_equilibrium(braess(True, **kw)).average_latency == 80.0
    assert wardrop_equilibrium(braess(False, **kw)).average_latency == 65.0
    assert system_optimum(braess(False, **kw)).average_latency == 65.0
    # Here, unlike the unit-demand version, a planner can use the shortcut a
    # little: 500 of the 4000 drivers zigzag and the average drops to
    # 64.6875 = 4140 / 64 (marginal costs 90 on all three paths).
    opt = system_optimum(braess(True, **kw))
    np.testing.assert_allclose(opt.path_flow, [1750, 1750, 500], rtol=1e-14)
    assert opt.average_latency == pytest.approx(64.6875, rel=1e-14)


@pytest.mark.parametrize("shortcut", [True, False])
def test_frank_wolfe_agrees_on_braess_and_pigou(shortcut):
    for net, eq_cost, opt_cost in [
        (braess(shortcut), 2.0 if shortcut else 1.5, 1.5),
        (pigou(), 1.0, 0.75),
    ]:
        eq = wardrop_equilibrium(net, method="frank-wolfe", tol=1e-9)
        opt = system_optimum(net, method="frank-wolfe", tol=1e-9)
        assert eq.total_cost == pytest.approx(eq_cost, abs=1e-6)
        assert opt.total_cost == pytest.approx(opt_cost, abs=1e-6)


def test_callable_latencies_match_coefficients():
    net = RoutingNetwork(
        [("s", "t"), ("s", "t")], [lambda x: x, lambda x: 1.0], {("s", "t"): 1.0}
    )
    assert wardrop_equilibrium(net).total_cost == pytest.approx(1.0, abs=1e-7)
    assert system_optimum(net).total_cost == pytest.approx(0.75, abs=1e-7)
    fw = system_optimum(net, method="frank-wolfe", tol=1e-8)
    assert fw.total_cost == pytest.approx(0.75, abs=1e-6)


def test_polynomial_objects_accepted():
    from numpy.polynomial import Polynomial

    net = RoutingNetwork(
        [("s", "t"), ("s", "t")],
        [Polynomial([0, 1]), Polynomial([1])],
        {("s", "t"): 1.0},
    )
    assert price_of_anarchy(net) == pytest.approx(4 / 3, abs=1e-14)


# --- paths --------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_simple_paths_complete_dag(n):
    # In the complete DAG on n ordered nodes there are 2**(n-2) paths 0 -> n-1:
    # one per subset of the intermediate nodes.
    edges = list(itertools.combinations(range(n), 2))
    paths = simple_paths(edges, 0, n - 1)
    assert len(paths) == 2 ** (n - 2) == len(set(paths))
    for p in paths:
        nodes = [edges[p[0]][0]] + [edges[e][1] for e in p]
        assert nodes[0] == 0 and nodes[-1] == n - 1
        assert all(edges[a][1] == edges[b][0] for a, b in itertools.pairwise(p))


def test_simple_paths_with_cycles_never_revisit():
    edges = [("s", "a"), ("a", "s"), ("a", "b"), ("b", "a"), ("b", "t"), ("a", "t")]
    assert simple_paths(edges, "s", "t") == [(0, 5), (0, 2, 4)]


# --- random networks ----------------------------------------------------------


def random_network(seed: int, *, degree: int = 1, two_commodities: bool = False):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 6))
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    keep = rng.random(len(pairs)) < 0.7
    keep[pairs.index((0, n - 1))] = True  # connected
    edges = [p for p, k in zip(pairs, keep, strict=True) if k]
    edges += [edges[int(rng.integers(len(edges)))]]  # a parallel edge
    lat = [
        tuple(np.round(rng.uniform(0, 2, size=degree + 1), 2).tolist()) for _ in edges
    ]
    demands = {(0, n - 1): float(rng.uniform(0.5, 3))}
    if two_commodities and n >= 4:
        demands[(1, n - 1)] = float(rng.uniform(0.5, 2))
        edges.append((1, n - 1))
        lat.append((1.0, 0.5))
    return RoutingNetwork(edges, lat, demands)


def random_feasible_flows(net: RoutingNetwork, rng, size: int) -> np.ndarray:
    com = net.path_commodity
    w = rng.exponential(size=(size, len(com))) * (rng.random((size, len(com))) < 0.7)
    w[:, np.r_[True, com[1:] != com[:-1]]] += 1e-3  # every commodity has a path
    sums = np.zeros((size, len(net.demand_vector)))
    for k in range(len(net.demand_vector)):
        sums[:, k] = w[:, com == k].sum(axis=1)
    return w / sums[:, com] * net.demand_vector[com]


def beckmann(net: RoutingNetwork, path_flow: np.ndarray) -> float:
    """Beckmann potential of polynomial latencies, by term-by-term integration."""
    x = net.incidence @ path_flow
    return sum(
        sum(c * xe ** (k + 1) / (k + 1) for k, c in enumerate(coef))
        for coef, xe in zip(net.latencies, x, strict=True)
    )


SEEDS = range(40)


@pytest.mark.parametrize("two", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_random_affine_networks(seed, two):
    net = random_network(seed, two_commodities=two)
    eq, opt = wardrop_equilibrium(net), system_optimum(net)
    rng = np.random.default_rng(1000 + seed)
    # Feasibility.
    for res in (eq, opt):
        assert (res.path_flow >= 0).all()
        per_com = np.bincount(net.path_commodity, weights=res.path_flow)
        np.testing.assert_allclose(per_com, net.demand_vector, rtol=1e-12)
    # Wardrop: every used path of a commodity has the commodity's least latency.
    lat = net.path_latency(eq.path_flow)
    for k in range(len(net.demand_vector)):
        mine = net.path_commodity == k
        used = mine & (eq.path_flow > 1e-9)
        assert lat[used].max() <= lat[mine].min() + 1e-9
    assert wardrop_gap(net, eq.path_flow) <= 1e-9
    # The optimum is no worse, and the price of anarchy of affine latencies
    # is at most 4/3 (Roughgarden-Tardos).
    assert opt.total_cost <= eq.total_cost + 1e-9
    assert eq.total_cost <= 4 / 3 * opt.total_cost + 1e-9
    # Brute force: nothing beats them on random feasible flows.
    flows = random_feasible_flows(net, rng, 300)
    costs = np.array([total_cost(net, f) for f in flows])
    assert opt.total_cost <= costs.min() + 1e-9
    potentials = np.array([beckmann(net, f) for f in flows])
    assert beckmann(net, eq.path_flow) <= potentials.min() + 1e-9
    # Frank-Wolfe finds the same edge costs.
    fw = wardrop_equilibrium(net, method="frank-wolfe", tol=1e-13)
    assert fw.total_cost == pytest.approx(eq.total_cost, rel=1e-8)
    assert fw.gap <= 1e-6


@pytest.mark.parametrize("seed", range(10))
def test_random_polynomial_networks(seed):
    net = random_network(100 + seed, degree=3)
    eq, opt = wardrop_equilibrium(net), system_optimum(net)
    scale = eq.path_latency.max()
    assert eq.gap <= 1e-6 * scale
    assert opt.total_cost <= eq.total_cost + 1e-9
    rng = np.random.default_rng(seed)
    flows = random_feasible_flows(net, rng, 200)
    assert opt.total_cost <= min(total_cost(net, f) for f in flows) + 1e-9


def test_result_fields_consistent():
    net = random_network(7)
    eq = wardrop_equilibrium(net)
    np.testing.assert_allclose(eq.edge_flow, net.incidence @ eq.path_flow)
    np.testing.assert_allclose(eq.edge_latency, net.edge_latency(eq.edge_flow))
    assert eq.total_cost == pytest.approx(eq.edge_flow @ eq.edge_latency)
    assert eq.average_latency == pytest.approx(eq.total_cost / net.demand_vector.sum())
    assert eq.paths == net.paths


# --- errors -------------------------------------------------------------------


ERRORS = [
    (
        ValueError,
        "origin and destination must differ",
        lambda: simple_paths([("s", "t")], "s", "s"),
    ),
    (ValueError, "a and b must be finite and >= 0", lambda: affine(-1, 0)),
    (TypeError, "b must be a real number; got str", lambda: affine(1, "45")),
    (
        ValueError,
        "latencies must have one entry per edge",
        lambda: RoutingNetwork([("s", "t")], [(0, 1), (1,)], {("s", "t"): 1}),
    ),
    (
        ValueError,
        "edges must be a non-empty sequence",
        lambda: RoutingNetwork([], [], {("s", "t"): 1}),
    ),
    (
        ValueError,
        "demands must be positive",
        lambda: RoutingNetwork([("s", "t")], [(0, 1)], {("s", "t"): 0}),
    ),
    (
        TypeError,
        r"demands must map each .* to a number; got str",
        lambda: RoutingNetwork([("s", "t")], [(0, 1)], {("s", "t"): "1"}),
    ),
    (
        ValueError,
        "demands must be a non-empty mapping",
        lambda: RoutingNetwork([("s", "t")], [(0, 1)], {}),
    ),
    (
        ValueError,
        "demands must be between connected nodes",
        lambda: RoutingNetwork([("s", "t")], [(0, 1)], {("t", "s"): 1}),
    ),
    (
        ValueError,
        "nonnegative coefficients",
        lambda: RoutingNetwork([("s", "t")], [(1, -1)], {("s", "t"): 1}),
    ),
    (
        TypeError,
        "all coefficient sequences or all callables",
        lambda: RoutingNetwork(
            [("s", "t")] * 2, [(0, 1), lambda x: x], {("s", "t"): 1}
        ),
    ),
    (
        TypeError,
        "latencies\\[0\\] must be a callable",
        lambda: RoutingNetwork([("s", "t")], [("a", "b")], {("s", "t"): 1}),
    ),
    (
        TypeError,
        "network must be a RoutingNetwork",
        lambda: wardrop_equilibrium("pigou"),
    ),
    (
        ValueError,
        "method must be 'slsqp' or 'frank-wolfe'",
        lambda: wardrop_equilibrium(pigou(), method="newton"),
    ),
    (
        TypeError,
        "method must be 'slsqp' or 'frank-wolfe'",
        lambda: wardrop_equilibrium(pigou(), method=None),
    ),
    (
        ValueError,
        r"tol must be a finite number in \(0, 1\)",
        lambda: system_optimum(pigou(), tol=0),
    ),
    (
        TypeError,
        "tol must be a real number; got str",
        lambda: system_optimum(pigou(), tol="1e-8"),
    ),
    (
        ValueError,
        "max_iter must be an integer >= 1; got 0",
        lambda: system_optimum(pigou(), max_iter=0),
    ),
    (
        TypeError,
        "max_iter must be an integer; got float",
        lambda: system_optimum(pigou(), max_iter=100.0),
    ),
    (
        ValueError,
        "path_flow must have one entry per path",
        lambda: total_cost(pigou(), [1.0]),
    ),
    (
        ValueError,
        "path_flow must be finite and nonnegative",
        lambda: wardrop_gap(pigou(), [-1.0, 2.0]),
    ),
    (ValueError, "degree must be an integer >= 1", lambda: pigou(degree=0)),
    (TypeError, "degree must be an integer; got float", lambda: pigou(degree=2.0)),
    (
        ValueError,
        "demand must be a finite number > 0; got -1",
        lambda: braess(demand=-1),
    ),
    (
        ValueError,
        "demand must be a finite number > 0; got inf",
        lambda: pigou(demand=float("inf")),
    ),
    (TypeError, "with_shortcut must be a bool", lambda: braess("yes")),
]


@pytest.mark.parametrize(("error", "match", "call"), ERRORS)
def test_errors(error, match, call):
    with pytest.raises(error, match=match):
        call()
