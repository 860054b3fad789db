"""``colorstudio models [list|import|export|rename|delete]``: the shipped models and the user's own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from colorstudio import paths
from colorstudio.core import catalog, engine_cache, model_files
from colorstudio.core.errors import ColorStudioError


def add_parser(sub) -> None:
    p = sub.add_parser("models", help="list, import, export, rename or delete models",
                       description="The models colorstudio can use: the shipped ones (read-only) and your own. "
                                   "Without an action, lists them.")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the models (the default)")
    # SUPPRESS: `models --json list` keeps the --json given before the action
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the list as JSON")
    imp = actions.add_parser("import", help="copy a .safetensors model file into your models")
    imp.add_argument("file", type=Path, metavar="FILE")
    exp = actions.add_parser("export", help="copy a model to a file (or into a folder)")
    exp.add_argument("name", metavar="NAME")
    exp.add_argument("file", type=Path, metavar="FILE")
    exp.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    ren = actions.add_parser("rename", help="rename one of your models")
    ren.add_argument("name", metavar="NAME")
    ren.add_argument("new_name", metavar="NEW_NAME")
    rm = actions.add_parser("delete", help="delete one of your models (shipped ones cannot be)")
    rm.add_argument("name", metavar="NAME")


def main(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        if args.action == "import":
            target = model_files.import_model(args.file)
            print(f"Imported {target.stem}: {target}")
        elif args.action == "export":
            print(f"Exported {args.name} to {model_files.export_model(args.name, args.file, args.overwrite)}")
        elif args.action == "rename":
            name = model_files.rename_model(args.name, args.new_name)
            changed = "" if name == args.new_name.strip() else " (characters a file name cannot hold left out)"
            print(f"Renamed {args.name} to {name}{changed}")
        elif args.action == "delete":
            model_files.delete_model(args.name)
            print(f"Deleted {args.name}")
        else:
            _list(args.json)
    except (ColorStudioError, OSError) as exc:
        print(f"colorstudio: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _list(as_json: bool) -> None:
    entries = catalog.list_models()
    if as_json:
        print(json.dumps([{"name": e.name, "source": e.source, "path": str(e.path), "default": e.is_default,
                           "card": e.card} for e in entries], indent=2))
        return
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
    cache = paths.user_cache_dir() / "openvino"
    print(f"Models converted for OpenVINO are cached in {engine_cache.describe(cache)}")
