"""Runs Optuna 3.1's samplers on the sample-efficiency suite and writes the suite's JSONL format (benchmarks/README.md).

    python3 run_optuna.py --check-vectors
    python3 run_optuna.py --samplers random,tpe,tpe_mv,cmaes,nsga2,qmc --seed-start 10 --seeds 30 \
        [--functions hartmann3,levy10] --out results/optuna31.jsonl

Uses Debian's python3-optuna (3.1.0; apt-get install python3-optuna python3-scipy). The functions come from
suite_functions.py, bit-identical to the C# ones (--check-vectors proves it against Suite/test_vectors.json). Every problem
is minimised sequentially in a fresh in-memory study with the function's budget. A noisy function is observed with
noise_sd * noise(seed, index) added, and a run is scored by the true value of the best observed trial (Optuna's
best_trial), so final_regret is then not best_so_far[-1] - f_star.
"""
import argparse
import json
import math
import os
import sys
import time

import suite_functions as s

SAMPLERS = ["random", "tpe", "tpe_mv", "cmaes", "nsga2", "qmc"]


def make_sampler(name, seed):
    import optuna
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe_mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=10)
    if name == "qmc":
        return optuna.samplers.QMCSampler(qmc_type="sobol", seed=seed)
    raise SystemExit("unknown sampler %r; known: %s" % (name, ", ".join(SAMPLERS)))


def suggest(trial, params):
    p = {}
    for name, spec in params.items():
        if spec[0] == "float":
            p[name] = trial.suggest_float(name, spec[1], spec[2], log=spec[3])
        elif spec[0] == "int":
            p[name] = trial.suggest_int(name, spec[1], spec[2])
        else:
            p[name] = trial.suggest_categorical(name, spec[1])
    return p


def run_one(fn, sampler_name, seed):
    import optuna
    study = optuna.create_study(direction="minimize", sampler=make_sampler(sampler_name, seed))
    in_function = [0.0]
    count = [0]

    def objective(trial):
        p = suggest(trial, fn["params"])
        t0 = time.perf_counter()
        v = fn["evaluate"](p)
        if fn["noise_sd"] > 0.0:
            v = v + fn["noise_sd"] * s.noise(seed, count[0])
        count[0] += 1
        in_function[0] += time.perf_counter() - t0
        return v

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=fn["budget"])
    wall = time.perf_counter() - t0
    best, curve = math.inf, []
    for t in study.trials:
        best = min(best, t.value)
        curve.append(best)
    final = curve[-1]
    if fn["noise_sd"] > 0.0:
        final = fn["evaluate"](study.best_trial.params)
    return {"function": fn["name"], "sampler": "optuna." + sampler_name, "seed": seed, "best_so_far": curve,
            "final_regret": final - f_star(fn), "wall_s": wall, "per_trial_overhead_ms": (wall - in_function[0]) * 1000.0 / fn["budget"],
            "budget": fn["budget"], "f_star": f_star(fn)}


def f_star(fn):
    if fn["f_star"] is not None:
        return fn["f_star"]
    return {"hartmann3": -3.8627821478207545, "shekel10": -10.536443153483528, "styblinski_tang20": -783.3233140754284}[fn["name"]]


def check_vectors():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Hpo.Benchmarks", "Suite", "test_vectors.json")
    with open(path) as f:
        vectors = json.load(f)
    bad = 0
    for v in vectors:
        got = s.BY_NAME[v["function"]]["evaluate"](v["params"])
        if repr(got) != v["value_repr"]:
            bad += 1
            print("MISMATCH %s %s: expected %s, got %r" % (v["function"], v["params"], v["value_repr"], got))
    print("%d vectors, %d mismatches" % (len(vectors), bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check-vectors", action="store_true")
    ap.add_argument("--samplers", default=",".join(SAMPLERS))
    ap.add_argument("--seed-start", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--functions", default="")
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.check_vectors:
        return check_vectors()
    if not a.out:
        ap.error("--out is required")
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings
    warnings.filterwarnings("ignore")
    names = [n for n in a.functions.split(",") if n] or [f["name"] for f in s.FUNCTIONS]
    samplers = [n for n in a.samplers.split(",") if n]
    for n in samplers:
        make_sampler(n, 0)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "a") as out:
        for name in names:
            fn = s.BY_NAME[name]
            for sampler in samplers:
                for seed in range(a.seed_start, a.seed_start + a.seeds):
                    r = run_one(fn, sampler, seed)
                    out.write(json.dumps(r, separators=(",", ":")) + "\n")
                    out.flush()
                    print("%-18s %-8s seed %3d: regret %.6g  overhead %.2f ms/trial" % (name, sampler, seed, r["final_regret"], r["per_trial_overhead_ms"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
