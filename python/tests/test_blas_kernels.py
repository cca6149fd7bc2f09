"""The package picks OpenBLAS's kernels from the CPU's flags at import, as the command line does."""
import os
import subprocess
import sys

import pytest

from datakernel import _blas_kernels


def test_kernel_for_flags():
    assert _blas_kernels.kernel_for({"sse2", "avx", "avx2", "avx512f"}) == "SkylakeX"
    assert _blas_kernels.kernel_for({"sse2", "avx", "avx2"}) == "Haswell"
    assert _blas_kernels.kernel_for({"sse2", "avx"}) is None
    assert _blas_kernels.kernel_for(set()) is None


def test_cpu_flags_reads_the_first_processor(tmp_path):
    f = tmp_path / "cpuinfo"
    f.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2\n\nprocessor\t: 1\nflags\t\t: fpu avx512f\n")
    assert _blas_kernels.cpu_flags(str(f)) == {"fpu", "sse2", "avx2"}
    assert _blas_kernels.cpu_flags(str(tmp_path / "missing")) == set()


def _import_and_report(env_value):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if env_value is not None:
        env["OPENBLAS_CORETYPE"] = env_value
    code = ("import os, datakernel, datakernel._core as c; "
            "print(c.blas_core(), os.environ.get('OPENBLAS_CORETYPE', '-'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    core, after = out.stdout.split()
    return core, after


def test_import_chooses_the_kernels_and_restores_the_environment():
    expected = _blas_kernels.kernel_for(_blas_kernels.cpu_flags())
    if expected is None:
        pytest.skip("CPU without AVX2: OpenBLAS's own choice is kept")
    core, after = _import_and_report(None)
    assert core.lower() != "prescott"
    assert core.lower() == expected.lower()
    assert after == "-"  # the variable was only set while the core was loaded


def test_a_users_choice_is_kept():
    core, after = _import_and_report("Prescott")
    assert core.lower() == "prescott"
    assert after == "Prescott"
