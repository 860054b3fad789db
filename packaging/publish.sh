#!/usr/bin/env bash
# Attach a folder of release files to the GitHub release of a tag: writes SHA256SUMS for them, takes the notes
# from CHANGELOG.md, and creates the release with the GitHub CLI (gh; GH_TOKEN must allow writing contents).
#   packaging/publish.sh v0.1.0 release/
# By hand, `DRY_RUN=1 packaging/publish.sh v0.1.0 release/` writes SHA256SUMS and the notes and prints the
# gh command instead of running it.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=$1; folder=$2
python=${PYTHON:-python3}
"$python" packaging/archive.py version --tag "$tag"
"$python" packaging/archive.py sums "$folder"
(cd "$folder" && sha256sum -c SHA256SUMS)
notes=$(mktemp)
"$python" packaging/release_notes.py "$tag" -o "$notes"
files=()
for f in "$folder"/*; do
  case "$f" in *.sha256) ;; *) files+=("$f") ;; esac
done
command=(gh release create "$tag" --verify-tag --title "colorstudio ${tag#v}" --notes-file "$notes" "${files[@]}")
if [ "${DRY_RUN:-0}" = 1 ]; then
  echo "notes:"; cat "$notes"; echo "would run: ${command[*]}"
else
  "${command[@]}"
fi
