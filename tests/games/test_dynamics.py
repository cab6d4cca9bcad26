"""Tests for course_lib.games._dynamics, against brute force on small games."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_lib.games import (
    RoutingNetwork,
    atomic_routing_dynamics,
    best_response_dynamics,
    braess,
    pigou,
    pure_nash_equilibria,
    wardrop_equilibrium,
)


def brute_force_ne(arr: np.ndarray) -> list[tuple[int, ...]]:
    """Plain loops: no player gains by any unilateral deviation."""
    shape, k = arr.shape[:-1], arr.shape[-1]
    out = []
    for prof in itertools.product(*(range(n) for n in shape)):
        stable = True
        for i in range(k):
            for a in range(shape[i]):
                dev = list(prof)
                dev[i] = a
                if arr[(*dev, i)] > arr[(*prof, i)]:
                    stable = False
        if stable:
            out.append(prof)
    return out


def check_path(arr: np.ndarray, path) -> None:
    """Consecutive profiles differ in one player, who moves to a best response."""
    for a, b in itertools.pairwise(path):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        assert len(diff) == 1
        i = diff[0]
        idx = list(a)
        idx[i] = slice(None)
        u = arr[(*idx, i)]
        assert u[b[i]] == u.max() > u[a[i]]


N_BIMATRIX = 300


def test_random_bimatrix_games_against_brute_force():
    rng = np.random.default_rng(0)
    converged = cycled = with_ne = 0
    for _ in range(N_BIMATRIX):
        # Small integer payoffs: many ties and many games with several NE.
        A, B = rng.integers(0, 4, size=(2, 3, 3))
        arr = np.stack([A, B], axis=-1).astype(float)
        ne = pure_nash_equilibria((A, B))
        assert ne == brute_force_ne(arr)
        assert ne == pure_nash_equilibria(arr)
        with_ne += bool(ne)
        for start in itertools.product(range(3), range(3)):
            res = best_response_dynamics((A, B), start=start)
            assert res.path[0] == start
            check_path(arr, res.path)
            if res.converged:
                converged += 1
                assert res.equilibrium == res.path[-1]
                assert res.equilibrium in ne
            else:
                cycled += 1
                assert res.equilibrium is None
            if not ne:
                assert not res.converged
    # Both outcomes occur, so both branches were exercised.
    assert converged > 0 and cycled > 0 and with_ne > N_BIMATRIX // 2


@pytest.mark.parametrize("seed", range(20))
def test_three_player_games(seed):
    rng = np.random.default_rng(seed)
    arr = rng.normal(size=(2, 3, 4, 3))
    assert pure_nash_equilibria(arr) == brute_force_ne(arr)
    res = best_response_dynamics(arr, rng=np.random.default_rng(seed))
    check_path(arr, res.path)
    if res.converged:
        assert res.equilibrium in pure_nash_equilibria(arr)


@pytest.mark.parametrize("seed", range(30))
def test_potential_games_always_converge(seed):
    # u_i(a) = phi(a) + h_i(a_{-i}): an exact potential game.
    rng = np.random.default_rng(seed)
    shape = (3, 3, 2)
    phi = rng.normal(size=shape)
    arr = np.empty((*shape, 3))
    for i in range(3):
        h_shape = list(shape)
        h_shape[i] = 1
        arr[..., i] = phi + rng.normal(size=h_shape) * 5
    ne = pure_nash_equilibria(arr)
    assert ne  # the potential's maximiser is one
    assert np.unravel_index(np.argmax(phi), shape) in ne
    for start in itertools.product(*(range(n) for n in shape)):
        for rng_arg in (None, np.random.default_rng(seed)):
            res = best_response_dynamics(arr, start=start, rng=rng_arg)
            assert res.converged and res.equilibrium in ne
            check_path(arr, res.path)
            # Every move strictly raises the potential.
            assert all(phi[b] > phi[a] for a, b in itertools.pairwise(res.path))


def test_matching_pennies_cycles_and_prisoners_dilemma_converges():
    A = np.array([[1, -1], [-1, 1]])
    res = best_response_dynamics((A, -A))
    assert not res.converged and res.equilibrium is None
    assert len(set(res.path)) == 4
    res = best_response_dynamics((A, -A), rng=np.random.default_rng(1), max_steps=50)
    assert not res.converged and len(res.path) == 51
    pd_a = [[-1, -3], [0, -2]]
    res = best_response_dynamics((pd_a, np.transpose(pd_a)))
    assert res.converged and res.equilibrium == (1, 1)


def test_max_steps_stops():
    A = np.array([[1, -1], [-1, 1]])
    res = best_response_dynamics((A, -A), max_steps=2)
    assert not res.converged and len(res.path) == 3


# --- atomic routing -----------------------------------------------------------


def driver_costs(net, choice, weight):
    load = net.incidence @ np.bincount(choice, weights=weight, minlength=len(net.paths))
    return net.incidence.T @ net.edge_latency(load), load


def rosenthal(net, choice, weight):
    """Rosenthal's potential for equal weights: sum_e sum_{j<=n_e} l_e(j w)."""
    w = weight[0]
    counts = np.rint(
        net.incidence @ np.bincount(choice, minlength=len(net.paths))
    ).astype(int)
    return sum(
        net.edge_latency(np.full(net.n_edges, j * w))[e]
        for e in range(net.n_edges)
        for j in range(1, counts[e] + 1)
    )


@pytest.mark.parametrize("seed", range(15))
def test_atomic_dynamics_reach_nash_and_lower_potential(seed):
    rng = np.random.default_rng(seed)
    n = 5
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.8]
    edges.append((0, n - 1))
    lat = [tuple(np.round(rng.uniform(0, 2, 2), 2)) for _ in edges]
    net = RoutingNetwork(edges, lat, {(0, n - 1): 1.0})
    n_drivers = int(rng.integers(2, 12))
    weight = np.full(n_drivers, 1.0 / n_drivers)
    start = rng.integers(0, len(net.paths), n_drivers)
    res = atomic_routing_dynamics(net, n_drivers, start=start)
    assert res.converged
    # Replay the moves: each strictly helps the mover and lowers the potential.
    choice = start.copy()
    for d, old, new in res.moves:
        assert choice[d] == old
        before = rosenthal(net, choice, weight)
        cost_before = driver_costs(net, choice, weight)[0][old]
        choice[d] = new
        assert driver_costs(net, choice, weight)[0][new] < cost_before
        assert rosenthal(net, choice, weight) < before
    np.testing.assert_array_equal(choice, res.choice)
    # Nash: no driver gains by switching to any path.
    cost, _ = driver_costs(net, choice, weight)
    np.testing.assert_allclose(res.driver_latency, cost[choice])
    for d in range(n_drivers):
        for p in range(len(net.paths)):
            alt = choice.copy()
            alt[d] = p
            assert driver_costs(net, alt, weight)[0][p] >= cost[choice[d]] - 1e-12


def test_many_drivers_approach_wardrop():
    net = braess(demand=4000, slope=1 / 100, constant=45)
    res = atomic_routing_dynamics(net, 4000)
    assert res.converged and res.path_count.tolist() == [0, 0, 4000]
    assert res.average_latency == 80.0
    net = braess(False, demand=4000, slope=1 / 100, constant=45)
    res = atomic_routing_dynamics(net, 4000)
    assert res.path_count.tolist() == [2000, 2000]
    assert res.average_latency == 65.0
    # Pigou: with n drivers of weight 1/n all but at most one take the
    # variable road; the average tends to the Wardrop cost 1.
    for n in (10, 100, 1000):
        res = atomic_routing_dynamics(pigou(), n)
        assert res.average_latency == pytest.approx(
            wardrop_equilibrium(pigou()).average_latency, abs=1.5 / n
        )


def test_two_commodities():
    net = RoutingNetwork(
        [("s", "t"), ("s", "t"), ("u", "t")],
        [(0, 1), (1,), (0, 1)],
        {("s", "t"): 1.0, ("u", "t"): 2.0},
    )
    res = atomic_routing_dynamics(net, [4, 2])
    assert res.converged
    assert res.path_count.tolist()[2] == 2
    assert (net.path_commodity[res.choice] == np.repeat([0, 1], [4, 2])).all()


def test_errors():
    with pytest.raises(ValueError, match="payoffs must have shape"):
        pure_nash_equilibria([1, 2, 3])
    with pytest.raises(ValueError, match="payoffs must be finite"):
        pure_nash_equilibria(([[np.nan]], [[0.0]]))
    with pytest.raises(TypeError, match="payoffs must be numeric"):
        pure_nash_equilibria([["a", "b"]])
    A = np.zeros((2, 2))
    with pytest.raises(ValueError, match="start must be a profile of 2 action"):
        best_response_dynamics((A, A), start=(0, 2))
    with pytest.raises(ValueError, match="max_steps must be an integer >= 1; got 0"):
        best_response_dynamics((A, A), max_steps=0)
    with pytest.raises(TypeError, match="max_steps must be an integer; got float"):
        best_response_dynamics((A, A), max_steps=10.0)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        best_response_dynamics((A, A), rng=1)
    with pytest.raises(TypeError, match="network must be a RoutingNetwork"):
        atomic_routing_dynamics("net", 3)
    with pytest.raises(ValueError, match="n_drivers must be an integer >= 1; got 0"):
        atomic_routing_dynamics(pigou(), 0)
    with pytest.raises(ValueError, match="n_drivers must be a positive int or one"):
        atomic_routing_dynamics(pigou(), [2, 3])
    with pytest.raises(TypeError, match="n_drivers must be an integer; got bool"):
        atomic_routing_dynamics(pigou(), True)
    with pytest.raises(TypeError, match="n_drivers must be an int or a sequence"):
        atomic_routing_dynamics(pigou(), 2.0)
    with pytest.raises(ValueError, match="max_rounds must be an integer >= 1; got 0"):
        atomic_routing_dynamics(pigou(), 2, max_rounds=0)
    with pytest.raises(ValueError, match="start must hold, for each of the 2"):
        atomic_routing_dynamics(pigou(), 2, start=[0, 5])
