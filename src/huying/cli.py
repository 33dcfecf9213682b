"""The `huying` command: run, set up and check a Huying installation.

Each subcommand is a thin wrapper: it sets Django up and calls one service or Django command.
"""

import argparse
import contextlib
import getpass
import os
import secrets
import shutil
import signal
import subprocess
import sys

from huying.paths import data_dir


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
    import django

    django.setup()


def cmd_migrate(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_check(args) -> int:
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level="WARNING" if args.strict else "ERROR")
    except SystemCheckError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_createuser(args) -> int:
    _setup_django()
    from huying.core.errors import BusinessError
    from huying.orgs import services
    from huying.orgs.models import Org

    org = Org.objects.filter(code=args.org).first()
    if org is None:
        print(f"找不到编码为 {args.org} 的单位（--org）", file=sys.stderr)
        return 2
    password = args.password or os.environ.get("HUYING_NEW_USER_PASSWORD")
    if not password:
        password = getpass.getpass("密码：")
    try:
        user = services.create_user(
            actor=None,
            username=args.username,
            password=password,
            role=args.role,
            org=org,
            full_name=args.name or "",
        )
    except BusinessError as exc:
        print(f"{exc.field or ''} {exc.message}".strip(), file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{user.get_role_display()}，{org.name}）")
    return 0


def cmd_audit(args) -> int:
    _setup_django()
    from huying.core import audit

    report = audit.verify()
    if report.ok:
        print(f"审计日志完整：已校验 {report.checked} 条记录，哈希链无断点。")
        return 0
    print(f"审计日志被篡改：已校验 {report.checked} 条，发现 {len(report.problems)} 处问题：")
    for problem in report.problems:
        print(f"  [{problem.kind}] {problem.message}")
    return 1


def cmd_worker(args) -> int:
    _setup_django()
    from huying.core import worker

    worker.run(once=args.once, interval=args.interval)
    return 0


def _fresh_metrics_dir(port: int) -> str:
    """gunicorn's processes share their metrics through files here (see core.metrics)."""
    path = data_dir() / f"metrics-{port}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return str(path)


def cmd_sweep(args) -> int:
    _setup_django()
    from huying.core import worker

    for sweep in worker.SWEEPS.values():
        if args.only and sweep.name not in args.only:
            continue
        print(f"{sweep.name}: {sweep.run()}")
    return 0


def cmd_serve(args) -> int:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", _fresh_metrics_dir(args.port))
    bind = f"{args.host}:{args.port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "huying.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        # One shared control socket per user would make two servers on one machine collide.
        "--no-control-socket",
    ]
    os.execv(sys.executable, command)  # noqa: S606  (replace this process with gunicorn)
    return 0  # pragma: no cover


def _ensure_demo_secret() -> None:
    """The demo runs with debug off, so it needs a real secret: make one once, keep it."""
    if os.environ.get("HUYING_SECRET_KEY"):
        return
    path = data_dir() / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    os.environ["HUYING_SECRET_KEY"] = path.read_text().strip()


def cmd_demo(args) -> int:
    _ensure_demo_secret()
    _setup_django()
    from django.core.management import call_command

    from huying.demo import services as demo

    call_command("migrate", interactive=False, verbosity=0)
    summary = demo.load_demo_district()
    print(summary.describe())
    from huying.datahub.catalogue_demo import load_demo_catalogue

    print(load_demo_catalogue().describe())
    if not args.no_history:
        from huying.demo.call_history import load_demo_history
        from huying.demo.hub import load_demo_hub

        print("载入一年的呼叫记录…", end="", flush=True)
        print(f" {load_demo_history().describe()}")
        print("生成、导入并链接部门数据…", end="", flush=True)
        print(f" {load_demo_hub().describe()}")
        from huying.demo.patrol import load_demo_patrol

        print(load_demo_patrol())
    from huying.demo.sensing import load_demo_sensing

    print(load_demo_sensing().describe())
    from huying.demo.supervision import load_demo_supervision

    print(load_demo_supervision().describe())
    url = f"http://{args.host}:{args.port}/"
    print(f"\n呼应演示区已就绪：{url}\n\n演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
    for username, description in demo.demo_accounts():
        print(f"  {username:<16} {description}")
    if args.no_serve:
        return 0
    print("\n按 Ctrl+C 停止。", flush=True)
    return _run_together(
        [
            [
                sys.executable,
                "-m",
                "huying.cli",
                "serve",
                "--host",
                args.host,
                "--port",
                str(args.port),
            ],
            [sys.executable, "-m", "huying.cli", "worker"],
            [sys.executable, "-m", "huying.cli", "ingest"],
            # The simulator retries until the ingest doors and the web server listen.
            [sys.executable, "-m", "huying.cli", "simulate", "sensors", "--web", url],
        ]
    )


def _run_together(commands: list[list[str]]) -> int:
    """Start the processes, stop them all when one exits or on Ctrl+C."""
    children = [subprocess.Popen(c) for c in commands]  # noqa: S603

    def stop(signum, frame):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(ChildProcessError):
        os.wait()  # the first child to exit ends the demo
    stop(None, None)
    codes = [child.wait() for child in children]
    return max(codes, default=0)


def cmd_manage(args) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["huying manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huying",
        description="呼应 Huying：区综合指挥调度平台。运行、初始化和检查一套 Huying。",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "demo",
        help="create the database, load the demo district and run it",
        description="Create or update the SQLite database under var/, load the "
        "demo district (Baiyun District, Guangzhou) and a year of call history "
        "without duplicating anything already there, print the URL and the demo "
        "accounts, then run the web server, the worker, the sensor ingest and the sensor "
        "simulator together until Ctrl+C.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--no-serve",
        action="store_true",
        help="only prepare the database and the demo data, then exit",
    )
    p.add_argument(
        "--no-history",
        action="store_true",
        help="load only the demo district, without its generated history: the year of calls "
        "(about 450) and the departmental extract the data hub links (50,000 residents)",
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "serve",
        help="run the web server (pages and API)",
        description="Run the web server (gunicorn) for the pages and the API. "
        "Run several behind a load balancer to scale out.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("HUYING_WEB_WORKERS", 2)),
        help="web worker processes (default HUYING_WEB_WORKERS or 2)",
    )
    p.add_argument("--threads", type=int, default=4, help="threads per web process (default 4)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "worker",
        help="run background work: sweeps and queued tasks",
        description="Run the background worker: it writes a heartbeat, runs the "
        "periodic sweeps (deadlines, clean-up) and the queued tasks (imports, "
        "exports). Safe to restart at any time: deadlines live in the database.",
    )
    p.add_argument("--once", action="store_true", help="do one round and exit")
    p.add_argument(
        "--interval",
        type=float,
        default=None,
        help="seconds between rounds (default HUYING_WORKER_INTERVAL or 5)",
    )
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "sweep",
        help="run every periodic sweep once (what the worker does on a schedule)",
        description="Run each periodic sweep once and print what it did: the calls sweeper "
        "(warnings at 50% and 80% of a time limit, urgings at a breach, level-2 urgings and "
        "accountability cases after the grace period) and the clean-up sweeps. Safe to run "
        "while workers are running: each step happens once.",
    )
    p.add_argument("--only", nargs="*", help="names of the sweeps to run, e.g. calls.sweep")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser(
        "migrate",
        help="create or update the database tables",
        description="Apply all database migrations (SQLite or PostgreSQL, as "
        "HUYING_DATABASE_URL says). Safe to run again.",
    )
    p.add_argument("-v", "--verbosity", type=int, default=1, help="0 quiet, 1 normal, 2 verbose")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "createuser",
        help="create a user with a role in a unit",
        description="Create a user who belongs to one unit (by its code) with "
        "one role. The password is asked for unless --password or "
        "HUYING_NEW_USER_PASSWORD is given.",
    )
    p.add_argument("username", help="login name")
    p.add_argument("--role", required=True, choices=_roles(), help="the user's role")
    p.add_argument("--org", required=True, help="code of the user's unit, e.g. 440111")
    p.add_argument("--name", help="the person's full name, shown in the pages")
    p.add_argument("--password", help="the password (prefer the prompt, it stays out of history)")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser(
        "audit", help="work with the audit log", description="Work with the hash-chained audit log."
    )
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    v = audit_sub.add_parser(
        "verify",
        help="check that no audit row was edited, deleted or inserted out of order",
        description="Walk the whole audit chain and report every row that "
        "was edited, deleted or inserted out of order. Exit code 1 if any.",
    )
    v.set_defaults(func=cmd_audit)

    p = sub.add_parser(
        "check",
        help="check the configuration for problems",
        description="Run Django's system checks on this configuration.",
    )
    p.add_argument(
        "--deploy", action="store_true", help="also run the checks for a production deployment"
    )
    p.add_argument("--strict", action="store_true", help="treat warnings as failures")
    p.set_defaults(func=cmd_check)

    from huying.datahub.cli import add_parser as add_datahub

    add_datahub(sub)

    from huying.sensing.cli import add_parser as add_sensing

    add_sensing(sub)

    p = sub.add_parser(
        "manage",
        help="run any Django management command (advanced)",
        description="Pass the rest of the line to Django's manage.py, e.g. "
        "`huying manage shell` or `huying manage makemigrations`.",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help="the Django command and its options")
    p.set_defaults(func=cmd_manage)
    return parser


def _roles() -> list[str]:
    from huying.orgs.choices import Role  # plain enum module: no Django setup needed

    return list(Role.values)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
