"""A plain reference GP-BO (scikit-learn) on the sample-efficiency suite, in the suite's JSONL format (benchmarks/README.md).

    /usr/bin/python3 run_reference_gp.py --variants plain,log --seed-start 10 --seeds 30 \
        [--functions hartmann3,levy10] --out results/refgp.jsonl

Needs Debian's python3-sklearn (1.2) and python3-scipy; the functions come from suite_functions.py (bit-identical to the
C# ones, see run_optuna.py --check-vectors). This is the textbook GP-BO the issue's held-out check calls "a plain
reference GP", written so that a user would recognise every choice:

- Search space: every parameter mapped to [0, 1] (floats linearly or in log, integers as a continuous coordinate rounded
  on decoding, categoricals one-hot, decoded by argmax). Every point the model sees is a decoded (valid) point.
- Initial design: a scrambled Sobol sequence (scipy.stats.qmc, seeded) of n_init = min(max(10, D + 1), budget // 2)
  points, D the encoded dimension.
- Model: scikit-learn GaussianProcessRegressor, kernel Constant * Matern(nu=2.5, ARD lengthscales in [1e-2, 1e2]) +
  White(noise in [1e-10, 1e-1]) on standardised targets (normalize_y=True), hyperparameters by maximum marginal
  likelihood with L-BFGS-B from the previous optimum plus 2 random restarts.
- Targets: variant "plain" models y; variant "log" models log(y - min(y) + eps), eps = 1e-3 * (max(y) - min(y)) + 1e-12
  (recomputed at every fit from the observed values), the usual "log-warped" reference GP.
- Acquisition: expected improvement over the best transformed observation, maximised by 2,000 uniform random candidates
  plus 500 Gaussian perturbations (sd 0.05 in the unit cube) of the 5 best observations, then L-BFGS-B (finite-difference
  gradients, at most 150 function evaluations each) from the 3 best candidates; the best decoded point by EI is proposed.
- Result: on a noise-free function the best observed value (as for every sampler in the suite); on a noisy function the
  true value of the observed point with the lowest posterior mean (the reference GP's recommendation).
"""
import argparse
import json
import math
import os
import sys
import time
import warnings
warnings.filterwarnings("ignore", message="The balance properties")

import numpy as np

import suite_functions as s
from run_optuna import f_star

VARIANTS = ["plain", "log"]


class Space:
    """Maps a suite parameter dict to the unit cube and back."""

    def __init__(self, params):
        self.specs = list(params.items())
        self.slices = []
        d = 0
        for _, spec in self.specs:
            width = len(spec[1]) if spec[0] == "cat" else 1
            self.slices.append((d, d + width))
            d += width
        self.dim = d

    def decode(self, u):
        p = {}
        for (name, spec), (a, b) in zip(self.specs, self.slices):
            if spec[0] == "float":
                t = min(max(u[a], 0.0), 1.0)
                if spec[3]:
                    lo, hi = math.log(spec[1]), math.log(spec[2])
                    p[name] = min(max(math.exp(lo + t * (hi - lo)), spec[1]), spec[2])
                else:
                    p[name] = spec[1] + t * (spec[2] - spec[1])
            elif spec[0] == "int":
                t = min(max(u[a], 0.0), 1.0)
                p[name] = int(min(max(round(spec[1] - 0.5 + t * (spec[2] - spec[1] + 1)), spec[1]), spec[2]))
            else:
                p[name] = spec[1][int(np.argmax(u[a:b]))]
        return p

    def encode(self, p):
        u = np.zeros(self.dim)
        for (name, spec), (a, b) in zip(self.specs, self.slices):
            if spec[0] == "float":
                if spec[3]:
                    lo, hi = math.log(spec[1]), math.log(spec[2])
                    u[a] = (math.log(p[name]) - lo) / (hi - lo)
                else:
                    u[a] = (p[name] - spec[1]) / (spec[2] - spec[1])
            elif spec[0] == "int":
                u[a] = (p[name] - spec[1] + 0.5) / (spec[2] - spec[1] + 1)
            else:
                u[a + spec[1].index(p[name])] = 1.0
        return u

    def project(self, u):
        return self.encode(self.decode(u))


def transform(y, variant):
    if variant == "plain":
        return y.copy()
    lo, hi = float(np.min(y)), float(np.max(y))
    return np.log(y - lo + (1e-3 * (hi - lo) + 1e-12))


def fit(X, z, rng):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    d = X.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5) \
        + WhiteKernel(1e-6, (1e-10, 1e-1))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=2,
                                  random_state=int(rng.integers(0, 2**31 - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp.fit(X, z)
    return gp


def expected_improvement(gp, U, best):
    from scipy.stats import norm
    mu, sd = gp.predict(np.atleast_2d(U), return_std=True)
    sd = np.maximum(sd, 1e-12)
    g = (best - mu) / sd
    return (best - mu) * norm.cdf(g) + sd * norm.pdf(g)


def propose(gp, space, X, z, rng):
    from scipy.optimize import minimize
    best = float(np.min(z))
    d = space.dim
    cand = [rng.random((2000, d))]
    for i in np.argsort(z)[:5]:
        cand.append(np.clip(X[i] + 0.05 * rng.standard_normal((100, d)), 0.0, 1.0))
    C = np.vstack(cand)
    C = np.array([space.project(c) for c in C])
    ei = expected_improvement(gp, C, best)
    order = np.argsort(-ei)
    top_u, top_ei = C[order[0]], ei[order[0]]
    for j in order[:3]:
        res = minimize(lambda u: -expected_improvement(gp, u, best)[0], C[j], method="L-BFGS-B",
                       bounds=[(0.0, 1.0)] * d, options={"maxfun": 150})
        u = space.project(res.x)
        e = expected_improvement(gp, u, best)[0]
        if e > top_ei:
            top_u, top_ei = u, e
    return top_u


def run_one(fn, variant, seed):
    from scipy.stats import qmc
    rng = np.random.default_rng(seed)
    space = Space(fn["params"])
    budget = fn["budget"]
    n_init = min(max(10, space.dim + 1), budget // 2)
    sobol = qmc.Sobol(d=space.dim, scramble=True, seed=seed).random(n_init)
    X, y, true_y = [], [], []
    in_function = 0.0
    t0 = time.perf_counter()
    gp = None
    for i in range(budget):
        if i < n_init:
            u = space.project(sobol[i])
        else:
            Xa = np.array(X)
            z = transform(np.array(y), variant)
            gp = fit(Xa, z, rng)
            u = propose(gp, space, Xa, z, rng)
        p = space.decode(u)
        t1 = time.perf_counter()
        v = fn["evaluate"](p)
        true_y.append(v)
        if fn["noise_sd"] > 0.0:
            v = v + fn["noise_sd"] * s.noise(seed, i)
        in_function += time.perf_counter() - t1
        X.append(space.encode(p))
        y.append(v)
    wall = time.perf_counter() - t0
    best, curve = math.inf, []
    for v in y:
        best = min(best, v)
        curve.append(best)
    fs = f_star(fn)
    final = curve[-1]
    if fn["noise_sd"] > 0.0:
        Xa = np.array(X)
        gp = fit(Xa, transform(np.array(y), variant), rng)
        final = true_y[int(np.argmin(gp.predict(Xa)))]
    return {"function": fn["name"], "sampler": "refgp." + variant, "seed": seed, "best_so_far": curve,
            "final_regret": final - fs, "wall_s": wall,
            "per_trial_overhead_ms": (wall - in_function) * 1000.0 / budget, "budget": budget, "f_star": fs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--seed-start", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--functions", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    variants = [v for v in a.variants.split(",") if v]
    for v in variants:
        if v not in VARIANTS:
            ap.error("--variants: unknown variant %r; known: %s" % (v, ", ".join(VARIANTS)))
    names = [n for n in a.functions.split(",") if n] or [f["name"] for f in s.FUNCTIONS]
    for n in names:
        if n not in s.BY_NAME:
            ap.error("--functions: unknown function %r; known: %s" % (n, ", ".join(s.BY_NAME)))
    if a.seeds < 1:
        ap.error("--seeds must be at least 1, got %d" % a.seeds)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "a") as out:
        for name in names:
            for seed in range(a.seed_start, a.seed_start + a.seeds):
                for variant in variants:
                    r = run_one(s.BY_NAME[name], variant, seed)
                    out.write(json.dumps(r, separators=(",", ":")) + "\n")
                    out.flush()
                    print("%-18s %-6s seed %3d: regret %.6g  overhead %.1f ms/trial" % (name, variant, seed, r["final_regret"], r["per_trial_overhead_ms"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
