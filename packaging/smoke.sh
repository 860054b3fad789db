#!/usr/bin/env bash
# Build the bundle, then check the frozen app: --version, a headless colorize on OpenVINO, a failed photo's exit
# code, a scan through the fused join, and the GUI's ready line. Windows: packaging/smoke.ps1 checks the same.
#   SKIP_BUILD=1 packaging/smoke.sh    checks the bundle already in dist/
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || packaging/build.sh
app=dist/colorstudio/colorstudio
# macOS: the executable inside the .app people will start
[ "$(uname -s)" != Darwin ] || app=dist/colorstudio.app/Contents/MacOS/colorstudio
work=$(mktemp -d)
export COLORSTUDIO_HOME="$work/home"
echo "== --version"; "$app" --version
echo "== colorize"
build/venv/bin/python -c "
from PIL import Image; import numpy as np
y, x = np.mgrid[0:96, 0:128]
Image.fromarray((128 + 100 * np.sin(x / 9.0) * np.cos(y / 7.0)).astype('uint8')).save('$work/gray.png')"
said=$("$app" colorize "$work/gray.png" -o "$work/out" --device cpu 2>&1); echo "$said"
# the CPU engine must be in the bundle and run, not the fallback to PyTorch
echo "$said" | grep -q "OpenVINO" || { echo "the bundle does not run OpenVINO"; exit 1; }
build/venv/bin/python -c "
from PIL import Image; import numpy as np
a = np.asarray(Image.open('$work/out/gray.png').convert('RGB')).astype(int)
spread = np.abs(a[..., 0] - a[..., 2]).mean()
print(f'output channel spread {spread:.1f}'); assert spread > 1, 'the output is still gray'"
echo "== a photo that fails: the command line says so and exits 1"
code=0; said=$("$app" colorize "$work/missing.png" -o "$work/out" 2>&1) || code=$?; echo "$said" | tail -2
[ $code = 1 ] && echo "$said" | grep -q FAILED || { echo "exit code $code, not 1 with FAILED"; exit 1; }
echo "== colorize a scan larger than the render size (the full-resolution join)"
build/venv/bin/python -c "
from PIL import Image; import numpy as np
y, x = np.mgrid[0:1200, 0:1600]
Image.fromarray((128 + 100 * np.sin(x / 37.0) * np.cos(y / 23.0)).astype('uint8')).save('$work/scan.png')"
said=$("$app" colorize "$work/scan.png" -o "$work/out" --device cpu --verbose 2>&1); echo "$said" | tail -4
# the fused join must be in the bundle and run, not the fallback to OpenCV's
echo "$said" | grep -q "one pass a pixel (numba)" || { echo "the bundle does not run the fused join"; exit 1; }
echo "== GUI"
out=$(QT_QPA_PLATFORM=offscreen COLORSTUDIO_SMOKE_TEST=1 "$app" 2>&1); code=$?
echo "$out" | tail -3
echo "$out" | grep -q READY && [ $code = 0 ] && echo "smoke test passed"
