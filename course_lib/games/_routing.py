"""Nonatomic selfish routing: Wardrop equilibria, system optima, price of anarchy.

A *network* is a directed multigraph whose edges carry latency functions
``l_e(x)`` (the travel time on the edge when a flow ``x`` uses it), together
with *demands*: an amount of traffic for each origin-destination pair. Traffic
is split over the simple paths from origin to destination; the latency of a
path is the sum of its edges' latencies.

* A **Wardrop equilibrium** (the Nash equilibrium of infinitely many tiny
  drivers) is a flow in which, for every origin-destination pair, every used
  path has the minimal latency. It minimises Beckmann's potential
  ``sum_e int_0^{x_e} l_e(t) dt`` over all feasible flows.
* A **system optimum** minimises the total travel time
  ``C(x) = sum_e x_e l_e(x_e)``; it is the equilibrium for the *marginal*
  latencies ``l_e(x) + x l_e'(x)``.
* The **price of anarchy** is ``C(equilibrium) / C(optimum) >= 1``: 4/3 at most
  with affine latencies, reached by Pigou's network (:func:`pigou`).
  :func:`braess` builds Braess's paradox, where adding a free road makes
  everyone slower.

Paths are enumerated explicitly (:func:`simple_paths`), so this module is meant
for small networks (tens of edges), as in a lecture. Both problems are solved
over path flows by sequential quadratic programming
(:func:`scipy.optimize.minimize`, method ``"SLSQP"``) and, for affine latencies,
polished by solving the optimality conditions on the support exactly, so the
classic examples come out to machine precision. ``method="frank-wolfe"`` runs
Frank-Wolfe instead, in its *pairwise* form (Lacoste-Julien and Jaggi 2015):
each iteration moves flow, in every commodity, from the costliest used path to
the currently shortest one, with an exact line search. It needs only latency
values and, unlike the classic all-or-nothing variant (whose flows on bad
paths only decay geometrically, so it can take thousands of iterations on a
seven-path network), it empties bad paths and converges fast.

Latencies are given per edge, either as polynomial coefficients in *ascending*
order (``(b, a)`` is ``b + a*x``, as in :class:`numpy.polynomial.Polynomial`;
:func:`affine` spells it out) or as a callable ``x -> latency`` that is
nondecreasing and continuous (derivatives, needed for the system optimum, are
then taken numerically).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.polynomial import Polynomial
from scipy import integrate, optimize

from course_lib._checks import check_choice, check_int, check_positive, check_real

__all__ = [
    "FlowResult",
    "RoutingNetwork",
    "affine",
    "braess",
    "pigou",
    "price_of_anarchy",
    "simple_paths",
    "system_optimum",
    "total_cost",
    "wardrop_equilibrium",
    "wardrop_gap",
]

LatencySpec = Sequence[float] | Polynomial | Callable[[float], float]


def affine(a: float, b: float) -> tuple[float, float]:
    """Coefficients of the affine latency ``a*x + b``, in ascending order.

    Parameters
    ----------
    a : float
        Slope (delay per unit of flow), ``>= 0``.
    b : float
        Free-flow latency, ``>= 0``.

    Returns
    -------
    tuple of float
        ``(b, a)``, the form :class:`RoutingNetwork` takes.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a real number.
    ValueError
        If ``a`` or ``b`` is negative or not finite.

    Examples
    --------
    >>> affine(1 / 100, 45)
    (45.0, 0.01)
    """
    a, b = check_real(a, "a"), check_real(b, "b")
    if a < 0 or b < 0:
        raise ValueError(
            f"a and b must be finite and >= 0 (latencies cannot decrease with "
            f"traffic nor be negative); got a={a}, b={b}"
        )
    return (b, a)


def simple_paths(
    edges: Sequence[tuple[Hashable, Hashable]], origin: Hashable, destination: Hashable
) -> list[tuple[int, ...]]:
    """All simple directed paths from ``origin`` to ``destination``.

    Parameters
    ----------
    edges : sequence of (tail, head) pairs
        Directed edges; parallel edges are allowed and kept apart by index.
    origin, destination : hashable
        Distinct nodes.

    Returns
    -------
    list of tuple of int
        Each path as the tuple of its edge indices, in travel order; paths
        never visit a node twice. Sorted by length, then lexicographically.

    Raises
    ------
    ValueError
        If ``origin == destination``.

    Examples
    --------
    >>> simple_paths([("s", "a"), ("a", "t"), ("s", "t"), ("s", "t")], "s", "t")
    [(2,), (3,), (0, 1)]
    """
    if origin == destination:
        raise ValueError(f"origin and destination must differ; got {origin!r} for both")
    out_edges: dict[Hashable, list[int]] = {}
    for k, (u, _) in enumerate(edges):
        out_edges.setdefault(u, []).append(k)
    found: list[tuple[int, ...]] = []

    def extend(node: Hashable, visited: set, path: list[int]) -> None:
        for k in out_edges.get(node, []):
            head = edges[k][1]
            if head == destination:
                found.append((*path, k))
            elif head not in visited:
                visited.add(head)
                path.append(k)
                extend(head, visited, path)
                path.pop()
                visited.discard(head)

    extend(origin, {origin}, [])
    return sorted(found, key=lambda p: (len(p), p))


class _Latencies:
    """Vectorised latencies of all edges: values, marginal costs, integrals."""

    def __init__(self, specs: Sequence[LatencySpec]) -> None:
        self.n = len(specs)
        coeffs: list[np.ndarray] = []
        self.callables: list[Callable[[float], float]] | None = None
        if all(not callable(s) or isinstance(s, Polynomial) for s in specs):
            for k, s in enumerate(specs):
                c = s.coef if isinstance(s, Polynomial) else s
                try:
                    arr = np.atleast_1d(np.asarray(c, dtype=np.float64))
                except (TypeError, ValueError) as err:
                    raise TypeError(
                        f"latencies[{k}] must be a callable or a sequence of "
                        f"polynomial coefficients; got {s!r}"
                    ) from err
                if arr.ndim != 1 or arr.size == 0 or not np.isfinite(arr).all():
                    raise ValueError(
                        f"latencies[{k}] must be a non-empty 1-D sequence of "
                        f"finite coefficients (ascending powers); got {s!r}"
                    )
                if (arr < 0).any():
                    raise ValueError(
                        f"latencies[{k}] must have nonnegative coefficients so "
                        f"that the latency is nonnegative and nondecreasing; "
                        f"got {s!r}"
                    )
                coeffs.append(arr)
            width = max(len(c) for c in coeffs) if coeffs else 1
            self.coef = np.zeros((self.n, width))
            for k, c in enumerate(coeffs):
                self.coef[k, : len(c)] = c
            powers = np.arange(1, width)
            self.dcoef = self.coef[:, 1:] * powers  # derivative
        else:
            for k, s in enumerate(specs):
                if not callable(s):
                    raise TypeError(
                        f"latencies must be all coefficient sequences or all "
                        f"callables; got a mix (latencies[{k}]={s!r})"
                    )
            self.callables = list(specs)
            self.coef = None

    @property
    def is_affine(self) -> bool:
        return self.coef is not None and self.coef.shape[1] <= 2

    @staticmethod
    def _horner(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
        out = np.zeros_like(x)
        for j in range(coef.shape[1] - 1, -1, -1):  # over powers, not edges
            out = out * x + coef[:, j]
        return out

    def value(self, x: np.ndarray) -> np.ndarray:
        if self.coef is not None:
            return self._horner(self.coef, x)
        return np.array([float(f(xi)) for f, xi in zip(self.callables, x, strict=True)])

    def derivative(self, x: np.ndarray) -> np.ndarray:
        if self.coef is not None:
            if self.dcoef.shape[1] == 0:
                return np.zeros_like(x)
            return self._horner(self.dcoef, x)
        h = 1e-6 * np.maximum(1.0, np.abs(x))
        lo = np.maximum(x - h, 0.0)
        return (self.value(x + h) - self.value(lo)) / (x + h - lo)

    def marginal(self, x: np.ndarray) -> np.ndarray:
        return self.value(x) + x * self.derivative(x)

    def potential(self, x: np.ndarray) -> float:
        """Beckmann's potential: sum of the integrals of the latencies."""
        if self.coef is not None:
            width = self.coef.shape[1]
            icoef = np.hstack(
                [np.zeros((self.n, 1)), self.coef / np.arange(1, width + 1)]
            )
            return float(self._horner(icoef, x).sum())
        return float(
            sum(
                integrate.quad(f, 0.0, float(xi))[0]
                for f, xi in zip(self.callables, x, strict=True)
            )
        )


@dataclass(frozen=True, eq=False)
class RoutingNetwork:
    """A directed network with edge latencies and origin-destination demands.

    Parameters
    ----------
    edges : sequence of (tail, head) pairs
        Directed edges between hashable nodes; parallel edges are allowed.
    latencies : sequence
        One per edge: ascending polynomial coefficients (``(b, a)`` for
        ``a*x + b``, see :func:`affine`), a :class:`numpy.polynomial.Polynomial`,
        or a callable ``x -> latency`` (nonnegative, nondecreasing,
        continuous). Coefficients and callables cannot be mixed.
    demands : mapping
        ``{(origin, destination): amount}`` with positive amounts.

    Attributes
    ----------
    paths : tuple of tuple of int
        Every simple path of every commodity, as edge indices.
    path_commodity : numpy.ndarray
        Index (into ``demands``' order) of each path's commodity.
    incidence : numpy.ndarray
        ``(n_edges, n_paths)`` 0/1 matrix: ``incidence[e, p] = 1`` if path
        ``p`` uses edge ``e``.

    Raises
    ------
    ValueError
        If there is no edge, the lengths differ, a demand is not positive, or an
        origin-destination pair is not connected.
    TypeError
        If a latency is neither coefficients nor a callable, or a demand is
        not a number.

    Examples
    --------
    >>> net = RoutingNetwork([("s", "t"), ("s", "t")], [(0, 1), (1,)], {("s", "t"): 1})
    >>> net.paths
    ((0,), (1,))
    """

    edges: tuple[tuple[Hashable, Hashable], ...]
    latencies: tuple[Any, ...]
    demands: Mapping[tuple[Hashable, Hashable], float]

    def __post_init__(self) -> None:
        edges = tuple(tuple(e) for e in self.edges)
        if not edges or any(len(e) != 2 for e in edges):
            raise ValueError(
                f"edges must be a non-empty sequence of (tail, head) pairs; got "
                f"{self.edges!r}"
            )
        lat = tuple(self.latencies)
        if len(lat) != len(edges):
            raise ValueError(
                f"latencies must have one entry per edge ({len(edges)}); got {len(lat)}"
            )
        if not isinstance(self.demands, Mapping) or not self.demands:
            raise ValueError(
                "demands must be a non-empty mapping {(origin, destination): "
                f"amount}}; got {self.demands!r}"
            )
        demands = {}
        for od, amount in self.demands.items():
            if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
                raise TypeError(
                    f"demands must map each (origin, destination) pair to a "
                    f"number; got {type(amount).__name__} for {od!r}"
                )
            amount = float(amount)
            if not (math.isfinite(amount) and amount > 0):
                raise ValueError(
                    f"demands must be positive and finite; got {amount} for {od!r}"
                )
            demands[tuple(od)] = amount
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "latencies", lat)
        object.__setattr__(self, "demands", demands)
        object.__setattr__(self, "_lat", _Latencies(lat))
        paths: list[tuple[int, ...]] = []
        commodity: list[int] = []
        for k, (o, d) in enumerate(demands):
            found = simple_paths(edges, o, d)
            if not found:
                raise ValueError(
                    f"demands must be between connected nodes; there is no path "
                    f"from {o!r} to {d!r}"
                )
            paths += found
            commodity += [k] * len(found)
        incidence = np.zeros((len(edges), len(paths)))
        for p, path in enumerate(paths):
            incidence[list(path), p] = 1.0
        object.__setattr__(self, "paths", tuple(paths))
        object.__setattr__(self, "path_commodity", np.array(commodity))
        object.__setattr__(self, "incidence", incidence)
        object.__setattr__(
            self, "demand_vector", np.array(list(demands.values()), dtype=float)
        )

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edges)

    def edge_latency(self, edge_flow: np.ndarray) -> np.ndarray:
        """Latency of each edge under ``edge_flow``."""
        return self._lat.value(np.asarray(edge_flow, dtype=float))

    def path_latency(self, path_flow: np.ndarray) -> np.ndarray:
        """Latency of each path under ``path_flow``."""
        x = self.incidence @ np.asarray(path_flow, dtype=float)
        return self.incidence.T @ self._lat.value(x)


@dataclass(frozen=True)
class FlowResult:
    """A flow on a :class:`RoutingNetwork` and its costs.

    Attributes
    ----------
    paths : tuple of tuple of int
        The network's paths (edge indices).
    path_flow, path_latency : numpy.ndarray
        Flow on, and latency of, each path.
    edge_flow, edge_latency : numpy.ndarray
        Flow on, and latency of, each edge.
    total_cost : float
        ``sum_e x_e l_e(x_e)``, the total travel time.
    average_latency : float
        ``total_cost`` divided by the total demand (the time of a typical
        driver).
    gap : float
        Largest excess latency of a used path over the cheapest path of its
        commodity (for an equilibrium; for an optimum, the same with marginal
        costs): 0 at an exact solution.
    iterations : int
        Iterations of the solver.
    """

    paths: tuple[tuple[int, ...], ...]
    path_flow: np.ndarray
    path_latency: np.ndarray
    edge_flow: np.ndarray
    edge_latency: np.ndarray
    total_cost: float
    average_latency: float
    gap: float
    iterations: int


def _check_network(network: Any) -> RoutingNetwork:
    if not isinstance(network, RoutingNetwork):
        raise TypeError(
            f"network must be a RoutingNetwork; got {type(network).__name__}"
        )
    return network


def _check_flow(network: RoutingNetwork, path_flow: Any) -> np.ndarray:
    f = np.asarray(path_flow, dtype=float)
    if f.shape != (len(network.paths),):
        raise ValueError(
            f"path_flow must have one entry per path ({len(network.paths)}); got "
            f"shape {f.shape}"
        )
    if not np.isfinite(f).all() or (f < 0).any():
        raise ValueError(f"path_flow must be finite and nonnegative; got {f}")
    return f


def _gap(network: RoutingNetwork, f: np.ndarray, cost: np.ndarray) -> float:
    """Max over commodities of (max cost of a used path - min cost)."""
    com = network.path_commodity
    k = len(network.demand_vector)
    scale = network.demand_vector[com]
    used = f > 1e-9 * scale
    lo = np.full(k, np.inf)
    np.minimum.at(lo, com, cost)
    hi = np.full(k, -np.inf)
    np.maximum.at(hi, com[used], cost[used])
    return float(np.max(np.maximum(hi - lo, 0.0)))


def wardrop_gap(network: RoutingNetwork, path_flow: Sequence[float]) -> float:
    """How far a path flow is from a Wardrop equilibrium.

    Parameters
    ----------
    network : RoutingNetwork
    path_flow : array_like
        Nonnegative flow on each of ``network.paths``.

    Returns
    -------
    float
        The largest amount by which a used path (flow above ``1e-9`` times its
        commodity's demand) is slower than the fastest path of the same
        commodity; 0 at an equilibrium.

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`RoutingNetwork`.
    ValueError
        If ``path_flow`` has the wrong length or negative entries.

    Examples
    --------
    >>> net = pigou()
    >>> wardrop_gap(net, [0.5, 0.5])  # the fast road is faster: not stable
    0.5
    >>> wardrop_gap(net, [1.0, 0.0])  # all on the fast road: equilibrium
    0.0
    """
    network = _check_network(network)
    f = _check_flow(network, path_flow)
    return _gap(network, f, network.path_latency(f))


def total_cost(network: RoutingNetwork, path_flow: Sequence[float]) -> float:
    """Total travel time ``sum_e x_e l_e(x_e)`` of a path flow.

    Parameters
    ----------
    network : RoutingNetwork
    path_flow : array_like
        Nonnegative flow on each of ``network.paths``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`RoutingNetwork`.
    ValueError
        If ``path_flow`` has the wrong length or negative entries.

    Examples
    --------
    >>> total_cost(pigou(), [0.5, 0.5])
    0.75
    """
    network = _check_network(network)
    f = _check_flow(network, path_flow)
    x = network.incidence @ f
    return float(x @ network.edge_latency(x))


def _result(network: RoutingNetwork, f: np.ndarray, gap: float, it: int) -> FlowResult:
    x = network.incidence @ f
    le = network.edge_latency(x)
    cost = float(x @ le)
    return FlowResult(
        paths=network.paths,
        path_flow=f,
        path_latency=network.incidence.T @ le,
        edge_flow=x,
        edge_latency=le,
        total_cost=cost,
        average_latency=cost / float(network.demand_vector.sum()),
        gap=gap,
        iterations=it,
    )


_EXACT_MAX = 80  # largest linear system solved in exact rational arithmetic


def _solve_rational(lhs: np.ndarray, rhs: np.ndarray) -> list[Fraction] | None:
    """One solution of ``lhs @ v = rhs`` in exact arithmetic (free variables 0).

    Floats convert to fractions exactly, so the answer is the exact solution of
    the system as stored; returns None if the system is inconsistent.
    """
    rows = [
        [Fraction(float(v)) for v in row] + [Fraction(float(r))]
        for row, r in zip(lhs, rhs, strict=True)
    ]
    n_var = lhs.shape[1]
    pivots: list[int] = []
    r = 0
    for c in range(n_var):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        inv = 1 / rows[r][c]
        rows[r] = [v * inv for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [
                    v - factor * w for v, w in zip(rows[i], rows[r], strict=True)
                ]
        pivots.append(c)
        r += 1
    if any(row[-1] != 0 for row in rows[r:]):
        return None
    sol = [Fraction(0)] * n_var
    for i, c in enumerate(pivots):
        sol[c] = rows[i][-1]
    return sol


def _polish_affine(
    network: RoutingNetwork, f: np.ndarray, optimum: bool
) -> np.ndarray | None:
    """Solve the optimality conditions on the support of ``f`` exactly.

    With affine latencies ``a x + b`` the conditions "every used path of
    commodity k costs mu_k" and "flows add up to the demands" are linear in the
    path flows and the mu_k. Returns the refined flow if it is feasible and
    optimal, else None.
    """
    lat = network._lat
    a = lat.coef[:, 1] if lat.coef.shape[1] > 1 else np.zeros(network.n_edges)
    b = lat.coef[:, 0]
    if optimum:
        a = 2 * a
    com = network.path_commodity
    dem = network.demand_vector
    k = len(dem)
    support = np.flatnonzero(f > 1e-7 * dem[com])
    # Largest flows first, so that when path flows are not unique the exact
    # solve keeps the big ones and sets small ones to zero.
    support = support[np.argsort(-f[support], kind="stable")]
    inc = network.incidence
    n_s = len(support)
    onehot = (com[support][None, :] == np.arange(k)[:, None]).astype(float)  # (k, n_s)
    top = np.hstack([inc[:, support].T @ (a[:, None] * inc[:, support]), -onehot.T])
    bottom = np.hstack([onehot, np.zeros((k, k))])
    lhs = np.vstack([top, bottom])
    rhs = np.concatenate([-(inc[:, support].T @ b), dem])
    if lhs.shape[0] <= _EXACT_MAX:
        exact = _solve_rational(lhs, rhs)
        if exact is None:
            return None
        sol = np.array([float(v) for v in exact])
    else:
        sol, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
        if np.abs(lhs @ sol - rhs).max() > 1e-9 * max(1.0, np.abs(rhs).max()):
            return None
    g = np.zeros_like(f)
    g[support] = sol[:n_s]
    if (g < -1e-9 * dem[com]).any():
        return None
    g = np.maximum(g, 0.0)
    cost = inc.T @ (a * (inc @ g) + b)
    if _gap(network, g, cost) > 1e-9 * max(1.0, np.abs(cost).max()):
        return None
    return g


def _frank_wolfe(
    network: RoutingNetwork,
    cost_fn: Callable,
    tol: float,
    max_iter: int,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    inc = network.incidence
    com = network.path_commodity
    dem = network.demand_vector
    k = len(dem)

    # Start with all-or-nothing: each commodity on its free-flow fastest path.
    free = inc.T @ cost_fn(np.zeros(network.n_edges))
    order = np.lexsort((free, com))  # by commodity, then cost
    first = order[np.r_[True, com[order][1:] != com[order][:-1]]]
    f = np.zeros(len(com))
    f[first] = dem[com[first]]
    if start is not None:
        f = start.copy()
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - iterations of the algorithm
        x = inc @ f
        path_cost = inc.T @ cost_fn(x)
        lo = np.full(k, np.inf)
        np.minimum.at(lo, com, path_cost)
        rel_gap = (f @ path_cost - lo @ dem) / max(f @ path_cost, 1e-300)
        if rel_gap <= tol:
            break
        # Pairwise steps, one commodity at a time: move flow from its
        # costliest used path to its cheapest path (all of it at step 1).
        for c in range(k):
            mine = np.flatnonzero(com == c)
            x = inc @ f
            cost = inc[:, mine].T @ cost_fn(x)
            used = f[mine] > 0
            best = mine[np.argmin(cost)]
            worst = mine[used][np.argmax(cost[used])]
            if best == worst:
                continue
            d = (inc[:, best] - inc[:, worst]) * f[worst]

            def slope(lam: float, x: np.ndarray = x, d: np.ndarray = d) -> float:
                return float(cost_fn(x + lam * d) @ d)

            if slope(1.0) <= 0:
                f[best] += f[worst]
                f[worst] = 0.0
            elif slope(0.0) < 0:
                lam = optimize.brentq(slope, 0.0, 1.0, xtol=1e-15)
                moved = lam * f[worst]
                f[best] += moved
                f[worst] -= moved
    return f, it


def _solve(
    network: RoutingNetwork,
    *,
    optimum: bool,
    method: str,
    tol: float,
    max_iter: int,
) -> FlowResult:
    network = _check_network(network)
    method = check_choice(method, "method", ("slsqp", "frank-wolfe"))
    tol = check_real(tol, "tol", low=0.0, high=1.0, low_open=True, high_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    lat = network._lat
    cost_fn = lat.marginal if optimum else lat.value
    inc = network.incidence
    com = network.path_commodity
    dem = network.demand_vector
    if method == "frank-wolfe":
        f, it = _frank_wolfe(network, cost_fn, tol, max_iter)
    else:
        # Variables: share of each commodity's demand on each path.
        scale = dem[com]

        def objective(s: np.ndarray) -> float:
            x = inc @ (s * scale)
            if optimum:
                return float(x @ lat.value(x))
            return lat.potential(x)

        def gradient(s: np.ndarray) -> np.ndarray:
            x = inc @ (s * scale)
            return (inc.T @ cost_fn(x)) * scale

        onehot = (com[None, :] == np.arange(len(dem))[:, None]).astype(float)
        s0 = 1.0 / onehot.sum(axis=1)[com]
        res = optimize.minimize(
            objective,
            s0,
            jac=gradient,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * len(com),
            constraints=[
                {
                    "type": "eq",
                    "fun": lambda s: onehot @ s - 1.0,
                    "jac": lambda s: onehot,
                }
            ],
            options={"ftol": 1e-15, "maxiter": max_iter},
        )
        s = np.clip(res.x, 0.0, None)
        s = s / (onehot @ s)[com]  # exactly feasible
        f = s * scale
        it = int(res.nit)
        # A few pairwise Frank-Wolfe steps clean up: they empty the paths
        # SLSQP left with a sliver of flow and equalise the used ones.
        f, _ = _frank_wolfe(network, cost_fn, 1e-15, 50, start=f)
        if lat.is_affine:
            polished = _polish_affine(network, f, optimum)
            if polished is not None:
                f = polished
    gap = _gap(network, f, inc.T @ cost_fn(inc @ f))
    return _result(network, f, gap, it)


def wardrop_equilibrium(
    network: RoutingNetwork,
    *,
    method: Literal["slsqp", "frank-wolfe"] = "slsqp",
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> FlowResult:
    """Wardrop (user) equilibrium: every used path has minimal latency.

    Computed as the minimiser of Beckmann's potential
    ``sum_e int_0^{x_e} l_e``; edge flows are unique when the latencies are
    strictly increasing, path flows need not be.

    Parameters
    ----------
    network : RoutingNetwork
    method : {"slsqp", "frank-wolfe"}, default "slsqp"
        Sequential quadratic programming over path flows (then, for affine
        latencies, an exact solve on the support), or pairwise Frank-Wolfe.
    tol : float, default 1e-10
        Frank-Wolfe stops when the relative gap
        ``(C - C_shortest) / C`` falls below ``tol``.
    max_iter : int, default 10_000
        Iteration cap of either solver.

    Returns
    -------
    FlowResult
        Check ``result.gap`` (0 at an exact equilibrium).

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`RoutingNetwork`, or ``method``,
        ``tol`` or ``max_iter`` has the wrong type.
    ValueError
        If ``method``, ``tol`` or ``max_iter`` is invalid.

    Examples
    --------
    >>> eq = wardrop_equilibrium(braess(with_shortcut=True))
    >>> float(eq.average_latency)
    2.0
    >>> eq = wardrop_equilibrium(braess(with_shortcut=False))
    >>> float(eq.average_latency), eq.path_flow.round(6).tolist()
    (1.5, [0.5, 0.5])
    """
    return _solve(network, optimum=False, method=method, tol=tol, max_iter=max_iter)


def system_optimum(
    network: RoutingNetwork,
    *,
    method: Literal["slsqp", "frank-wolfe"] = "slsqp",
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> FlowResult:
    """System optimum: the flow of least total travel time.

    Computed as the equilibrium for the marginal latencies
    ``l_e(x) + x l_e'(x)``.

    Parameters
    ----------
    network : RoutingNetwork
    method : {"slsqp", "frank-wolfe"}, default "slsqp"
        Sequential quadratic programming over path flows (then, for affine
        latencies, an exact solve on the support), or pairwise Frank-Wolfe.
    tol : float, default 1e-10
        Frank-Wolfe stops when the relative gap
        ``(C - C_shortest) / C`` falls below ``tol``.
    max_iter : int, default 10_000
        Iteration cap of either solver.

    Returns
    -------
    FlowResult
        ``result.gap`` measures the optimality conditions with marginal costs.

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`RoutingNetwork`, or ``method``,
        ``tol`` or ``max_iter`` has the wrong type.
    ValueError
        If ``method``, ``tol`` or ``max_iter`` is invalid.

    Examples
    --------
    >>> opt = system_optimum(pigou())
    >>> opt.path_flow.tolist(), opt.total_cost
    ([0.5, 0.5], 0.75)
    >>> float(system_optimum(braess(with_shortcut=True)).average_latency)
    1.5
    """
    return _solve(network, optimum=True, method=method, tol=tol, max_iter=max_iter)


def price_of_anarchy(network: RoutingNetwork, **solver: Any) -> float:
    """Ratio of the equilibrium's total cost to the optimum's, ``>= 1``.

    Parameters
    ----------
    network : RoutingNetwork
    **solver
        ``method``, ``tol``, ``max_iter``, passed to
        :func:`wardrop_equilibrium` and :func:`system_optimum`.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``network`` is not a :class:`RoutingNetwork` or a solver option
        has the wrong type.
    ValueError
        If a solver option is invalid.

    Examples
    --------
    >>> from fractions import Fraction
    >>> Fraction(price_of_anarchy(pigou())).limit_denominator(1000)
    Fraction(4, 3)
    >>> round(price_of_anarchy(braess(with_shortcut=True)), 12)
    1.333333333333
    """
    eq = wardrop_equilibrium(network, **solver)
    opt = system_optimum(network, **solver)
    return eq.total_cost / opt.total_cost


def pigou(degree: int = 1, *, demand: float = 1.0) -> RoutingNetwork:
    """Pigou's network: a slow constant road next to a congestible one.

    Two parallel edges from ``"s"`` to ``"t"``: path 0 has latency
    ``(x / demand) ** degree`` (free when empty, as slow as the other road when
    everyone takes it), path 1 has constant latency 1. At equilibrium
    everyone takes path 0 (cost ``demand``); the optimum sends some traffic
    on the constant road. With ``degree=1`` the price of anarchy is exactly
    4/3, the worst case over all affine latencies; it grows without bound as
    ``degree`` grows.

    Parameters
    ----------
    degree : int, default 1
        Power of the variable latency, ``>= 1``.
    demand : float, default 1.0
        Total traffic from ``"s"`` to ``"t"``, ``> 0``.

    Returns
    -------
    RoutingNetwork

    Raises
    ------
    TypeError
        If ``degree`` is not an integer or ``demand`` not a real number.
    ValueError
        If ``degree < 1`` or ``demand <= 0``.

    Examples
    --------
    >>> net = pigou()
    >>> wardrop_equilibrium(net).total_cost, system_optimum(net).total_cost
    (1.0, 0.75)
    """
    degree = check_int(degree, "degree", low=1)
    demand = check_positive(demand, "demand")
    variable = [0.0] * int(degree) + [demand ** (-int(degree))]
    return RoutingNetwork(
        edges=[("s", "t"), ("s", "t")],
        latencies=[variable, [1.0]],
        demands={("s", "t"): demand},
    )


def braess(
    with_shortcut: bool = True,
    *,
    demand: float = 1.0,
    slope: float = 1.0,
    constant: float = 1.0,
) -> RoutingNetwork:
    """Braess's network, with or without the free shortcut.

    Nodes ``s, a, b, t``; edges ``s->a`` (latency ``slope * x``), ``a->t``
    (``constant``), ``s->b`` (``constant``), ``b->t`` (``slope * x``) and, if
    ``with_shortcut``, ``a->b`` with latency 0. The defaults are the
    unit-demand textbook version: without the shortcut traffic splits evenly
    and everyone needs 1.5; with it, everyone takes ``s->a->b->t`` and needs 2,
    although the optimum is still 1.5. ``braess(demand=4000, slope=1/100,
    constant=45)`` is Wikipedia's example: 65 minutes without the shortcut, 80
    with it.

    Parameters
    ----------
    with_shortcut : bool, default True
        Whether the zero-latency edge ``a->b`` exists.
    demand : float, default 1.0
        Traffic from ``"s"`` to ``"t"``, ``> 0``.
    slope, constant : float, default 1.0
        Coefficients of the congestible and the constant roads, ``>= 0``.

    Returns
    -------
    RoutingNetwork
        Edges in the order above, so paths are ``(0, 1)`` (via a),
        ``(2, 3)`` (via b) and, with the shortcut, ``(0, 4, 3)``.

    Raises
    ------
    TypeError
        If ``with_shortcut`` is not a bool, or ``demand``, ``slope`` or
        ``constant`` is not a real number.
    ValueError
        If ``demand``, ``slope`` or ``constant`` is invalid.

    Examples
    --------
    >>> net = braess(demand=4000, slope=1 / 100, constant=45)
    >>> float(wardrop_equilibrium(net).average_latency)
    80.0
    >>> float(wardrop_equilibrium(braess(False, demand=4000, slope=1 / 100,
    ...                                  constant=45)).average_latency)
    65.0
    """
    if not isinstance(with_shortcut, (bool, np.bool_)):
        raise TypeError(f"with_shortcut must be a bool; got {with_shortcut!r}")
    demand = check_positive(demand, "demand")
    var = affine(slope, 0.0)
    const = affine(0.0, constant)
    edges = [("s", "a"), ("a", "t"), ("s", "b"), ("b", "t")]
    lat: list[tuple[float, ...]] = [var, const, const, var]
    if with_shortcut:
        edges.append(("a", "b"))
        lat.append((0.0,))
    return RoutingNetwork(edges=edges, latencies=lat, demands={("s", "t"): demand})
