"""`huying datahub …`: load extracts, link their people into residents, export the links."""

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
    link = actions.add_parser(
        "link",
        help="link the loaded person records into residents",
        description="Link the person records of every load into residents (Splink). Without "
        "--full, once a model and a run exist, only records no run has linked yet are "
        "matched against the registry; linked records keep their residents. Resident ids "
        "stay stable across runs.",
    )
    link.add_argument(
        "--full", action="store_true", help="re-link every record (ids still kept stable)"
    )
    link.add_argument(
        "--retrain", action="store_true", help="train a new model version first (implies --full)"
    )
    link.add_argument(
        "--from-spark",
        type=Path,
        metavar="OUT",
        help="a full run that takes its clusters from `link-spark OUT` instead of predicting",
    )
    link.set_defaults(func=cmd_link)
    export = actions.add_parser(
        "export-links",
        help="write source, source_key, resident_id of every person record to a CSV file",
        description="Write OUT (CSV, UTF-8, with a header): source, source_key, resident_id "
        "for every loaded person record; resident_id is empty for a record not linked yet.",
    )
    export.add_argument("out", type=Path, help="the CSV file to write")
    export.set_defaults(func=cmd_export_links)
    refresh = actions.add_parser(
        "refresh",
        help="refresh dwellings, today's occupancy and the discrepancies",
        description="Rebuild the registry's dwellings and who lives in them today from the "
        "current records, then open, update or close discrepancies (the linkage run does this "
        "at its end; run it on its own after a load of dwellings or door-access events, or "
        "daily, as registrations and cards expire).",
    )
    refresh.set_defaults(func=cmd_refresh)
    spark = actions.add_parser(
        "link-spark",
        help="link the person records on Spark with the saved model (docs/scale.md)",
        description="Write the person records as `link` would link them to OUT/input.parquet, "
        "link them on Spark with the same spec and the saved model (Splink's Spark backend) "
        "and write OUT/clusters.parquet (unique_id, cluster_id, match_probability). The "
        "registry is unchanged until `huying datahub link --from-spark OUT`. Needs Java and "
        "pyspark; see docs/scale.md for a cluster.",
    )
    spark.add_argument("out", type=Path, help="the folder to write (shared storage on a cluster)")
    spark.add_argument(
        "--master", help="Spark master, e.g. local[2] or yarn (default: spark-submit's)"
    )
    spark.add_argument("--model", type=int, help="the model version (default: the latest)")
    spark.add_argument(
        "--conf",
        action="append",
        default=[],
        type=_setting,
        metavar="KEY=VALUE",
        help="a Spark setting, e.g. spark.sql.shuffle.partitions=2000 (repeatable)",
    )
    spark.set_defaults(func=cmd_link_spark)


def _setting(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value


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
    if load.changed:
        print("  接着运行 huying datahub link，把新记录链接到实有人口")
    for f in load.files.order_by("source"):
        found = "，".join(f"{LABELS.get(k, k)} {v}" for k, v in sorted(f.findings.items()))
        print(
            f"  {f.filename}: {f.rows} 行，新增 {f.new}，变更 {f.changed}，未变 {f.unchanged}；"
            f"校验发现：{found or '无'}"
        )
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.datahub.registry_refresh import refresh_registry

    result = refresh_registry()
    homes, found = result.dwellings, result.discrepancies
    print(
        f"出租屋 {homes.dwellings} 处（写入 {homes.written}），当前居住关系 {homes.occupancies} 条"
        f"（新增 {homes.occupancies_added}，移除 {homes.occupancies_removed}）"
    )
    for what, names in (("镇街", homes.unknown_towns), ("村社", homes.unknown_villages)):
        if names:
            print(f"  未能识别的{what}名称 {len(names)} 个：{'、'.join(names[:10])}")
    print(
        f"数据差异：新发现 {found.opened}，更新 {found.updated}，已自动关闭 {found.closed}；"
        f"待处理 {sum(found.by_kind.values())} 条（用时 {result.seconds['total']} 秒）"
    )
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.core.errors import BusinessError
    from huying.datahub.linkage import link

    try:
        run = link(
            full=args.full, retrain=args.retrain, progress=_progress, from_spark=args.from_spark
        )
    except BusinessError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    figures = run.figures
    print(
        f"第 {run.pk} 次链接完成（{run.get_mode_display()}，模型 v{run.model_version}，"
        f"阈值 {figures.get('threshold')}）：{run.records} 条人员记录，{run.residents} 名实有人口，"
        f"新增 {run.new_residents} 名；记录改归 {figures.get('moved', 0)} 条，"
        f"合并 {figures.get('merged', 0)} 名"
    )
    timings = "，".join(f"{k} {v}s" for k, v in figures.get("seconds", {}).items())
    print(f"  用时：{timings}")
    return 0


def cmd_export_links(args: argparse.Namespace) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.datahub.linkage import export_links

    count = export_links(args.out)
    print(f"已写出 {count} 条记录的链接到 {args.out}")
    return 0


def cmd_link_spark(args: argparse.Namespace) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.datahub import linkage_model, linkage_spark

    version = args.model or linkage_model.latest_version()
    if version is None or not linkage_model.model_path(version).exists():
        print("没有可用的链接模型：请先运行 huying datahub link 训练模型", file=sys.stderr)
        return 2
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("需要 pyspark（pip install pyspark）和 Java 才能在 Spark 上链接", file=sys.stderr)
        return 2
    out = args.out.resolve()
    source, target = out / linkage_spark.INPUT, out / linkage_spark.CLUSTERS
    records = linkage_spark.export_input(source)
    if not records:
        print("还没有导入任何人员记录，无需链接", file=sys.stderr)
        return 2
    print(f"已写出 {records} 条人员记录到 {source}", flush=True)
    spark = linkage_spark.session(args.master, dict(args.conf))
    try:
        result = linkage_spark.link(spark, str(source), linkage_model.load(version), str(target))
    except linkage_spark.SparkSetupError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        spark.stop()
    linkage_spark.write_manifest(out, version, result)
    print(
        f"Spark 链接完成（模型 v{version}）：{result.records} 条记录，{result.clusters} 个聚类，"
        f"{result.edges} 条匹配边，拆分冲突 {result.split} 个；结果在 {target}"
    )
    timings = "，".join(f"{k} {v}s" for k, v in result.seconds.items())
    print(f"  用时：{timings}")
    print(f"  写入人员库：huying datahub link --from-spark {out}")
    return 0
