#!/usr/bin/env bash
# Build the one-folder application bundle from a clean virtual environment.
#   packaging/build.sh            bundle with the torch build pip picks (CUDA on Linux/Windows x86-64)
#   COLORSTUDIO_CPU_ONLY=1 packaging/build.sh   a much smaller CPU-only bundle: install the CPU build of
#       torch first (PIP_TORCH="torch --index-url <PyTorch's CPU wheel index>"), NVIDIA libraries are excluded
# Output: dist/colorstudio/ (dist/colorstudio.app on macOS, signed ad hoc by sign_macos.sh). Windows: run the
# same steps in Git Bash, or the pip/pyinstaller lines by hand in PowerShell (.venv\Scripts\...).
# PYTHON=python3.12 packaging/build.sh builds with another interpreter (default python3.11). Windows: build.ps1.
set -euo pipefail
cd "$(dirname "$0")/.."
${PYTHON:-python3.11} -m venv build/venv
build/venv/bin/pip install -q --upgrade pip
if [ -n "${PIP_TORCH:-}" ]; then build/venv/bin/pip install -q $PIP_TORCH; fi
build/venv/bin/pip install -q '.[packaging]'
build/venv/bin/python packaging/make_icons.py
start=$(date +%s)
build/venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
  packaging/colorstudio.spec
case "$(uname -s)" in
  Linux)  # the applications-menu entry and the script that installs it
    cp packaging/colorstudio.desktop packaging/install-desktop-entry.sh dist/colorstudio/ ;;
  Darwin)  # the .app signed ad hoc (a notarized build signs it with a Developer ID instead)
    packaging/sign_macos.sh dist/colorstudio.app ;;
esac
echo "built dist/colorstudio in $(( $(date +%s) - start )) s, $(du -sh dist/colorstudio | cut -f1)"
