"""datakernel: compare foundation models by the geometry of their embeddings (data kernels).

A thin layer over the C++ library that the ``datakernel`` command line uses; same algorithms, same results.

Arrays in: 2-D, C-contiguous float32 or float64 arrays are used in place, without a copy. Anything else
(other dtypes, Fortran order, strided views, lists) is converted once, on entry to ``fit``/``compare``, to a
C-contiguous array (float64 input stays float64, everything else becomes float32), and a
``ConversionWarning`` says so. The GIL is released while the library computes; Ctrl-C interrupts a long run
(``KeyboardInterrupt``). Bad input raises ``ValueError`` with the same message as the command line.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core

__version__ = _core.__version__
__all__ = ["DataKernel", "OmnibusEmbedding", "compare", "CompareResult", "PairTest", "ConversionWarning"]


class ConversionWarning(UserWarning):
    """An input array was converted (dtype or memory layout) before it could be used in place."""


def _as_matrix(y, name: str) -> np.ndarray:
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype in (np.float32, np.float64) and y.flags.c_contiguous:
        return y
    array = np.asarray(y)
    target = np.float64 if array.dtype == np.float64 else np.float32
    converted = np.ascontiguousarray(array, dtype=target)
    warnings.warn(
        f"{name}: converted {array.dtype}{'' if array.flags.c_contiguous else ' (not C-contiguous)'} to a "
        f"C-contiguous {np.dtype(target).name} array once; pass C-contiguous float32/float64 to avoid the copy",
        ConversionWarning,
        stacklevel=3,
    )
    return converted


def _is_graph(x) -> bool:
    return hasattr(x, "tocsr") or (isinstance(x, tuple) and len(x) == 2)


def _csr_array(values, name: str, what: str) -> np.ndarray:
    """A 1-D integer array as int64 (lossless); anything else is a ValueError, never a silent wrap-around."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name}: {what} must be a 1-D integer array, got {array.ndim}-D")
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name}: {what} has a value {array.max()} out of range")
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        raise ValueError(f"{name}: {what} must be an integer array, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)


def _as_csr(graph, name: str):
    """scipy.sparse matrix or (indptr, indices) -> (int64 indptr, int64 indices, n), binary pattern. The library
    checks the arrays (bounds, monotone indptr, symmetry) before it reads them."""
    if hasattr(graph, "tocsr"):
        csr = graph.tocsr()
        if csr.shape[0] != csr.shape[1]:
            raise ValueError(f"{name}: a data kernel must be square, got {csr.shape}")
        if csr.nnz and not np.all(np.isin(csr.data, (0, 1))):
            raise ValueError(f"{name}: entries must be 0/1 (a data kernel is binary)")
        csr = csr.copy()
        csr.eliminate_zeros()
        n = csr.shape[0]
        indptr, indices = csr.indptr, csr.indices
    else:
        indptr, indices = graph
    indptr = _csr_array(indptr, name, "indptr")
    indices = _csr_array(indices, name, "indices")
    n = max(len(indptr) - 1, 0)
    return (indptr, indices, int(n))


def _inputs(items: Sequence, names: Sequence[str]) -> list:
    return [_as_csr(x, n) if _is_graph(x) else _as_matrix(x, n) for x, n in zip(items, names)]


class DataKernel:
    """The data kernel of one model: the exact k-nearest-neighbour graph of its embeddings.

    Parameters: ``k`` (None: ceil(2 ln n) in [8, 64]), ``metric`` ("cosine", "dot", "euclidean"),
    ``symmetrize`` ("union", "mutual"), ``threads`` (0: all cores).
    Fitted attributes: ``graph_`` (scipy.sparse CSR matrix when scipy is installed, else a tuple
    ``(indptr, indices)``), ``n_``.
    """

    def __init__(self, k: Optional[int] = None, metric: str = "cosine", symmetrize: str = "union", threads: int = 0):
        self.k = k
        self.metric = metric
        self.symmetrize = symmetrize
        self.threads = threads

    def fit(self, Y) -> "DataKernel":
        y = _as_matrix(Y, "Y")
        indptr, indices = _core.knn_graph(y, self.k, self.metric, self.symmetrize, self.threads)
        self.n_ = y.shape[0]
        try:
            import scipy.sparse

            self.graph_ = scipy.sparse.csr_matrix(
                (np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(self.n_, self.n_)
            )
        except ImportError:
            self.graph_ = (indptr, indices)
        return self


class OmnibusEmbedding:
    """Joint (omnibus) spectral embedding of m models' data kernels; aligned latent positions, no Procrustes.

    ``fit`` takes a list of embedding matrices (n × p_g) or of graphs (scipy.sparse or (indptr, indices)).
    Parameters: ``dim`` ("auto": Zhu–Ghodsi elbow ``elbows`` over ``max_dim`` eigenvalues; or an int),
    ``k``, ``metric``, ``symmetrize`` (for embedding inputs), ``seed``, ``threads``.
    Fitted attributes: ``latent_`` (m × n × d), ``eigenvalues_`` (by descending magnitude), ``dim_``,
    ``dim_rule_``, ``near_degenerate_``.
    """

    def __init__(self, dim: Union[str, int] = "auto", elbows: int = 2, max_dim: int = 0, k: Optional[int] = None,
                 metric: str = "cosine", symmetrize: str = "union", seed: int = 0, threads: int = 0):
        self.dim = dim
        self.elbows = elbows
        self.max_dim = max_dim
        self.k = k
        self.metric = metric
        self.symmetrize = symmetrize
        self.seed = seed
        self.threads = threads

    def fit(self, inputs: Sequence) -> "OmnibusEmbedding":
        items = _inputs(list(inputs), [f"input {g}" for g in range(len(inputs))])
        latent, eigenvalues, dim, rule, degenerate = _core.omnibus(
            items, self.k, self.metric, self.symmetrize, self.dim, self.elbows, self.max_dim, self.seed, self.threads
        )
        m = len(items)
        self.latent_ = latent.reshape(m, latent.shape[0] // m, latent.shape[1])
        self.eigenvalues_ = eigenvalues
        self.dim_ = dim
        self.dim_rule_ = rule
        self.near_degenerate_ = degenerate
        return self


@dataclass
class PairTest:
    """Per-datum test of one model pair: statistic, p-value, q-value (corrected over the pair's n data) and
    rejection per datum, with the neighbourhood measures beside them: ``jaccard`` (kNN Jaccard distance) and
    ``rank_change`` (top-k footrule; NaN when a model was given as a graph)."""

    model_a: str
    model_b: str
    statistic: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    rejected: np.ndarray
    jaccard: np.ndarray
    rank_change: np.ndarray
    statistic_name: str = "neighbourhood"
    null: str = "empirical"


@dataclass
class CompareResult:
    """What ``compare`` returns: ``names``, ``distances`` (m × m), ``manifold`` (m × c), ``tests``."""

    names: List[str]
    distances: np.ndarray
    manifold: np.ndarray
    tests: List[PairTest]
    _core_result: object = field(repr=False)

    def summary(self) -> dict:
        """The same dict as the command line's summary.json."""
        return json.loads(self._core_result.summary_json())

    def save(self, directory: str) -> None:
        """Write the same files as the command line (summary.json, CSVs, report.html) into ``directory``."""
        self._core_result.save(os.fspath(directory))

    def report(self, path: str) -> None:
        """Write the HTML report to ``path``."""
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "results")
            self._core_result.save(out)
            shutil.copyfile(os.path.join(out, "report.html"), os.fspath(path))


def compare(
    models: Mapping[str, object],
    k: Optional[int] = None,
    metric: str = "cosine",
    symmetrize: str = "union",
    dim: Union[str, int] = "auto",
    elbows: int = 2,
    max_dim: int = 0,
    pairwise: bool = False,
    manifold_dim: int = 2,
    test: str = "neighbourhood",
    bootstrap: int = 1000,
    bootstrap_p: str = "pooled",
    null: str = "empirical",
    alpha: float = 0.05,
    correction: str = "bh",
    reference: Optional[str] = None,
    seed: int = 0,
    threads: int = 0,
    ids: Optional[Sequence[str]] = None,
    metrics: Optional[Mapping[str, Mapping[str, float]]] = None,
    progress: Optional[Callable[[str, int, int], None]] = None,
) -> CompareResult:
    """Compare m >= 2 models embedding the same n data, as ``datakernel compare`` does.

    ``models`` maps a name to embeddings (n × p_g array) or a precomputed graph (scipy.sparse).
    ``metrics`` maps a metric name to {model name: value}. ``progress(stage, done, total)`` is called
    during long stages. ``test`` is the per-datum statistic ("neighbourhood", "omnibus" or "none"),
    ``null`` its null ("empirical", "analytic" with ``test="omnibus"``, or a bootstrap null "pooled",
    "correlated", "first", "second", "paper" with ``test="omnibus"`` and ``bootstrap`` replicates,
    whose p-values are ``bootstrap_p="pooled"`` (continuous to 1/(nB)), ``"count"`` or ``"moments"``).
    Parameters mirror the command line's options (see its README).
    """
    names = list(models)
    items = _inputs([models[n] for n in names], names)
    metric_names = list(metrics) if metrics else []
    metric_values = []
    for m in metric_names:
        unknown = set(metrics[m]) - set(names)
        if unknown:
            raise ValueError(f"metrics: metric '{m}' names unknown model(s) {sorted(unknown)}")
        missing = [n for n in names if n not in metrics[m]]
        if missing:
            raise ValueError(f"metrics: metric '{m}' has no value for model(s) {missing}")
        metric_values.append([float(metrics[m][n]) for n in names])
    result = _core.compare(
        items, names, k, metric, symmetrize, dim, elbows, max_dim, pairwise, manifold_dim, test, bootstrap, bootstrap_p, null, alpha,
        correction, reference or "", seed, threads, list(ids) if ids is not None else [], metric_names,
        metric_values, progress,
    )
    tests = [PairTest(a, b, s, p, q, r.astype(bool), j, rc, sn, nl) for a, b, s, p, q, r, j, rc, sn, nl in result.tests()]
    return CompareResult(names, result.distances(), result.manifold(), tests, result)
