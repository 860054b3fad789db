#!/usr/bin/env bash
# The system libraries Qt's window needs on Debian/Ubuntu (the README's Install list, without python3-venv):
# CI's test job and the Linux release job install them before running the tests or the smoke test.
set -euo pipefail
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xkb1
