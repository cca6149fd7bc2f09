"""The options: Python keyword arguments, one to one with the command line's options, into the C++ core's
CompareConfig. Each option has a converter that checks its Python type (TypeError naming the parameter) and
writes the config field(s); range checks are the library's (validate_compare_config), whose messages the core
renders in Python terms."""
import numbers
import operator
from typing import Any, Callable, Dict

from . import _core

CHOICES = {
    "metric": ("cosine", "dot", "euclidean"),
    "knn": ("exact", "clustered", "hnsw", "auto"),
    "symmetrize": ("union", "mutual"),
    "test": ("neighbourhood", "neighborhood", "omnibus", "none"),
    "null": ("empirical", "analytic", "pooled", "correlated", "first", "second", "paper"),
    "bootstrap_p": ("pooled", "count", "moments"),
    "correction": ("bh", "by", "holm", "none"),
    "header": ("auto", "yes", "no"),
    "distance": ("omnibus", "direction", "normalised_omnibus", "knn_jaccard", "mutual_knn", "linear_cka"),
    "measures": ("all", "map"),
}


def _or(choices) -> str:
    quoted = [repr(c) for c in choices]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def choice(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str ({_or(CHOICES[name])}), got {type(value).__name__}")
    if value not in CHOICES[name]:
        raise ValueError(f"{name} must be {_or(CHOICES[name])}, got {value!r}")
    return value


def integer(name: str, value: Any, low: int = -(2**31), high: int = 2**31 - 1) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}, got {value}")
    return value


def real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a float, got {type(value).__name__}")
    return float(value)


def flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    return value


def _k(c, v):
    # None: the default (ceil(2 ln n) in [8, 64]); an explicit k <= 0 is refused by the library, not defaulted
    c.knn.k = 0 if v is None else max(integer("k", v), -1) or -1


def _dim(c, v):
    if isinstance(v, str) and v == "auto":
        c.omnibus.dim = 0
        return
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"dim must be 'auto' or a positive integer, got {v!r}")
    c.omnibus.dim = integer("dim", v)


def _test(c, v):
    v = choice("test", v)
    c.per_datum_tests = v != "none"
    if v != "none":
        c.test.statistic = v


def _threads(c, v):
    c.knn.threads = c.test.threads = integer("threads", v)


def _model_pair(key):
    def set_pair(c, v):
        if v is None:
            setattr(c, key, [])
            return
        pair = v.split(",") if isinstance(v, str) else list(v)
        for name in pair:
            if not isinstance(name, str):
                raise TypeError(f"{key}: model names must be str, got {type(name).__name__}")
        setattr(c, key, pair)
    return set_pair


def _memory_limit(c, v):
    if v is None:
        c.input.memory_limit = 0
    elif isinstance(v, str):
        c.input.memory_limit = _core.parse_byte_size(v)  # "8G", "512M": the CLI's reader and messages
    elif isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"memory_limit must be an int (bytes) or a str such as '8G', got {type(v).__name__}")
    elif v <= 0:
        raise ValueError(f"memory_limit must be positive, got {v}")
    else:
        c.input.memory_limit = integer("memory_limit", v, 1, 2**64 - 1)


def _field(name: str, path: str, convert: Callable[[str, Any], Any]) -> Callable:
    """A setter writing one config field (dotted path) from the converted value of option ``name``."""
    *parents, last = path.split(".")

    def setter(c, v):
        target = c
        for p in parents:
            target = getattr(target, p)
        setattr(target, last, convert(name, v))

    return setter


# Python parameter -> setter of the CompareConfig, in the CLI's order: (config path, converter) for one field,
# or a function for the options that set more than one.
_OPTIONS: Dict[str, Any] = {
    "k": _k,
    "metric": ("knn.metric", choice),
    "knn": ("knn.method", choice),
    "symmetrize": ("knn.symmetrize", choice),
    "dim": _dim,
    "elbows": ("omnibus.elbows", integer),
    "max_dim": ("omnibus.search", lambda n, v: 0 if v is None else integer(n, v)),
    "pairwise": ("pairwise", flag),
    "distance": ("measures.map", choice),
    "direction_dim": ("measures.direction_dim", integer),
    "normalised_dim": ("measures.normalised_dim", integer),
    "measures": ("measures.simple", lambda n, v: choice(n, v) == "all"),
    "manifold_dim": ("manifold_dim", integer),
    "test": _test,
    "null": ("test.null", choice),
    "bootstrap": ("test.bootstrap", integer),
    "bootstrap_p": ("test.bootstrap_p", choice),
    "alpha": ("test.alpha", real),
    "correction": ("test.correction", choice),
    "reference": ("reference", lambda n, v: "" if v is None else text(n, v)),
    "test_pair": _model_pair("test_pair"),
    "report_pair": _model_pair("report_pair"),
    "seed": ("seed", lambda n, v: integer(n, v, 0, 2**64 - 1)),
    "threads": _threads,
    "drop_invalid": ("input.drop_invalid", flag),
    "memory_limit": _memory_limit,
    "header": ("input.header", choice),
}
SETTERS: Dict[str, Callable] = {
    name: _field(name, *entry) if isinstance(entry, tuple) else entry for name, entry in _OPTIONS.items()
}


def make_config(**options: Any) -> "_core.CompareConfig":
    """A CompareConfig from Python options (any subset of SETTERS; the rest keep the library's defaults)."""
    config = _core.CompareConfig()
    for name, value in options.items():
        SETTERS[name](config, value)
    return config


def estimator_config(**options: Any) -> "_core.CompareConfig":
    """The config of DataKernel / OmnibusEmbedding: no per-datum tests; the seed drives the eigen-solver."""
    config = make_config(**options)
    config.per_datum_tests = False
    config.omnibus.seed = config.seed
    return config
