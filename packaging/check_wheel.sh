#!/usr/bin/env bash
# Install the built wheel into a fresh virtual environment and use it: --version, then a headless colorize of a
# small gray image that must come out coloured (the release workflow's wheel job; by hand after build_dists.sh).
#   packaging/check_wheel.sh [dist/python/colorstudio-X.Y.Z-py3-none-any.whl]
# On Linux PyTorch's CPU build is installed first (PyPI's is the CUDA build, several GB); PIP_TORCH overrides it.
set -euo pipefail
cd "$(dirname "$0")/.."
wheel=${1:-$(ls dist/python/colorstudio-*.whl | tail -1)}
python=${PYTHON:-python3}
venv=$PWD/build/wheel-venv
rm -rf "$venv"
"$python" -m venv "$venv"
bin=$venv/bin; [ -d "$bin" ] || bin=$venv/Scripts  # Windows (Git Bash)
"$bin/python" -m pip install -q --upgrade pip
if [ "$(uname -s)" = Linux ]; then
  "$bin/python" -m pip install -q ${PIP_TORCH:-torch torchvision --index-url https://download.pytorch.org/whl/cpu}
fi
"$bin/python" -m pip install -q "$wheel"
work=$(mktemp -d)
export COLORSTUDIO_HOME="$work/home"
cd "$work"  # not the checkout: the installed package must be the one imported
echo "== --version"; "$bin/colorstudio" --version
"$bin/python" -c "
from PIL import Image; import numpy as np
y, x = np.mgrid[0:96, 0:128]
Image.fromarray((128 + 100 * np.sin(x / 9.0) * np.cos(y / 7.0)).astype('uint8')).save('gray.png')"
echo "== colorize"; "$bin/colorstudio" colorize gray.png -o out --device cpu
"$bin/python" -c "
import colorstudio, pathlib
from PIL import Image; import numpy as np
assert 'site-packages' in pathlib.Path(colorstudio.__file__).as_posix(), colorstudio.__file__
a = np.asarray(Image.open('out/gray.png').convert('RGB')).astype(int)
spread = np.abs(a[..., 0] - a[..., 2]).mean()
print(f'output channel spread {spread:.1f}'); assert spread > 1, 'the output is still gray'"
echo "the wheel installs and colorizes"
