"""Writes the wave-2 functions' test vectors into ../Hpo.Benchmarks/Suite/test_vectors.json (the entries of the other
functions are kept as they are): per function its optimum and 20 random points, with their values as repr strings.
A port that reproduces every value bit for bit is faithful.  Usage: python3 make_test_vectors.py
"""
import json
import os
import random

import suite_functions as s

NEW = ["hartmann3", "levy10", "ackley_mixed", "shekel10", "styblinski_tang20", "hartmann6_noisy"]
OPTIMA = {
    "hartmann3": {"x0": 0.11461433099999999, "x1": 0.5556488499999997, "x2": 0.8525469499999998},
    "levy10": {"x%d" % i: 1.0 for i in range(10)},
    "ackley_mixed": {"x0": 0.0, "x1": 0.0, "k0": 0, "k1": 0, "c0": "c", "c1": "c"},
    "shekel10": {"x0": 4.000746871, "x1": 3.999509480999999, "x2": 4.0007468699999995, "x3": 3.999509479999999},
    "styblinski_tang20": {"x%d" % i: -2.90353402 for i in range(20)},
    "hartmann6_noisy": {"x0": 0.20168951022914028, "x1": 0.15001069359189184, "x2": 0.4768739710429654,
                        "x3": 0.2753324295798928, "x4": 0.31165161608190733, "x5": 0.6573005338241086},
}


def draw(rng, spec):
    kind = spec[0]
    if kind == "float":
        return rng.uniform(spec[1], spec[2])
    if kind == "int":
        return rng.randint(spec[1], spec[2])
    return rng.choice(spec[1])


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Hpo.Benchmarks", "Suite", "test_vectors.json")
    with open(path) as f:
        entries = [e for e in json.load(f) if e["function"] not in NEW]
    rng = random.Random(20261206)
    for name in NEW:
        fn = s.BY_NAME[name]
        points = [OPTIMA[name]] + [{p: draw(rng, spec) for p, spec in fn["params"].items()} for _ in range(20)]
        for p in points:
            v = fn["evaluate"](p)
            entries.append({"function": name, "params": p, "value": v, "value_repr": repr(v)})
    with open(path, "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
