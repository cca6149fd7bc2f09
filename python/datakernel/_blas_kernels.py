"""Choose OpenBLAS's kernels before the C++ core (and with it Debian's OpenBLAS) is loaded.

Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to its generic "Prescott" kernels,
4-5x slower at SGEMM (README, "BLAS"). OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, so the command
line re-executes itself with the variable set; the package cannot, so it sets the variable for the duration of
the import instead, from the CPU's own feature flags (AVX-512F -> SkylakeX, AVX2 -> Haswell: the kernels OpenBLAS
uses for SGEMM/DGEMM on every CPU with those features), and restores the environment afterwards. A value the
user set is never changed, and nothing is done when OpenBLAS was already loaded by another module.

OpenMP (libgomp) likewise reads OMP_WAIT_POLICY once: it is set to "passive" for the import (unless the user set it
or GOMP_SPINCOUNT, or libgomp is loaded already), so that OpenMP threads without work sleep instead of spinning
through the single-threaded stretches of the eigen-solves, as the command line does.
"""
from __future__ import annotations

import os
import sys


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> set[str]:
    """The CPU feature flags of the first processor in ``cpuinfo`` (empty where the file is missing)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def kernel_for(flags: set[str]) -> str | None:
    """The OpenBLAS kernel family to ask for on a CPU with these flags, or None to leave OpenBLAS's choice."""
    if "avx512f" in flags:
        return "SkylakeX"
    if "avx2" in flags:
        return "Haswell"
    return None


def _loaded(library: str) -> bool:
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as f:
            return any(library in line for line in f)
    except OSError:
        return False


class chosen_kernels:
    """Context manager: OPENBLAS_CORETYPE and OMP_WAIT_POLICY set (where the user has not set them) while the C++
    core is imported."""

    def __enter__(self) -> "chosen_kernels":
        self.set: list[str] = []
        if not sys.platform.startswith("linux"):
            return self
        if "OPENBLAS_CORETYPE" not in os.environ and not _loaded("libopenblas"):
            kernel = kernel_for(cpu_flags())
            if kernel is not None:
                os.environ["OPENBLAS_CORETYPE"] = kernel
                self.set.append("OPENBLAS_CORETYPE")
        if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ and not _loaded("libgomp"):
            os.environ["OMP_WAIT_POLICY"] = "passive"
            self.set.append("OMP_WAIT_POLICY")
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.set:
            os.environ.pop(name, None)
