"""Stable matching: deferred acceptance (Gale-Shapley) and blocking pairs.

Two sides, *proposers* (students, residents, ...) and *receivers* (schools,
hospitals, ...), each rank (some of) the other side. A matching is *stable* if
nobody is matched to someone they did not list, and no proposer and receiver
who are not matched together both prefer each other to their partners (a
*blocking pair*; being unmatched is worse than any listed partner).

:func:`deferred_acceptance` runs the proposer-proposing algorithm of Gale and
Shapley (1962): free proposers propose down their lists, receivers hold the
best offer so far and reject the rest. The result is stable and
*proposer-optimal*: every proposer gets the best partner they have in any
stable matching, and every receiver the worst. Swap the arguments for the
receiver-optimal matching.

Preferences are given, for each side, either as a list of lists of indices
(``prefs[i]`` is agent ``i``'s ranking of the other side, most preferred
first) or as a dict ``{agent: [agents of the other side, best first]}``.
The sides may differ in size and lists may be incomplete: an agent left off a
list is unacceptable to its owner. Ties are not supported (strict rankings).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["blocking_pairs", "deferred_acceptance", "is_stable"]

Prefs = Sequence[Sequence[int]] | Mapping[Hashable, Sequence[Hashable]]


def _normalise(prefs: Any, name: str) -> dict[Hashable, list[Hashable]]:
    if isinstance(prefs, Mapping):
        items = list(prefs.items())
    elif isinstance(prefs, Sequence) and not isinstance(prefs, (str, bytes)):
        items = list(enumerate(prefs))
    else:
        raise TypeError(
            f"{name} must be a list of preference lists or a dict "
            f"{{agent: preference list}}; got {type(prefs).__name__}"
        )
    out: dict[Hashable, list[Hashable]] = {}
    for agent, ranking in items:
        if isinstance(ranking, (str, bytes)) or not isinstance(
            ranking, Sequence | np.ndarray
        ):
            raise TypeError(
                f"{name}[{agent!r}] must be a sequence of agents, best first; got "
                f"{ranking!r}"
            )
        ranking = [r.item() if isinstance(r, np.generic) else r for r in ranking]
        if len(set(ranking)) != len(ranking):
            raise ValueError(
                f"{name}[{agent!r}] must rank each agent at most once (strict "
                f"preferences); got {ranking!r}"
            )
        out[agent.item() if isinstance(agent, np.generic) else agent] = ranking
    return out


def _check_markets(
    proposer_prefs: Any, receiver_prefs: Any
) -> tuple[dict[Hashable, list[Hashable]], dict[Hashable, list[Hashable]]]:
    props = _normalise(proposer_prefs, "proposer_prefs")
    recs = _normalise(receiver_prefs, "receiver_prefs")
    for name, prefs, other, other_name in (
        ("proposer_prefs", props, recs, "receivers"),
        ("receiver_prefs", recs, props, "proposers"),
    ):
        for agent, ranking in prefs.items():
            unknown = [r for r in ranking if r not in other]
            if unknown:
                raise ValueError(
                    f"{name}[{agent!r}] must list only {other_name} (keys or "
                    f"indices of the other preference argument); got unknown "
                    f"{unknown!r}"
                )
    return props, recs


def deferred_acceptance(
    proposer_prefs: Prefs, receiver_prefs: Prefs
) -> dict[Hashable, Hashable | None]:
    """Proposer-optimal stable matching by Gale-Shapley deferred acceptance.

    Parameters
    ----------
    proposer_prefs : list of lists or dict
        Each proposer's ranking of receivers, best first; receivers not
        listed are unacceptable.
    receiver_prefs : list of lists or dict
        Each receiver's ranking of proposers, best first; proposers not
        listed are unacceptable (their proposals are rejected).

    Returns
    -------
    dict
        ``{proposer: receiver}`` for every proposer, with None for a proposer
        left unmatched (possible with unequal sides or incomplete lists).

    Raises
    ------
    TypeError
        If preferences are not lists/dicts of sequences.
    ValueError
        If a ranking repeats an agent or names an agent who does not exist.

    Examples
    --------
    Each man's favourite woman prefers the other man; both matchings are
    stable, and whoever proposes gets their favourite:

    >>> men = [[0, 1], [1, 0]]
    >>> women = [[1, 0], [0, 1]]
    >>> deferred_acceptance(men, women)
    {0: 0, 1: 1}
    >>> deferred_acceptance(women, men)  # women propose
    {0: 1, 1: 0}

    With names, and a hospital with no place for Carol:

    >>> deferred_acceptance(
    ...     {"alice": ["city"], "bob": ["city", "rural"], "carol": ["city"]},
    ...     {"city": ["carol", "alice", "bob"], "rural": ["alice", "bob"]},
    ... )
    {'alice': None, 'bob': 'rural', 'carol': 'city'}
    """
    props, recs = _check_markets(proposer_prefs, receiver_prefs)
    rank = {r: {p: k for k, p in enumerate(ranking)} for r, ranking in recs.items()}
    next_choice = dict.fromkeys(props, 0)
    held: dict[Hashable, Hashable] = {}  # receiver -> proposer
    free = list(props)[::-1]  # a stack; the order does not change the result
    while free:
        p = free.pop()
        ranking = props[p]
        while next_choice[p] < len(ranking):
            r = ranking[next_choice[p]]
            next_choice[p] += 1
            if p not in rank[r]:
                continue  # unacceptable to r: rejected at once
            current = held.get(r)
            if current is None:
                held[r] = p
                break
            if rank[r][p] < rank[r][current]:
                held[r] = p
                free.append(current)
                break
        # else: p exhausted their list and stays unmatched
    matching: dict[Hashable, Hashable | None] = dict.fromkeys(props)
    for r, p in held.items():
        matching[p] = r
    return matching


def _rank_matrices(
    props: dict, recs: dict
) -> tuple[list, list, np.ndarray, np.ndarray]:
    """Ranks with the unmatched option at position len(list), unacceptable inf."""
    p_names, r_names = list(props), list(recs)
    p_idx = {p: i for i, p in enumerate(p_names)}
    r_idx = {r: j for j, r in enumerate(r_names)}
    n_p, n_r = len(p_names), len(r_names)
    # Column n_r / row n_p stands for "unmatched".
    rank_p = np.full((n_p, n_r + 1), np.inf)
    rank_r = np.full((n_r, n_p + 1), np.inf)
    for p, ranking in props.items():
        rank_p[p_idx[p], [r_idx[r] for r in ranking]] = np.arange(len(ranking))
        rank_p[p_idx[p], n_r] = len(ranking)
    for r, ranking in recs.items():
        rank_r[r_idx[r], [p_idx[p] for p in ranking]] = np.arange(len(ranking))
        rank_r[r_idx[r], n_p] = len(ranking)
    return p_names, r_names, rank_p, rank_r


def _partners(matching: Any, props: dict, recs: dict) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(matching, Mapping):
        raise TypeError(
            f"matching must be a dict {{proposer: receiver or None}}; got "
            f"{type(matching).__name__}"
        )
    p_names, r_names = list(props), list(recs)
    p_idx = {p: i for i, p in enumerate(p_names)}
    r_idx = {r: j for j, r in enumerate(r_names)}
    partner_of_p = np.full(len(p_names), len(r_names))  # unmatched
    partner_of_r = np.full(len(r_names), len(p_names))
    for p, r in matching.items():
        if p not in p_idx:
            raise ValueError(f"matching must map proposers; got unknown proposer {p!r}")
        if r is None:
            continue
        if r not in r_idx:
            raise ValueError(
                f"matching must map to receivers or None; got {r!r} for {p!r}"
            )
        if partner_of_r[r_idx[r]] != len(p_names):
            raise ValueError(
                f"matching must be one-to-one; got receiver {r!r} matched twice"
            )
        partner_of_p[p_idx[p]] = r_idx[r]
        partner_of_r[r_idx[r]] = p_idx[p]
    return partner_of_p, partner_of_r


def blocking_pairs(
    matching: Mapping[Hashable, Hashable | None],
    proposer_prefs: Prefs,
    receiver_prefs: Prefs,
) -> list[tuple[Hashable, Hashable]]:
    """Pairs who would both rather be together than with their partners.

    A proposer ``p`` and receiver ``r`` not matched together block when each
    lists the other and each prefers the other to their current partner
    (or is unmatched).

    Parameters
    ----------
    matching : dict
        ``{proposer: receiver or None}``, as returned by
        :func:`deferred_acceptance`; proposers missing from it are unmatched.
    proposer_prefs, receiver_prefs : list of lists or dict
        As in :func:`deferred_acceptance`.

    Returns
    -------
    list of tuple
        ``(proposer, receiver)`` pairs in the order of the preference
        arguments; empty if there is none.

    Raises
    ------
    TypeError
        If ``matching`` is not a dict or preferences are malformed.
    ValueError
        If ``matching`` names unknown agents or matches a receiver twice.

    Examples
    --------
    >>> men = [[0, 1], [0, 1]]
    >>> women = [[1, 0], [1, 0]]
    >>> blocking_pairs({0: 0, 1: 1}, men, women)
    [(1, 0)]
    >>> blocking_pairs(deferred_acceptance(men, women), men, women)
    []
    """
    props, recs = _check_markets(proposer_prefs, receiver_prefs)
    p_names, r_names, rank_p, rank_r = _rank_matrices(props, recs)
    partner_of_p, partner_of_r = _partners(matching, props, recs)
    n_p, n_r = len(p_names), len(r_names)
    current_p = rank_p[np.arange(n_p), partner_of_p]  # (n_p,)
    current_r = rank_r[np.arange(n_r), partner_of_r]  # (n_r,)
    p_wants = rank_p[:, :n_r] < current_p[:, None]  # (n_p, n_r)
    r_wants = rank_r[:, :n_p].T < current_r[None, :]  # (n_p, n_r)
    return [(p_names[i], r_names[j]) for i, j in np.argwhere(p_wants & r_wants)]


def is_stable(
    matching: Mapping[Hashable, Hashable | None],
    proposer_prefs: Prefs,
    receiver_prefs: Prefs,
) -> bool:
    """Whether a matching is stable.

    Stable means individually rational (everyone matched is matched to a
    partner they both listed) and without blocking pairs
    (:func:`blocking_pairs`).

    Parameters
    ----------
    matching : dict
        ``{proposer: receiver or None}``.
    proposer_prefs, receiver_prefs : list of lists or dict
        As in :func:`deferred_acceptance`.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``matching`` is not a dict or preferences are malformed.
    ValueError
        If ``matching`` names unknown agents or matches a receiver twice.

    Examples
    --------
    >>> men = [[0, 1], [0, 1]]
    >>> women = [[1, 0], [1, 0]]
    >>> is_stable({0: 0, 1: 1}, men, women), is_stable({0: 1, 1: 0}, men, women)
    (False, True)
    """
    props, recs = _check_markets(proposer_prefs, receiver_prefs)
    _, _, rank_p, rank_r = _rank_matrices(props, recs)
    partner_of_p, _ = _partners(matching, props, recs)
    matched = np.flatnonzero(partner_of_p < len(recs))
    acceptable = np.isfinite(rank_p[matched, partner_of_p[matched]]) & np.isfinite(
        rank_r[partner_of_p[matched], matched]
    )
    if not acceptable.all():
        return False
    return not blocking_pairs(matching, proposer_prefs, receiver_prefs)
