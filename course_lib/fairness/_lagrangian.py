"""fairlearn's ``_Lagrangian``: the game between the learner and the regulator.

The Lagrangian ``L(Q, lambda) = error(Q) + lambda . (gamma(Q) - eps)`` of a
mixture ``Q`` of best responses, its duality gap, the best response to a
multiplier vector, and the linear program over the convex hull of the
classifiers found so far, as fairlearn 0.15's ``_Lagrangian``
(``fairlearn/reductions/_exponentiated_gradient/_lagrangian.py``), on numpy
arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize as opt

from course_lib.fairness._oracle import Oracle, Response

__all__ = ["PRECISION", "Gap", "Lagrangian"]

# fairlearn 0.15's _PRECISION (fairlearn/reductions/_exponentiated_gradient).
PRECISION = 1e-8


@dataclass
class Gap:
    """The Lagrangian at the current mixture and its lower and upper bounds."""

    L: float
    L_low: float
    L_high: float
    gamma: np.ndarray
    error: float

    def gap(self) -> float:
        return max(self.L - self.L_low, self.L_high - self.L)


class Lagrangian:
    """fairlearn's Lagrangian on numpy arrays."""

    def __init__(self, oracle: Oracle, B: float) -> None:
        self.oracle = oracle
        self.cons = oracle.cons
        self.B = B
        self.bound = self.cons.bound()
        self.hs: list[Response] = []
        self.errors = np.zeros(0)
        self.gammas = np.zeros((len(self.bound), 0))
        self.lambdas: list[np.ndarray] = []
        self.last_lp_n = 0
        self.last_lp: Any = None

    def _eval(
        self, Q: np.ndarray, lam: np.ndarray
    ) -> tuple[float, float, np.ndarray, float]:
        Q = np.pad(Q, (0, len(self.errors) - len(Q)))
        error = float(self.errors @ Q)
        gamma = self.gammas @ Q
        lam = self.cons.project_lambda(lam)
        L = error + float(np.sum(lam * (gamma - self.bound)))
        max_c = float(np.max(gamma - self.bound))
        L_high = error + (self.B * max_c if max_c > 0 else 0.0)
        return L, L_high, gamma, error

    def eval_gap(self, Q: np.ndarray, lam_hat: np.ndarray, nu: float) -> Gap:
        L, L_high, gamma, error = self._eval(Q, lam_hat)
        res = Gap(L, L, L_high, gamma, error)
        for mul in (1.0, 2.0, 5.0, 10.0):
            h_idx = self.best_h(mul * lam_hat)
            e = np.zeros(len(self.errors))
            e[h_idx] = 1.0
            L_low_mul = self._eval(e, lam_hat)[0]
            if L_low_mul < res.L_low:
                res.L_low = L_low_mul
            if res.gap() > nu + PRECISION:
                break
        return res

    def solve_linprog(self, nu: float) -> tuple[np.ndarray, np.ndarray, Gap]:
        n_hs = len(self.hs)
        k = len(self.bound)
        if self.last_lp_n == n_hs:
            return self.last_lp
        c = np.concatenate([self.errors, [self.B]])
        A_ub = np.concatenate([self.gammas - self.bound[:, None], -np.ones((k, 1))], 1)
        b_ub = np.zeros(k)
        A_eq = np.concatenate([np.ones((1, n_hs)), np.zeros((1, 1))], axis=1)
        b_eq = np.ones(1)
        res = opt.linprog(
            c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs-ds"
        )
        Q = res.x[:-1]
        dual = opt.linprog(
            np.concatenate([b_ub, -b_eq]),
            A_ub=np.concatenate([-A_ub.T, A_eq.T], axis=1),
            b_ub=c,
            bounds=[(0, None)] * k + [(None, None)],
            method="highs-ds",
        )
        lam = dual.x[:-1]
        self.last_lp_n = n_hs
        self.last_lp = (Q, lam, self.eval_gap(Q, lam, nu))
        return self.last_lp

    def best_h(self, lam: np.ndarray) -> int:
        resp = self.oracle(lam)
        h_value = resp.error + float(resp.gamma @ lam)
        if self.hs:
            values = self.errors + self.gammas.T @ lam
            best_idx = int(np.argmin(values))
            best_value = values[best_idx]
        else:
            best_idx, best_value = -1, np.inf
        if h_value < best_value - PRECISION:
            self.hs.append(resp)
            self.errors = np.append(self.errors, resp.error)
            self.gammas = np.column_stack([self.gammas, resp.gamma])
            self.lambdas.append(lam.copy())
            best_idx = len(self.hs) - 1
        return best_idx
