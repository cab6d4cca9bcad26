"""Games people play: equilibria, routing, matching, learning in zero-sum games.

One concept per module:

- ``_routing``: nonatomic selfish routing on small
  networks, Wardrop equilibria, system optima and the price of anarchy, with
  Pigou's and Braess's networks;
- ``_dynamics``: pure Nash equilibria by brute force,
  best-response dynamics in normal-form games and in atomic congestion games
  (drivers choosing routes one at a time);
- ``_matching``: deferred acceptance (Gale-Shapley) and
  blocking pairs;
- ``_zero_sum``: minimax values by linear programming and
  multiplicative weights.
"""

from course_lib.games._dynamics import (
    AtomicRoutingResult,
    BestResponseResult,
    atomic_routing_dynamics,
    best_response_dynamics,
    pure_nash_equilibria,
)
from course_lib.games._matching import blocking_pairs, deferred_acceptance, is_stable
from course_lib.games._routing import (
    FlowResult,
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
from course_lib.games._zero_sum import (
    MultiplicativeWeightsResult,
    ZeroSumSolution,
    minimax_value,
    multiplicative_weights,
    solve_zero_sum,
)

__all__ = [
    "AtomicRoutingResult",
    "BestResponseResult",
    "FlowResult",
    "MultiplicativeWeightsResult",
    "RoutingNetwork",
    "ZeroSumSolution",
    "affine",
    "atomic_routing_dynamics",
    "best_response_dynamics",
    "blocking_pairs",
    "braess",
    "deferred_acceptance",
    "is_stable",
    "minimax_value",
    "multiplicative_weights",
    "pigou",
    "price_of_anarchy",
    "pure_nash_equilibria",
    "simple_paths",
    "solve_zero_sum",
    "system_optimum",
    "total_cost",
    "wardrop_equilibrium",
    "wardrop_gap",
]
