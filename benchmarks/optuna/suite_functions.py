"""The sample-efficiency suite's functions, written to reproduce Hpo's C# definitions bit for bit
(benchmarks/Hpo.Benchmarks/Suite/*.cs; conventions in benchmarks/README.md): IEEE doubles, squares as x*x, sums left to
right from 0.0, one term at a time, the C library's exp/cos/sin/sqrt/log10 (both CPython and .NET call glibc's libm).

Each function is a dict: name, budget, f_star, params (name -> spec), evaluate(params dict) -> float, and noise_sd (0 for
a deterministic function). A noisy function's observed value is evaluate(p) + noise_sd * noise(seed, index), where index
counts the evaluations of one run from 0 (see `noise`).
"""
import math

PI = math.pi
E = math.e
MASK = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------------------------------
# The five original functions.

def branin(x):
    b = 5.1 / (4.0 * PI * PI)
    c = 5.0 / PI
    t = 1.0 / (8.0 * PI)
    x0, x1 = x[0], x[1]
    u = ((x1 - ((b * x0) * x0)) + (c * x0)) - 6.0
    return (((1.0 * u) * u) + ((10.0 * (1.0 - t)) * math.cos(x0))) + 10.0


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def _hartmann(x, alpha, a, p):
    outer = 0.0
    for i in range(4):
        inner = 0.0
        for j in range(len(x)):
            dd = x[j] - p[i][j]
            inner = inner + ((float(a[i][j]) * dd) * dd)
        outer = outer + (alpha[i] * math.exp(-inner))
    return -outer


def hartmann6(x):
    return _hartmann(x, H6_ALPHA, H6_A, H6_P)


def rosenbrock(x):
    s = 0.0
    for i in range(len(x) - 1):
        t1 = x[i + 1] - x[i] * x[i]
        t2 = x[i] - 1.0
        s = s + (((100.0 * t1) * t1) + (t2 * t2))
    return s


def ackley(x):
    a, b, c = 20.0, 0.2, 2.0 * PI
    d = float(len(x))
    s1 = 0.0
    s2 = 0.0
    for xi in x:
        s1 = s1 + (xi * xi)
        s2 = s2 + math.cos(c * xi)
    return ((((-a) * math.exp((-b) * math.sqrt(s1 / d))) - math.exp(s2 / d)) + a) + E


LOG10_OPT = math.log10(0.003)


def tuning_like(p):
    u = math.log10(p["lr"]) - LOG10_OPT
    f_lr = (0.08 * u) * u if u < 0.0 else (0.30 * u) * u
    k = float(p["layers"] - 3)
    f_layers = (0.04 * k) * k
    f_act = {"relu": 0.05, "tanh": 0.15, "gelu": 0.0, "sigmoid": 0.40}[p["activation"]]
    dstar = 0.10 + (0.05 * float(p["layers"]))
    dd = p["dropout"] - dstar
    f_drop = (1.5 * dd) * dd
    return ((f_lr + f_layers) + f_act) + f_drop


# ---------------------------------------------------------------------------------------------------------------------
# The widened suite (wave 2).

H3_A = [[3.0, 10.0, 30.0], [0.1, 10.0, 35.0], [3.0, 10.0, 30.0], [0.1, 10.0, 35.0]]
H3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]]


def hartmann3(x):
    return _hartmann(x, H6_ALPHA, H3_A, H3_P)


def levy(x):
    """Levy's function: w_i = 1 + (x_i - 1) / 4."""
    d = len(x)
    w = [1.0 + ((xi - 1.0) / 4.0) for xi in x]
    s0 = math.sin(PI * w[0])
    f = s0 * s0
    for i in range(d - 1):
        wm = w[i] - 1.0
        si = math.sin((PI * w[i]) + 1.0)
        f = f + ((wm * wm) * (1.0 + ((10.0 * si) * si)))
    wd = w[d - 1] - 1.0
    sd = math.sin((2.0 * PI) * w[d - 1])
    return f + ((wd * wd) * (1.0 + (sd * sd)))


def styblinski_tang(x):
    s = 0.0
    for xi in x:
        x2 = xi * xi
        s = s + (((x2 * x2) - (16.0 * x2)) + (5.0 * xi))
    return 0.5 * s


SHEKEL_BETA = [0.1, 0.2, 0.2, 0.4, 0.4, 0.6, 0.3, 0.7, 0.5, 0.5]
SHEKEL_C = [[4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
            [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6],
            [4.0, 1.0, 8.0, 6.0, 3.0, 2.0, 5.0, 8.0, 6.0, 7.0],
            [4.0, 1.0, 8.0, 6.0, 7.0, 9.0, 3.0, 1.0, 2.0, 3.6]]


def shekel10(x):
    outer = 0.0
    for i in range(10):
        inner = 0.0
        for j in range(4):
            dd = x[j] - SHEKEL_C[j][i]
            inner = inner + (dd * dd)
        outer = outer + (1.0 / (inner + SHEKEL_BETA[i]))
    return -outer


MIXED_LEVELS = {"a": 2.0, "b": -1.0, "c": 0.0, "d": -2.0, "e": 1.0}


def ackley_mixed(p):
    """Ackley in 6-D over two floats, two integers and two categoricals whose choices stand for unordered levels."""
    x = [p["x0"], p["x1"], float(p["k0"]), float(p["k1"]), MIXED_LEVELS[p["c0"]], MIXED_LEVELS[p["c1"]]]
    return ackley(x)


def splitmix64(state):
    """One SplitMix64 step: returns (new state, output)."""
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def noise(seed, index):
    """A standard normal draw for evaluation `index` of the run with `seed` (Box-Muller on two SplitMix64 outputs)."""
    state = (((seed & 0xFFFFFFFF) << 32) ^ (index & 0xFFFFFFFF)) & MASK
    state, a = splitmix64(state)
    state, b = splitmix64(state)
    u1 = ((a >> 11) + 1) * (1.0 / 9007199254740992.0)   # (0, 1]
    u2 = (b >> 11) * (1.0 / 9007199254740992.0)         # [0, 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos((2.0 * PI) * u2)


def _box(name, f, lows, highs, budget, f_star, noise_sd=0.0):
    params = {"x%d" % i: ("float", lo, hi, False) for i, (lo, hi) in enumerate(zip(lows, highs))}
    names = list(params)
    return {"name": name, "budget": budget, "f_star": f_star, "params": params, "noise_sd": noise_sd,
            "evaluate": lambda p: f([p[n] for n in names])}


FUNCTIONS = [
    _box("branin", branin, [-5.0, 0.0], [10.0, 15.0], 50, 0.39788735772973816),
    _box("hartmann6", hartmann6, [0.0] * 6, [1.0] * 6, 100, -3.322368011415515),
    _box("rosenbrock5", rosenbrock, [-5.0] * 5, [10.0] * 5, 100, 0.0),
    _box("ackley5", ackley, [-32.768] * 5, [32.768] * 5, 100, 0.0),
    {"name": "tuning_like", "budget": 100, "f_star": 0.0, "noise_sd": 0.0, "evaluate": tuning_like,
     "params": {"lr": ("float", 1e-5, 1.0, True), "layers": ("int", 1, 8), "activation": ("cat", ["relu", "tanh", "gelu", "sigmoid"]),
                "dropout": ("float", 0.0, 0.8, False)}},
    # wave 2
    _box("hartmann3", hartmann3, [0.0] * 3, [1.0] * 3, 60, None),
    _box("levy10", levy, [-10.0] * 10, [10.0] * 10, 150, 0.0),
    {"name": "ackley_mixed", "budget": 100, "f_star": 0.0, "noise_sd": 0.0, "evaluate": ackley_mixed,
     "params": {"x0": ("float", -5.0, 5.0, False), "x1": ("float", -5.0, 5.0, False), "k0": ("int", -5, 5), "k1": ("int", -5, 5),
                "c0": ("cat", ["a", "b", "c", "d", "e"]), "c1": ("cat", ["a", "b", "c", "d", "e"])}},
    _box("shekel10", shekel10, [0.0] * 4, [10.0] * 4, 100, None),
    _box("styblinski_tang20", styblinski_tang, [-5.0] * 20, [5.0] * 20, 200, None),
    _box("hartmann6_noisy", hartmann6, [0.0] * 6, [1.0] * 6, 100, -3.322368011415515, noise_sd=0.1),
]

BY_NAME = {f["name"]: f for f in FUNCTIONS}
