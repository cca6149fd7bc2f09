"""Conversion of Python inputs (arrays, graphs, file paths, model collections) for the C++ core."""
import os
import sys
import warnings
from typing import Any, List, Mapping, Sequence, Tuple

import numpy as np

from . import _core

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class ConversionWarning(UserWarning):
    """An input array was converted (dtype or memory layout) before it could be used in place."""


class DataKernelWarning(UserWarning):
    """Advice about a comparison: duplicate rows, removed data, a bootstrap too small to reject, ..."""


def _stacklevel() -> int:
    """The stacklevel of the first frame outside this package (so a warning points at the user's call)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        frame = frame.f_back
        level += 1
    return level


def warn(message: str, category: type = DataKernelWarning) -> None:
    warnings.warn(message, category, stacklevel=_stacklevel())


def as_matrix(y: Any, name: str) -> np.ndarray:
    """A 2-D C-contiguous float32/float64 array as it is; anything else converted once, with a ConversionWarning."""
    if isinstance(y, np.ndarray) and y.ndim == 2 and y.dtype in (np.float32, np.float64) and y.flags.c_contiguous:
        return y
    array = np.asarray(y)
    target = np.float64 if array.dtype == np.float64 else np.float32
    converted = np.ascontiguousarray(array, dtype=target)
    warn(
        f"{name}: converted {array.dtype}{'' if array.flags.c_contiguous else ' (not C-contiguous)'} to a "
        f"C-contiguous {np.dtype(target).name} array once; pass C-contiguous float32/float64 to avoid the copy",
        ConversionWarning,
    )
    return converted


def is_graph(x: Any) -> bool:
    return hasattr(x, "tocsr") or (isinstance(x, tuple) and len(x) == 2)


def is_path(x: Any) -> bool:
    return isinstance(x, (str, os.PathLike))


def _csr_array(values: Any, name: str, what: str) -> np.ndarray:
    """A 1-D integer array as int64 (lossless); anything else is a ValueError, never a silent wrap-around."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name}: {what} must be a 1-D integer array, got {array.ndim}-D")
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name}: {what} has a value {array.max()} out of range")
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        raise ValueError(f"{name}: {what} must be an integer array, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)


def as_csr(graph: Any, name: str) -> Tuple[np.ndarray, np.ndarray, int]:
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
        indptr, indices = csr.indptr, csr.indices
    else:
        indptr, indices = graph
    indptr = _csr_array(indptr, name, "indptr")
    indices = _csr_array(indices, name, "indices")
    return (indptr, indices, int(max(len(indptr) - 1, 0)))


def estimator_inputs(items: Sequence, names: Sequence[str]) -> list:
    return [as_csr(x, n) if is_graph(x) else as_matrix(x, n) for x, n in zip(items, names)]


def model_entries(models: Any, names: Any) -> List[Tuple[str, Any]]:
    """(name, model) pairs from a mapping (names are its keys) or a list/tuple (names from ``names``, file stems
    for paths, else model_1, model_2, ...)."""
    if isinstance(models, Mapping):
        if names is not None:
            raise ValueError("names: give the names either as the keys of the models mapping or as names=, not both")
        for key in models:
            if not isinstance(key, str):
                raise TypeError(f"models: the mapping's keys are the model names and must be str, got {type(key).__name__}")
        return list(models.items())
    if isinstance(models, (str, os.PathLike, np.ndarray)) or hasattr(models, "tocsr") or not hasattr(models, "__iter__"):
        raise TypeError(
            "models must be a list or tuple of models (arrays, graphs or file paths) or a mapping of names to "
            f"models, got {type(models).__name__}")
    items = list(models)
    if names is None:
        names = [f"model_{g + 1}" for g in range(len(items))]
        paths = [g for g, x in enumerate(items) if is_path(x)]
        for g, stem in zip(paths, _core.default_model_names([os.fspath(items[g]) for g in paths])):
            names[g] = stem
    else:
        if isinstance(names, str):
            names = names.split(",")  # as the CLI's --names a,b
        names = list(names)
        if len(names) != len(items):
            raise ValueError(f"names: {len(names)} names for {len(items)} models")
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"names must be strings, got {type(name).__name__}")
    return list(zip(names, items))


def strings(values: Any, name: str) -> List[str]:
    """A sequence of per-datum strings (ids, text, labels); anything but a str is converted with str()."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    try:
        return [v if isinstance(v, str) else str(v) for v in values]
    except TypeError:
        raise TypeError(f"{name} must be a sequence of strings or a path to a file with one per line, "
                        f"got {type(values).__name__}") from None
