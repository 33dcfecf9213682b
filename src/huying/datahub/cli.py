"""`huying datahub …`: load extracts (and, later, link them) from the command line."""

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "datahub",
        help="the data hub: load departmental extracts",
        description="Work with the data hub (see docs/load-format.md).",
    )
    actions = p.add_subparsers(dest="datahub_command", required=True, metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load an extract folder (all or nothing)",
        description="Load every known file in FOLDER (dwellings.csv, door_access_cards.csv, "
        "door_access_events.csv, public_security_persons.csv, migrant_registrations.csv, or "
        "the same names as .parquet) as one load, all or nothing: a malformed file refuses the "
        "whole load with the file, row and column of its first problems (exit code 1); "
        "loading the same extract again changes nothing.",
    )
    load.add_argument("folder", type=Path, help="the folder holding the extract's files")
    load.add_argument("--label", default="", help="a note shown with the load, e.g. 11月全量")
    load.set_defaults(func=cmd_load)


def _progress(percent: int, stage: str) -> None:
    print(f"[{percent:3d}%] {stage}", flush=True)


def cmd_load(args: argparse.Namespace) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.core.errors import BusinessError
    from huying.core.idnumbers import LABELS
    from huying.datahub.choices import LoadStatus
    from huying.datahub.loading import load_folder

    try:
        load = load_folder(args.folder, label=args.label, progress=_progress)
    except BusinessError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if load.status != LoadStatus.SUCCEEDED:
        print(f"第 {load.pk} 批被拒绝，未导入任何数据：", file=sys.stderr)
        for problem in load.problems:
            row = f"第 {problem['row']} 行" if problem["row"] else "整个文件"
            column = f"，列 {problem['column']}" if problem["column"] else ""
            print(f"  {problem['file']} {row}{column}：{problem['message']}", file=sys.stderr)
        return 1
    print(f"第 {load.pk} 批已导入：{load.records} 条记录，其中新增或变更 {load.changed} 条")
    for f in load.files.order_by("source"):
        found = "，".join(f"{LABELS.get(k, k)} {v}" for k, v in sorted(f.findings.items()))
        print(
            f"  {f.filename}: {f.rows} 行，新增 {f.new}，变更 {f.changed}，未变 {f.unchanged}；"
            f"校验发现：{found or '无'}"
        )
    return 0
