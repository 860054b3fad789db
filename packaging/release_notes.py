"""Print one version's section of CHANGELOG.md (Keep a Changelog), as the GitHub release's notes.

    python packaging/release_notes.py 0.1.0            the notes of [0.1.0], without its heading
    python packaging/release_notes.py v0.1.0 -o notes.md   a tag works too; written to a file

Fails (exit 1, saying why) when the changelog has no section for the version, when the section is empty, or
when its heading has no date (``## [0.1.0] - 2026-12-06``): a release is cut only once its notes are written
and dated.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?P<rest>.*)$")
DATE = re.compile(r"^\s*-\s*\d{4}-\d{2}-\d{2}\s*$")


class NotesError(ValueError):
    pass


def section(changelog: str, version: str) -> str:
    """The body of ``version``'s section (without its heading, link definitions left out), stripped."""
    version = version.removeprefix("v")
    lines = changelog.splitlines()
    start = None
    for i, line in enumerate(lines):
        match = HEADING.match(line)
        if match and match["version"] == version:
            if not DATE.match(match["rest"]):
                raise NotesError(f"the heading of [{version}] has no date: {line!r} (write '## [{version}] - YYYY-MM-DD')")
            start = i + 1
            break
    if start is None:
        raise NotesError(f"CHANGELOG.md has no section for [{version}]")
    body = []
    for line in lines[start:]:
        if line.startswith("## "):
            break
        if re.match(r"^\[[^\]]+\]:\s", line):  # link definitions at the end of the file
            continue
        body.append(line)
    text = "\n".join(body).strip()
    if not text:
        raise NotesError(f"the section [{version}] of CHANGELOG.md is empty")
    return text + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="0.1.0 or v0.1.0")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument("-o", "--output", type=Path, help="write the notes here (default: print them)")
    args = parser.parse_args(argv)
    try:
        notes = section(args.changelog.read_text(encoding="utf-8"), args.version)
    except NotesError as exc:
        print(f"release_notes: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(notes, encoding="utf-8")
    else:
        sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
