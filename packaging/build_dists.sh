#!/usr/bin/env bash
# The wheel and the sdist in dist/python/, checked by `twine check` (the release workflow's first job).
#   packaging/build_dists.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
"$python" -m venv build/dists-venv
bin=build/dists-venv/bin; [ -d "$bin" ] || bin=build/dists-venv/Scripts  # Windows (Git Bash)
"$bin/python" -m pip install -q --upgrade pip build twine
rm -rf dist/python
"$bin/python" -m build --outdir dist/python .
"$bin/python" -m twine check --strict dist/python/*
ls -l dist/python
