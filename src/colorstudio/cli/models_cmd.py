"""``colorstudio models``: the shipped and the user's models."""

from __future__ import annotations

import argparse
import json

from colorstudio import paths
from colorstudio.core import catalog


def add_parser(sub) -> None:
    p = sub.add_parser("models", help="list the shipped and your own models",
                       description="List the models colorstudio can use (shipped ones and your own).")
    p.add_argument("--json", action="store_true", help="print the list as JSON")


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    entries = catalog.list_models()
    if args.json:
        print(json.dumps([{"name": e.name, "source": e.source, "path": str(e.path), "default": e.is_default,
                           "card": e.card} for e in entries], indent=2))
        return 0
    if not entries:
        print("No models found.")
    for entry in entries:
        mark = " (default)" if entry.is_default else ""
        arch = entry.card.get("architecture", "?")
        print(f"{entry.name}{mark}  [{entry.source}, {arch}]")
        if entry.card.get("summary"):
            print(f"    {entry.card['summary']}")
        print(f"    {entry.path}")
    print(f"\nYour own models are kept in {paths.user_models_dir()}")
    return 0
