#!/usr/bin/env sh
# Linux: add colorstudio to the applications menu, for the application folder this script is in
# (run it once after unpacking; run it again after moving the folder). Writes one file:
# ~/.local/share/applications/colorstudio.desktop (delete it to undo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
icon=$(find "$here" -path '*/resources/colorstudio.svg' | head -n 1)
target="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$target"
sed -e "s|^Exec=.*|Exec=\"$here/colorstudio\" %F|" -e "s|^Icon=.*|Icon=${icon:-colorstudio}|" \
  "$here/colorstudio.desktop" > "$target/colorstudio.desktop"
echo "added to the applications menu: $target/colorstudio.desktop"
