"""datakernel: compare foundation models by the geometry of their embeddings (data kernels).

A thin layer over the C++ library that the ``datakernel`` command line uses; same algorithms, same results.

- `compare`: the whole comparison of m models (as ``datakernel compare``), returning a `CompareResult`;
- `DataKernel`, `OmnibusEmbedding`: the two building blocks, as estimators in scikit-learn's conventions;
- `ConversionWarning`, `DataKernelWarning`: the warnings the package raises.

Arrays in: 2-D, C-contiguous float32 or float64 arrays are used in place, without a copy. Anything else
(other dtypes, Fortran order, strided views, lists) is converted once, on entry to ``fit``/``compare``, to a
C-contiguous array (float64 input stays float64, everything else becomes float32), and a
``ConversionWarning`` says so. The GIL is released while the library computes; Ctrl-C interrupts a long run
(``KeyboardInterrupt``). Bad input raises ``ValueError`` naming the Python parameter. See docs/python.md.
"""
from ._blas_kernels import chosen_kernels as _chosen_kernels

with _chosen_kernels():
    from ._core import __version__
from ._inputs import ConversionWarning, DataKernelWarning
from ._estimators import DataKernel, OmnibusEmbedding
from ._compare import CompareResult, PairTest, compare

__all__ = [
    "CompareResult",
    "ConversionWarning",
    "DataKernel",
    "DataKernelWarning",
    "OmnibusEmbedding",
    "PairTest",
    "compare",
]
