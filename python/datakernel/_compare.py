"""compare(): the whole comparison of m models, as ``datakernel compare`` runs it; its result."""
import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _core, _progress
from ._inputs import as_csr, as_matrix, is_graph, is_path, model_entries, strings, warn
from ._options import flag, make_config

PathLike = Union[str, "os.PathLike[str]"]


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("to_pandas() needs pandas: pip install pandas") from None
    return pandas


def _short(name: str, width: int = 16) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


@dataclass(repr=False, eq=False)
class PairTest:
    """Per-datum test of one model pair.

    Attributes
    ----------
    model_a, model_b : str
        The pair's model names.
    statistic, p_value, q_value : ndarray, shape (n,)
        Per datum: the test statistic, its p-value, and its q-value (corrected over the pair's n data).
    rejected : ndarray of bool, shape (n,)
        q-value at or below ``alpha``.
    jaccard : ndarray, shape (n,)
        kNN Jaccard distance between the datum's neighbour lists under the two models.
    rank_change : ndarray, shape (n,)
        Top-k footrule of the datum's neighbour ranks (NaN when a model was given as a graph).
    statistic_name : str
        'neighbourhood' or 'omnibus'.
    null : str
        The null distribution ('empirical', 'analytic', or a bootstrap null).
    ids : list of str or None
        Ids of the data (None: row numbers).
    """

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
    ids: Optional[List[str]] = None

    @property
    def n_rejected(self) -> int:
        """Number of data rejected."""
        return int(np.count_nonzero(self.rejected))

    def __repr__(self) -> str:
        return (f"PairTest({self.model_a!r} vs {self.model_b!r}: {self.n_rejected} of {len(self.p_value)} data "
                f"rejected, {self.statistic_name} statistic, {self.null} null)")

    def to_pandas(self) -> "Any":
        """The per-datum results as a ``pandas.DataFrame``, one row per datum, indexed by id (or row number).

        Returns
        -------
        pandas.DataFrame
            Columns statistic, p_value, q_value, rejected, jaccard, rank_change.

        Raises
        ------
        ImportError
            When pandas is not installed.
        """
        pd = _pandas()
        index = pd.Index(self.ids if self.ids else range(len(self.p_value)), name="id" if self.ids else "datum")
        return pd.DataFrame({"statistic": self.statistic, "p_value": self.p_value, "q_value": self.q_value,
                             "rejected": self.rejected, "jaccard": self.jaccard, "rank_change": self.rank_change},
                            index=index)


class CompareResult:
    """What `compare` returns.

    Attributes
    ----------
    names : list of str
        Model names, in input order.
    n : int
        Number of data (after ``drop_invalid``).
    k : int
        Neighbours per datum used.
    dim : int
        Dimension of the joint omnibus embedding.
    dim_rule : str
        How ``dim`` was chosen.
    distances : ndarray, shape (m, m)
        Model distances: the measure chosen with ``distance`` (the model map's).
    distance : str
        Which population measure ``distances`` and the map use ('omnibus', 'direction', ...).
    measures : dict of str to ndarray, shape (m, m)
        Every population measure computed (``measures='all'``: omnibus, direction, knn_jaccard, mutual_knn and,
        for embeddings, linear_cka), by name; ``measures[distance]`` is ``distances``.
    measure_definitions : dict of str to str
        Each measure's definition, with the settings used (d, k, how rows were normalised).
    measure_correlations : list of dict
        With ``metrics``: per measure and metric, ``measure``, ``metric``, ``spearman``, ``spearman_p``,
        ``pearson``, ``pearson_p`` (two-sided Mantel permutation p), ``permutations``, ``exact``.
    manifold : ndarray, shape (m, manifold_dim)
        The model map (classical MDS of ``distances``).
    eigenvalues : ndarray
        Eigenvalues of the omnibus matrix by descending magnitude.
    tests : list of PairTest
        Per-datum tests, one per tested pair (empty with ``test='none'``).
    ids : list of str
        Ids of the data (empty when none were given and none dropped).
    dropped : list of str
        Ids (or row numbers) of data removed by ``drop_invalid``.
    warnings : list of str
        Every warning of the run (also raised with ``warnings.warn``).
    """

    def __init__(self, core: Any, warnings: Sequence[str] = ()) -> None:
        self._core_result = core
        self.names: List[str] = list(core.names)
        self.n: int = core.n
        self.k: int = core.k
        self.dim: int = core.dim
        self.dim_rule: str = core.dim_rule
        self.distances: np.ndarray = core.distances()
        self.manifold: np.ndarray = core.manifold()
        self.distance: str = core.config.measures.map
        self.measures: Dict[str, np.ndarray] = {}
        self.measure_definitions: Dict[str, str] = {}
        self.measure_correlations: List[Dict[str, Any]] = []
        for name, definition, matrix, correlations in core.measures():
            self.measures[name] = matrix
            self.measure_definitions[name] = definition
            for metric, rs, ps, rp, pp, permutations, exact in correlations:
                self.measure_correlations.append({"measure": name, "metric": metric, "spearman": rs, "spearman_p": ps,
                                                  "pearson": rp, "pearson_p": pp, "permutations": permutations,
                                                  "exact": exact})
        self.eigenvalues: np.ndarray = core.eigenvalues()
        self.ids: List[str] = list(core.ids)
        self.dropped: List[str] = list(core.dropped)
        self.warnings: List[str] = list(warnings)
        ids = self.ids or None
        self.tests: List[PairTest] = [
            PairTest(a, b, s, p, q, r.astype(bool), j, rc, sn, nl, ids)
            for a, b, s, p, q, r, j, rc, sn, nl in core.tests()
        ]

    # ---- display ----

    def _test_line(self, t: PairTest) -> str:
        return f"{_short(t.model_a)} vs {_short(t.model_b)}: {t.n_rejected} of {self.n} rejected"

    def __repr__(self) -> str:
        m = len(self.names)
        shown = ", ".join(repr(_short(x)) for x in self.names[:6]) + (f", … ({m - 6} more)" if m > 6 else "")
        lines = [f"CompareResult({m} models [{shown}], n={self.n}, k={self.k}, dim={self.dim})"]
        if m <= 5:
            width = max(8, *(len(_short(x, 12)) + 1 for x in self.names))
            lines.append("distances:")
            lines.append(" " * width + "".join(f"{_short(x, 12):>{width}}" for x in self.names))
            for g, x in enumerate(self.names):
                lines.append(f"{_short(x, 12):<{width}}" + "".join(f"{d:>{width}.4f}" for d in self.distances[g]))
        if self.tests:
            t0 = self.tests[0]
            lines.append(f"tests ({t0.statistic_name} statistic, {t0.null} null):")
            lines += ["  " + self._test_line(t) for t in self.tests[:4]]
            if len(self.tests) > 4:
                lines.append(f"  … ({len(self.tests) - 4} more pairs)")
        if self.warnings:
            lines.append(f"{len(self.warnings)} warning(s): see .warnings")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        esc = html.escape
        names = self.names[:20]
        out = [f"<div class='datakernel-result'><p><b>CompareResult</b>: {len(self.names)} models, n = {self.n}, "
               f"k = {self.k}, d = {self.dim} ({esc(self.dim_rule)})</p>",
               "<table><caption>model distances</caption><tr><th></th>"]
        out += [f"<th>{esc(x)}</th>" for x in names] + ["</tr>"]
        for g, x in enumerate(names):
            out.append(f"<tr><th>{esc(x)}</th>" + "".join(f"<td>{d:.4f}</td>" for d in self.distances[g, :20]) + "</tr>")
        out.append("</table>")
        if len(self.names) > 20:
            out.append(f"<p>… {len(self.names) - 20} more models (see .distances)</p>")
        if self.tests:
            out.append("<table><caption>per-datum tests</caption><tr><th>model a</th><th>model b</th>"
                       "<th>statistic</th><th>null</th><th>rejected</th><th>mean Jaccard</th></tr>")
            for t in self.tests[:20]:
                out.append(f"<tr><td>{esc(t.model_a)}</td><td>{esc(t.model_b)}</td><td>{esc(t.statistic_name)}</td>"
                           f"<td>{esc(t.null)}</td><td>{t.n_rejected} of {self.n}</td>"
                           f"<td>{float(np.mean(t.jaccard)) if len(t.jaccard) else 0.0:.3f}</td></tr>")
            out.append("</table>")
        if self.warnings:
            out.append("<ul>" + "".join(f"<li>{esc(w)}</li>" for w in self.warnings) + "</ul>")
        return "".join(out) + "</div>"

    # ---- export ----

    def to_pandas(self, table: Optional[str] = None) -> Any:
        """The results as ``pandas.DataFrame``\\ s.

        Parameters
        ----------
        table : {'distances', 'manifold', 'tests'} or None, default None
            One table; None: all three in a dict.

        Returns
        -------
        pandas.DataFrame or dict of str to pandas.DataFrame
            ``distances``: m × m, indexed and labelled by model name. ``manifold``: m × manifold_dim (columns
            x1, x2, ...). ``tests``: one row per tested pair and datum, columns model_a, model_b, datum, id,
            statistic, p_value, q_value, rejected, jaccard, rank_change (as ``datum_tests.csv``).

        Raises
        ------
        ImportError
            When pandas is not installed.
        ValueError
            For an unknown ``table``.
        """
        pd = _pandas()
        tables = ("distances", "manifold", "tests")
        if table is not None and table not in tables:
            raise ValueError(f"table must be None, 'distances', 'manifold' or 'tests', got {table!r}")

        def make(name: str):
            if name == "distances":
                return pd.DataFrame(self.distances, index=pd.Index(self.names, name="model"), columns=self.names)
            if name == "manifold":
                return pd.DataFrame(self.manifold, index=pd.Index(self.names, name="model"),
                                    columns=[f"x{c + 1}" for c in range(self.manifold.shape[1])])
            columns = ["model_a", "model_b", "datum", "id", "statistic", "p_value", "q_value", "rejected", "jaccard",
                       "rank_change"]
            frames = []
            for t in self.tests:
                frame = t.to_pandas().reset_index(drop=True)
                frame.insert(0, "id", self.ids if self.ids else [str(i) for i in range(self.n)])
                frame.insert(0, "datum", np.arange(self.n))
                frame.insert(0, "model_b", t.model_b)
                frame.insert(0, "model_a", t.model_a)
                frames.append(frame)
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

        return make(table) if table else {name: make(name) for name in tables}

    def summary(self) -> Dict[str, Any]:
        """The command line's ``summary.json``.

        Returns
        -------
        dict
            n, models, k, metric, dim, eigenvalues, model_distances, manifold, correlations, tests, ...
        """
        return json.loads(self._core_result.summary_json())

    def timings(self) -> Dict[str, Any]:
        """Stage and per-test wall times, in seconds (what the command line's ``--timings`` writes).

        Returns
        -------
        dict
            ``{"stages": [...], "tests": [...]}``.
        """
        return json.loads(self._core_result.timings_json())

    def save(self, directory: PathLike, *, force: bool = False, save_kernels: bool = False) -> None:
        """Write the command line's files (summary.json, CSVs, report.html) into ``directory``.

        All or nothing: the files are staged and moved into place when all are written.

        Parameters
        ----------
        directory : str or os.PathLike
            Output directory; created if missing.
        force : bool, default False
            Replace the files of an earlier run in a directory that already holds files (files datakernel did
            not write are never touched). Without it, a non-empty directory is refused with ``ValueError``.
        save_kernels : bool, default False
            Also write each model's data kernel as ``kernel_<i>_<name>.mtx`` (reusable as an input).

        Raises
        ------
        ValueError
            When ``directory`` holds files and ``force`` is False, or cannot be written.
        """
        self._core_result.save(os.fspath(directory), flag("force", force), flag("save_kernels", save_kernels))

    def report(self, path: PathLike) -> None:
        """Write the self-contained HTML report to ``path``.

        Parameters
        ----------
        path : str or os.PathLike
            The HTML file to write (replaced if it exists).
        """
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "results")
            self._core_result.save(out, False, False)
            shutil.copyfile(os.path.join(out, "report.html"), os.fspath(path))


Models = Union[Mapping[str, Any], Sequence[Any]]


def compare(
    models: Models,
    *,
    names: Optional[Union[Sequence[str], str]] = None,
    ids: Optional[Union[Sequence[str], PathLike]] = None,
    text: Optional[Union[Sequence[str], PathLike]] = None,
    labels: Optional[Union[Sequence[str], PathLike]] = None,
    metrics: Optional[Union[Mapping[str, Mapping[str, float]], PathLike]] = None,
    k: Optional[int] = None,
    metric: str = "cosine",
    knn: str = "auto",
    symmetrize: str = "union",
    dim: Union[str, int] = "auto",
    elbows: int = 2,
    max_dim: Optional[int] = None,
    pairwise: bool = False,
    distance: str = "normalised_omnibus",
    direction_dim: int = 8,
    normalised_dim: int = 24,
    measures: str = "all",
    manifold_dim: int = 2,
    test: str = "neighbourhood",
    null: str = "empirical",
    bootstrap: int = 1000,
    bootstrap_p: str = "pooled",
    alpha: float = 0.05,
    correction: str = "bh",
    reference: Optional[str] = None,
    test_pair: Optional[Union[Sequence[str], str]] = None,
    report_pair: Optional[Union[Sequence[str], str]] = None,
    drop_invalid: bool = False,
    memory_limit: Optional[Union[int, str]] = None,
    header: str = "auto",
    seed: int = 0,
    threads: int = 0,
    progress: Union[None, bool, Callable[[str, int, int], Any]] = None,
) -> CompareResult:
    """Compare m >= 2 models embedding the same n data, as ``datakernel compare`` does.

    Every option of the command line is a keyword argument of the same name in snake_case (``--max-dim`` is
    ``max_dim``); ``--out``, ``--force`` and ``--save-kernels`` are `CompareResult.save`'s, ``--timings``
    is `CompareResult.timings`, ``--quiet`` is ``progress=False``.

    Parameters
    ----------
    models : mapping or sequence
        A mapping of model name to model, or a list/tuple of models. A model is an embedding matrix
        (array_like, n × p_g), a graph (scipy.sparse, or ``(indptr, indices)``), or the path of a file the
        command line reads (.npy, .npz[:member], .safetensors[:tensor], .fvecs, .csv, .tsv, .mtx).
    names : sequence of str or str, optional
        Model names for a list/tuple of models (a str: comma-separated). Default: the file name without
        extension for paths, ``model_1``, ``model_2``, ... otherwise. Not with a mapping.
    ids : sequence of str or path, optional
        One id per datum (unique), used in outputs; or a file with one per line.
    text : sequence of str or path, optional
        One line of text per datum, shown in the report; or a file with one per line.
    labels : sequence of str or path, optional
        One label per datum, shown in the report; or a file with one per line.
    metrics : mapping or path, optional
        Downstream metrics to correlate with the model distances: ``{metric: {model name: value}}``, or a CSV
        file (``model,METRIC...``). Needs at least 3 models.
    k : int, optional
        Neighbours per datum; default ceil(2 ln n) clamped to [8, 64].
    metric : {'cosine', 'dot', 'euclidean'}, default 'cosine'
        Similarity of the kNN graphs.
    knn : {'exact', 'clustered', 'hnsw', 'auto'}, default 'auto'
        kNN search: exact, or approximate (clustered: GEMM within k-means cells; hnsw: hnswlib) with its recall@k
        against exact search measured on 1,000 seeded rows (``summary()["knn"]["recall"]``, a warning below 0.95);
        'auto': clustered from 100,000 data.
    symmetrize : {'union', 'mutual'}, default 'union'
        kNN graph symmetrization.
    dim : 'auto' or int, default 'auto'
        Embedding dimension; 'auto': the Zhu–Ghodsi elbow.
    elbows : int, default 2
        The Zhu–Ghodsi elbow ``dim='auto'`` uses (1 to 5).
    max_dim : int, optional
        Eigenvalues searched by ``dim='auto'`` (2 to 1000); default 64.
    pairwise : bool, default False
        Model distances from a separate 2-graph omnibus per pair instead of one joint omnibus.
    distance : {'omnibus', 'direction', 'normalised_omnibus', 'knn_jaccard', 'mutual_knn', 'linear_cka'}, default 'normalised_omnibus'
        The population measure of ``distances`` and the model map: the paper's omnibus distance, the
        direction-only omnibus distance (rows of the joint embedding scaled to unit length), the omnibus
        distance of the degree-normalised kernels D^-1/2 (A + I) D^-1/2, 1 − mean kNN
        Jaccard, 1 − mean shared share of the kNN lists, or 1 − linear CKA (the last two need embeddings).
    direction_dim : int, default 8
        The direction distance uses the first min(dim, direction_dim) omnibus dimensions.
    normalised_dim : int, default 24
        Dimension of the normalised omnibus embedding behind ``distance='normalised_omnibus'``.
    measures : {'all', 'map'}, default 'all'
        Compute every population measure (``CompareResult.measures``) and correlate each with ``metrics``, or
        only the map's.
    manifold_dim : int, default 2
        Coordinates of the model map (1 to 100).
    test : {'neighbourhood', 'omnibus', 'none'}, default 'neighbourhood'
        Per-datum test statistic; 'none': no per-datum tests.
    null : {'empirical', 'analytic', 'pooled', 'correlated', 'first', 'second', 'paper'}, default 'empirical'
        Null of the per-datum test; all but 'empirical' need ``test='omnibus'``.
    bootstrap : int, default 1000
        Replicates of a bootstrap null.
    bootstrap_p : {'pooled', 'count', 'moments'}, default 'pooled'
        p-values of a bootstrap null.
    alpha : float, default 0.05
        Level of the multiple-testing correction, in (0, 1).
    correction : {'bh', 'by', 'holm', 'none'}, default 'bh'
        Multiple testing over the data of each pair.
    reference : str, optional
        Test every model against this one; default: all pairs.
    test_pair : (str, str) or str, optional
        Test only this pair ('A,B' or a pair of names), e.g. a base model and its fine-tune among models that are
        mapped but not tested; not with ``reference``.
    report_pair : (str, str) or str, optional
        The model pair whose data the report plots ('A,B' or a pair of names); default: most rejections.
    drop_invalid : bool, default False
        Exclude data with NaN/Inf (or all-zero rows under cosine) in any model, from all models, with a warning;
        without it such data are a ``ValueError``.
    memory_limit : int or str, optional
        Fail early (``RuntimeError``) if the run's estimated memory exceeds this many bytes ('8G', '512M' or an
        int); default: the available memory.
    header : {'auto', 'yes', 'no'}, default 'auto'
        First line of .csv/.tsv file inputs: a header or data.
    seed : int, default 0
        Random seed (0 to 2**64 - 1).
    threads : int, default 0
        Threads; 0: all cores.
    progress : None, bool or callable, default None
        None: show progress once a run has taken 2 s (a tqdm bar when tqdm is installed and stderr is a
        terminal or notebook, else plain lines on stderr); True: from the start; False: never. A callable
        ``progress(stage, done, total)`` is called instead (at most every 0.1 s within a stage); an exception it
        raises stops the run and comes out as itself.

    Returns
    -------
    CompareResult

    Raises
    ------
    ValueError
        Bad input or option; the message names the Python parameter (``max_dim must be in [2, 1000], got 1``).
    TypeError
        An option of the wrong type, or ``models`` neither a mapping nor a sequence.
    RuntimeError
        A computation failed, or not enough memory.
    KeyboardInterrupt
        Ctrl-C during the run.

    Warns
    -----
    DataKernelWarning
        Duplicate rows, data removed by ``drop_invalid``, a bootstrap too small to reject anything, and the
        run's other advice (also in ``CompareResult.warnings``).
    ConversionWarning
        An array was converted before use.

    Examples
    --------
    >>> result = compare({"base": Y1, "tuned": Y2}, seed=0)
    >>> result.distances.shape
    (2, 2)
    >>> compare([Y1, Y2, Y3], names=["a", "b", "c"], test="omnibus", null="pooled", bootstrap=200)
    """
    config = make_config(k=k, metric=metric, knn=knn, symmetrize=symmetrize, dim=dim, elbows=elbows, max_dim=max_dim,
                         pairwise=pairwise, distance=distance, direction_dim=direction_dim,
                         normalised_dim=normalised_dim, measures=measures,
                         manifold_dim=manifold_dim, test=test, null=null, bootstrap=bootstrap,
                         bootstrap_p=bootstrap_p, alpha=alpha, correction=correction, reference=reference,
                         test_pair=test_pair, report_pair=report_pair, drop_invalid=drop_invalid, memory_limit=memory_limit,
                         header=header, seed=seed, threads=threads)
    callback, display = _progress.callback(progress)

    data = _core.Input()
    for name, model in model_entries(models, names):
        if is_path(model):
            data.add_file(name, os.fspath(model), config)
        elif is_graph(model):
            data.add_graph(name, as_csr(model, name))
        else:
            data.add_array(name, as_matrix(model, name), not config.input.drop_invalid)
    if ids is not None:
        if is_path(ids):
            data.read_ids(os.fspath(ids))
        else:
            data.ids = strings(ids, "ids")
    for what, values in (("text", text), ("labels", labels)):
        if values is None:
            continue
        if is_path(values):
            data.read_lines(what, os.fspath(values))
        elif what == "text":
            data.texts = strings(values, what)
        else:
            data.labels = strings(values, what)
    if metrics is not None:
        if is_path(metrics):
            data.read_metrics(os.fspath(metrics))
        elif isinstance(metrics, Mapping):
            model_names = list(data.names)
            values = []
            for m in metrics:
                per_model = metrics[m]
                if not isinstance(per_model, Mapping):
                    raise TypeError(f"metrics: metric '{m}' must map model names to values, got {type(per_model).__name__}")
                unknown = set(per_model) - set(model_names)
                if unknown:
                    raise ValueError(f"metrics: metric '{m}' names unknown model(s) {sorted(map(str, unknown))}")
                missing = [x for x in model_names if x not in per_model]
                if missing:
                    raise ValueError(f"metrics: metric '{m}' has no value for model(s) {missing}")
                values.append([float(per_model[x]) for x in model_names])
            data.set_metrics([str(m) for m in metrics], values)
        else:
            raise TypeError("metrics must be a mapping {metric: {model name: value}} or the path of a CSV file, "
                            f"got {type(metrics).__name__}")

    said = _core.prepare(data, config)
    for w in said:
        warn(w)
    try:
        core = _core.run(data, config, callback)
    finally:
        if display is not None:
            display.close()
    later = [w for w in core.warnings if w not in said]
    for w in later:
        warn(w)
    return CompareResult(core, list(said) + later)
