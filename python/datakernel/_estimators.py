"""DataKernel and OmnibusEmbedding: estimators in scikit-learn's conventions (``get_params``/``set_params``,
``fit`` returning self, ``fit_transform``, fitted attributes ending in ``_``) without depending on scikit-learn."""
import inspect
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from . import _core
from ._inputs import as_matrix, estimator_inputs
from . import _progress
from ._options import estimator_config


class _Params:
    """get_params / set_params / repr from the parameters of ``__init__`` (stored under the same names)."""

    @classmethod
    def _get_param_names(cls) -> List[str]:
        return sorted(p for p in inspect.signature(cls.__init__).parameters if p != "self")

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The estimator's parameters.

        Parameters
        ----------
        deep : bool, default True
            Accepted for scikit-learn compatibility (these estimators hold no nested estimators).

        Returns
        -------
        dict
            Parameter name -> value.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> "_Params":
        """Set parameters by name; unknown names raise ``ValueError``.

        Returns
        -------
        self
        """
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                                 f"Valid parameters are: {valid!r}.")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


class DataKernel(_Params):
    """The data kernel of one model: the exact k-nearest-neighbour graph of its embeddings.

    Parameters
    ----------
    k : int or None, default None
        Neighbours per datum; None: ceil(2 ln n) clamped to [8, 64].
    metric : {'cosine', 'dot', 'euclidean'}, default 'cosine'
        Similarity of the kNN search.
    symmetrize : {'union', 'mutual'}, default 'union'
        A = max(A, Aᵀ) ('union') or min(A, Aᵀ) ('mutual').
    threads : int, default 0
        Threads; 0: all cores.
    progress : None, bool or callable, default None
        As in `compare`: None shows progress once the fit has taken 2 s, True from the start, False never; a
        callable ``progress(stage, done, total)`` is called instead. Ctrl-C stops a fit with ``KeyboardInterrupt``.

    Attributes
    ----------
    graph_ : scipy.sparse.csr_matrix or tuple of ndarray
        The symmetric binary kNN graph (n × n): a CSR matrix when scipy is installed, else ``(indptr, indices)``.
    n_ : int
        Number of data.

    Examples
    --------
    >>> kernel = DataKernel(k=10).fit(Y)
    >>> kernel.graph_.shape
    (1000, 1000)
    """

    def __init__(self, k: Optional[int] = None, metric: str = "cosine", symmetrize: str = "union",
                 threads: int = 0, progress: Any = None) -> None:
        self.k = k
        self.metric = metric
        self.symmetrize = symmetrize
        self.threads = threads
        self.progress = progress

    def fit(self, Y: Any, y: Any = None) -> "DataKernel":
        """Build the kNN graph of ``Y``.

        Parameters
        ----------
        Y : array_like, shape (n, p)
            Embeddings, one row per datum. C-contiguous float32/float64 is used in place; anything else is
            converted once (``ConversionWarning``).
        y : None
            Ignored (scikit-learn convention).

        Returns
        -------
        self : DataKernel
        """
        config = estimator_config(k=self.k, metric=self.metric, symmetrize=self.symmetrize, threads=self.threads)
        matrix = as_matrix(Y, "Y")
        callback, display = _progress.callback(self.progress)
        try:
            indptr, indices = _core.knn_graph(matrix, config, callback)
        finally:
            if display is not None:
                display.close()
        self.n_ = matrix.shape[0]
        try:
            import scipy.sparse

            self.graph_ = scipy.sparse.csr_matrix(
                (np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(self.n_, self.n_))
        except ImportError:
            self.graph_ = (indptr, indices)
        return self

    def fit_transform(self, Y: Any, y: Any = None) -> Any:
        """``fit(Y).graph_``: the data kernel of ``Y``.

        Parameters
        ----------
        Y : array_like, shape (n, p)
            Embeddings, as in `fit`.
        y : None
            Ignored.

        Returns
        -------
        scipy.sparse.csr_matrix or tuple of ndarray
            The graph, as ``graph_``.
        """
        return self.fit(Y, y).graph_


class OmnibusEmbedding(_Params):
    """Joint (omnibus) spectral embedding of m models' data kernels: aligned latent positions, no Procrustes.

    Parameters
    ----------
    dim : 'auto' or int, default 'auto'
        Embedding dimension; 'auto': the Zhu–Ghodsi elbow ``elbows`` over ``max_dim`` eigenvalues.
    elbows : int, default 2
        Which Zhu–Ghodsi elbow ``dim='auto'`` uses (1 to 5).
    max_dim : int or None, default None
        Eigenvalues computed and searched by ``dim='auto'`` (2 to 1000); None: the library's default (64).
    k, metric, symmetrize
        As in `DataKernel`, for inputs given as embeddings.
    seed : int, default 0
        Seed of the eigen-solver's start vector (0 to 2**64 - 1).
    threads : int, default 0
        Threads; 0: all cores.
    progress : None, bool or callable, default None
        As in `DataKernel`.

    Attributes
    ----------
    latent_ : ndarray, shape (m, n, d)
        Latent positions of every datum under every model.
    eigenvalues_ : ndarray
        Eigenvalues of the omnibus matrix by descending magnitude.
    dim_ : int
        The dimension used.
    dim_rule_ : str
        How it was chosen.
    near_degenerate_ : bool
        True when the d-th and (d+1)-th eigenvalues nearly tie.

    Examples
    --------
    >>> omni = OmnibusEmbedding(dim=4).fit([Y1, Y2])
    >>> omni.latent_.shape
    (2, 1000, 4)
    """

    def __init__(self, dim: Union[str, int] = "auto", elbows: int = 2, max_dim: Optional[int] = None,
                 k: Optional[int] = None, metric: str = "cosine", symmetrize: str = "union", seed: int = 0,
                 threads: int = 0, progress: Any = None) -> None:
        self.dim = dim
        self.elbows = elbows
        self.max_dim = max_dim
        self.k = k
        self.metric = metric
        self.symmetrize = symmetrize
        self.seed = seed
        self.threads = threads
        self.progress = progress

    def fit(self, inputs: Sequence[Any], y: Any = None) -> "OmnibusEmbedding":
        """Embed the models jointly.

        Parameters
        ----------
        inputs : sequence
            Embedding matrices (n × p_g) or graphs (scipy.sparse or ``(indptr, indices)``), one per model, same n.
        y : None
            Ignored (scikit-learn convention).

        Returns
        -------
        self : OmnibusEmbedding
        """
        params = self.get_params()
        callback, display = _progress.callback(params.pop("progress"))
        config = estimator_config(**params)
        inputs = list(inputs)
        items = estimator_inputs(inputs, [f"input {g}" for g in range(len(inputs))])
        try:
            latent, eigenvalues, dim, rule, degenerate = _core.omnibus(items, config, callback)
        finally:
            if display is not None:
                display.close()
        m = len(items)
        self.latent_ = latent.reshape(m, latent.shape[0] // m, latent.shape[1])
        self.eigenvalues_ = eigenvalues
        self.dim_ = dim
        self.dim_rule_ = rule
        self.near_degenerate_ = degenerate
        return self

    def fit_transform(self, inputs: Sequence[Any], y: Any = None) -> np.ndarray:
        """``fit(inputs).latent_``.

        Parameters
        ----------
        inputs : sequence
            Embedding matrices or graphs, as in `fit`.
        y : None
            Ignored.

        Returns
        -------
        ndarray, shape (m, n, d)
        """
        return self.fit(inputs, y).latent_
