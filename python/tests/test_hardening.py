"""Adversarial input to the Python API: malformed (indptr, indices) graphs are rejected before the library reads
them, the options get the same checks as the command line (one validation, in the library; messages name the Python parameters), and an exception
raised inside the progress callback comes out as itself."""
import math

import numpy as np
import pytest
import scipy.sparse

import datakernel as dk


def clustered(n=40, dim=8, clusters=4, seed=0, noise=0.3):
    rng = np.random.default_rng(seed)
    centres = 3 * rng.standard_normal((clusters, dim))
    return (centres[np.arange(n) % clusters] + noise * rng.standard_normal((n, dim))).astype(np.float32)


def ring(n=6):
    """A valid symmetric graph (a cycle) as int64 (indptr, indices)."""
    a = np.zeros((n, n), dtype=np.int8)
    for i in range(n):
        a[i, (i + 1) % n] = a[(i + 1) % n, i] = 1
    csr = scipy.sparse.csr_matrix(a)
    return csr.indptr.astype(np.int64), csr.indices.astype(np.int64)


# ---- graphs given as (indptr, indices) -------------------------------------------------------------------------

BAD_CSR = [
    # name, indptr, indices, message
    ("indptr_past_indices", [0, 1, 100, 100], [1, 0], "runs past the 2 indices"),
    ("indptr_far_past_indices", [0, 1, 2**40, 2**40], [1, 0], "runs past"),
    ("indptr_past_then_back", [0, 50, 1, 2], [1, 0], "runs past"),
    ("indptr_decreasing", [0, 2, 1, 2], [1, 0], "indptr decreases at row 1"),
    ("indptr_not_from_zero", [1, 1, 2, 2], [1, 0], r"indptr\[0\] = 1"),
    ("indptr_negative", [-3, 1, 2, 2], [1, 0], r"indptr\[0\] = -3"),
    ("indptr_short_of_indices", [0, 1, 2, 2], [1, 0, 2], "indptr ends at 2 but there are 3 indices"),
    ("index_2_pow_31", [0, 1, 2, 2], [2**31, 0], "column 2147483648 out of range"),
    ("index_wraps_to_valid_int32", [0, 1, 2, 2], [2**32 + 1, 0], "column 4294967297 out of range"),
    ("index_int64_max", [0, 1, 2, 2], [2**63 - 1, 0], "out of range"),
    ("index_negative", [0, 1, 2, 2], [-1, 0], "column -1 out of range"),
    ("index_negative_wrapping", [0, 1, 2, 2], [-(2**32) + 1, 0], "out of range"),
    ("index_equal_n", [0, 1, 2, 2], [3, 0], "column 3 out of range"),
    ("self_loop", [0, 1, 2, 2], [0, 1], "self loop at vertex 0"),
    ("duplicate_neighbour", [0, 2, 4, 4], [1, 1, 0, 0], "lists a neighbour twice"),
    ("asymmetric", [0, 1, 1, 1], [1], "not symmetric"),
    ("one_vertex", [0, 0], [], "at least 2 vertices"),
    ("empty_indptr", [], [], "indptr must have n \\+ 1 entries|at least 2 vertices"),
]


@pytest.mark.parametrize("name,indptr,indices,message", BAD_CSR, ids=[c[0] for c in BAD_CSR])
def test_malformed_csr_is_a_value_error(name, indptr, indices, message):
    graph = (np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int64))
    with pytest.raises(ValueError, match=message):
        dk.OmnibusEmbedding(dim=1).fit([graph, ring(len(indptr) - 1 if len(indptr) > 2 else 3)])


@pytest.mark.parametrize("name,indptr,indices,message", BAD_CSR[:8], ids=[c[0] for c in BAD_CSR[:8]])
def test_malformed_csr_in_compare(name, indptr, indices, message):
    graph = (np.array(indptr, dtype=np.int64), np.array(indices, dtype=np.int64))
    with pytest.raises(ValueError, match=message):
        dk.compare({"a": graph, "b": ring(3)}, test="none")


BAD_DTYPES = [
    ("indices_float", lambda p, i: (p, i.astype(np.float64)), "indices must be an integer array, got dtype float64"),
    ("indptr_float", lambda p, i: (p.astype(np.float32), i), "indptr must be an integer array, got dtype float32"),
    ("indices_bool", lambda p, i: (p, i.astype(bool)), "indices must be an integer array, got dtype bool"),
    ("indices_strings", lambda p, i: (p, i.astype(str)), "indices must be an integer array"),
    ("indices_object", lambda p, i: (p, np.array([object()] * len(i))), "indices must be an integer array"),
    ("indices_complex", lambda p, i: (p, i.astype(np.complex128)), "indices must be an integer array"),
    ("indices_2d", lambda p, i: (p, i.reshape(1, -1)), "indices must be a 1-D integer array, got 2-D"),
    ("indptr_2d", lambda p, i: (p.reshape(-1, 1), i), "indptr must be a 1-D integer array, got 2-D"),
    ("indptr_scalar", lambda p, i: (np.int64(3), i), "indptr must be a 1-D integer array, got 0-D"),
    ("indices_uint64_huge", lambda p, i: (p, np.array([2**64 - 1] + list(i[1:]), dtype=np.uint64)), "out of range"),
]


@pytest.mark.parametrize("name,change,message", BAD_DTYPES, ids=[c[0] for c in BAD_DTYPES])
def test_csr_arrays_of_the_wrong_kind_are_value_errors(name, change, message):
    with pytest.raises(ValueError, match=message):
        dk.OmnibusEmbedding(dim=1).fit([change(*ring()), ring()])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64])
def test_csr_of_any_integer_dtype_is_used_exactly(dtype):
    indptr, indices = ring()
    reference = dk.OmnibusEmbedding(dim=2).fit([ring(), ring()])
    model = dk.OmnibusEmbedding(dim=2).fit([(indptr.astype(dtype), indices.astype(dtype)), ring()])
    np.testing.assert_array_equal(model.latent_, reference.latent_)
    # also as plain lists and as scipy.sparse: the same graph
    listed = dk.OmnibusEmbedding(dim=2).fit([(indptr.tolist(), indices.tolist()), ring()])
    np.testing.assert_array_equal(listed.latent_, reference.latent_)


def test_scipy_sparse_with_int64_indices_past_int32_is_rejected():
    n = 4
    indptr = np.array([0, 1, 2, 2, 2], dtype=np.int64)
    indices = np.array([1, 2**32], dtype=np.int64)
    m = scipy.sparse.csr_matrix((np.ones(2, dtype=np.int8), np.array([1, 0]), indptr), shape=(n, n))
    m.indices = indices  # what a corrupt or hand-built matrix can hold
    with pytest.raises(ValueError, match="column 4294967296 out of range"):
        dk.OmnibusEmbedding(dim=1).fit([m, ring(n)])


# ---- one validation of the options, in the library -------------------------------------------------------------

YS = {"a": clustered(seed=1), "b": clustered(seed=2), "c": clustered(seed=3)}

BAD_OPTIONS = [
    # name, keyword arguments of compare, message
    ("k_negative", dict(k=-5), "k must be a positive integer"),
    ("k_zero", dict(k=0), "k must be a positive integer"),
    ("max_dim_negative", dict(max_dim=-3), r"max_dim must be in \[2, 1000\], got -3"),
    ("max_dim_one", dict(max_dim=1), r"max_dim must be in \[2, 1000\], got 1"),
    ("max_dim_huge", dict(max_dim=5000), r"max_dim must be in \[2, 1000\], got 5000"),
    ("elbows_zero", dict(elbows=0), r"elbows must be in \[1, 5\]"),
    ("elbows_negative", dict(elbows=-1), r"elbows must be in \[1, 5\]"),
    ("manifold_dim_zero", dict(manifold_dim=0), r"manifold_dim must be in \[1, 100\]"),
    ("manifold_dim_negative", dict(manifold_dim=-2), r"manifold_dim must be in \[1, 100\]"),
    ("bootstrap_negative", dict(bootstrap=-1), "bootstrap must be at least 1, got -1"),
    ("bootstrap_zero_with_bootstrap_null", dict(test="omnibus", null="pooled", bootstrap=0), "bootstrap must be at least 1"),
    ("threads_negative", dict(threads=-2), "threads must be 0"),
    ("alpha_nan", dict(alpha=float("nan")), r"alpha must be in \(0, 1\)"),
    ("alpha_above_one", dict(alpha=1.5), r"alpha must be in \(0, 1\)"),
    ("alpha_zero", dict(alpha=0.0), r"alpha must be in \(0, 1\)"),
    ("dim_zero", dict(dim=0), "dim must be 'auto' or a positive integer"),
    ("dim_negative", dict(dim=-4), "dim must be 'auto' or a positive integer"),
    ("dim_word", dict(dim="big"), "dim must be 'auto' or a positive integer"),
    ("metric_unknown", dict(metric="manhattan"), "manhattan"),
    ("symmetrize_unknown", dict(symmetrize="both"), "symmetrize must be 'union' or 'mutual'"),
    ("reference_unknown", dict(reference="zzz"), "reference 'zzz' is not one of the model names"),
    ("test_pair_unknown", dict(test_pair="a,zzz"), "test_pair: 'zzz' is not one of the model names"),
    ("test_pair_one_name", dict(test_pair=["a"]), "test_pair needs two model names"),
    ("test_pair_twice", dict(test_pair=("b", "b")), "test_pair names model 'b' twice"),
    ("test_pair_and_reference", dict(test_pair="a,b", reference="a"), "test_pair and reference exclude each other"),
    ("neighbourhood_with_bootstrap_null", dict(null="pooled"), "needs test='omnibus'"),
    ("duplicate_ids", dict(ids=[str(i % 39) for i in range(40)]), "ids: duplicate id '0' \\(data 0 and 39, 0-based\\)"),
    ("duplicate_ids_adjacent", dict(ids=["x", "x"] + [str(i) for i in range(38)]), "duplicate id 'x' \\(data 0 and 1"),
    ("ids_wrong_count", dict(ids=["x"]), "ids: 1 ids for n = 40 data"),
    ("metric_nan", dict(metrics={"acc": {"a": float("nan"), "b": 0.5, "c": 0.7}}), "metric 'acc' of model 'a' is nan"),
    ("metric_inf", dict(metrics={"acc": {"a": 0.1, "b": math.inf, "c": 0.7}}), "metric 'acc' of model 'b' is inf"),
    ("metric_minus_inf", dict(metrics={"acc": {"a": 0.1, "b": 0.2, "c": -math.inf}}), "of model 'c' is -inf"),
    ("metric_unknown_model", dict(metrics={"acc": {"a": 0.1, "b": 0.2, "zz": 0.3}}), "unknown model"),
    ("metric_missing_model", dict(metrics={"acc": {"a": 0.1, "b": 0.2}}), "has no value for model"),
]


@pytest.mark.parametrize("name,options,message", BAD_OPTIONS, ids=[c[0] for c in BAD_OPTIONS])
def test_bad_options_are_value_errors(name, options, message):
    kwargs = dict(test="none") if "test" not in options and "null" not in options and "alpha" not in options else {}
    kwargs.update(options)
    with pytest.raises(ValueError, match=message):
        dk.compare(YS, **kwargs)


def test_the_same_checks_for_datakernel_and_omnibus():
    y = clustered()
    with pytest.raises(ValueError, match="k must be a positive integer"):
        dk.DataKernel(k=-5).fit(y)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        dk.DataKernel(k=0).fit(y)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        dk.OmnibusEmbedding(k=-5).fit([y, y])
    with pytest.raises(ValueError, match=r"max_dim must be in \[2, 1000\], got -1"):
        dk.OmnibusEmbedding(max_dim=-1).fit([y, y])
    with pytest.raises(ValueError, match=r"elbows must be in \[1, 5\]"):
        dk.OmnibusEmbedding(elbows=0).fit([y, y])
    with pytest.raises(ValueError, match="threads must be 0"):
        dk.DataKernel(threads=-1).fit(y)


def test_valid_options_still_run():
    result = dk.compare(YS, k=5, max_dim=8, ids=[f"d{i}" for i in range(40)],
                        metrics={"acc": {"a": 0.1, "b": 0.2, "c": 0.3}}, seed=1)
    assert result.distances.shape == (3, 3)
    assert dk.DataKernel(k=5).fit(YS["a"]).graph_.shape == (40, 40)


# ---- exceptions raised inside the progress callback -------------------------------------------------------------


class CallbackError(Exception):
    pass


class CallbackValueError(ValueError):
    pass


def raise_on_call(error, after=0):
    calls = []

    def progress(stage, done, total):
        calls.append((stage, done, total))
        if len(calls) > after:
            raise error

    return progress, calls


@pytest.mark.parametrize("after", [0, 1, 3])
def test_callback_exception_comes_out_as_itself(after):
    progress, calls = raise_on_call(CallbackError("boom"), after)
    with pytest.raises(CallbackError, match="boom") as error:
        dk.compare(YS, seed=0, progress=progress)
    assert not isinstance(error.value, KeyboardInterrupt)
    assert len(calls) == after + 1  # the run stopped at the first exception: no later calls
    assert "progress" in [entry.name for entry in error.traceback]  # the callback's own traceback is kept


def test_callback_value_error_is_not_mistaken_for_bad_input():
    progress, _ = raise_on_call(CallbackValueError("from the callback"))
    with pytest.raises(CallbackValueError, match="from the callback"):
        dk.compare(YS, test="omnibus", null="pooled", bootstrap=20, progress=progress)


def test_callback_keyboard_interrupt_stays_keyboard_interrupt():
    progress, _ = raise_on_call(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        dk.compare(YS, progress=progress)


def test_a_run_after_a_failed_callback_is_unaffected():
    progress, _ = raise_on_call(CallbackError("boom"))
    with pytest.raises(CallbackError):
        dk.compare(YS, seed=2, progress=progress)
    calls = []
    result = dk.compare(YS, seed=2, progress=lambda *a: calls.append(a))
    assert calls and result.distances.shape == (3, 3)
