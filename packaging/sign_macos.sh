#!/usr/bin/env bash
# Sign colorstudio.app ad hoc (the identity "-": no certificate) and verify the signature. build.sh runs it on
# macOS right after PyInstaller, so the smoke test and the archive get the signed app.
#   packaging/sign_macos.sh [dist/colorstudio.app]
# An ad-hoc signature lets Apple silicon run the app, but Gatekeeper does not know its author: people open it the
# first time with right-click > Open. A Developer ID signature and notarization replace this step:
# docs/releasing.md, "A notarized macOS build".
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-dist/colorstudio.app}
[ -d "$app" ] || { echo "$app is not there: build it first (packaging/build.sh)"; exit 1; }
codesign --force --deep --sign - "$app"
codesign --verify --deep --strict --verbose=2 "$app"
codesign --display --verbose=2 "$app" 2>&1 | grep -E "^(Identifier|Signature|Format)" || true
