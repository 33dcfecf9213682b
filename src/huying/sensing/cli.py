"""The sensing subcommands of `huying`: `hj212 check`, `ingest`, `simulate sensors`.

Each is a thin wrapper that sets Django up (where it needs the database) and calls one module.
"""

import argparse
import os
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Called by huying.cli.build_parser; each subcommand adds itself below."""
    _add_hj212(sub)
    _add_ingest(sub)
    _add_simulate(sub)


def _add_hj212(sub) -> None:
    p = sub.add_parser(
        "hj212",
        help="HJ 212 tools: check a capture of packets",
        description="Tools for HJ 212 (2005 and 2017) traffic.",
    )
    actions = p.add_subparsers(dest="hj212_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="report how many packets of a file parse, and why the others do not",
        description="Read FILE… (one packet per line, plain or gzip) with the ingest parser "
        "and print how many parse, counts by CN and ST, the readings and unknown parameter "
        "codes, and the rejected packets grouped by reason with their file:line. Exit code "
        "0 when every packet parses, 1 otherwise.",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="packet files")
    check.add_argument(
        "--limit", type=int, default=20, help="line numbers shown per reason (default 20)"
    )
    check.add_argument("--all", action="store_true", help="show every rejected line number")
    check.set_defaults(func=cmd_hj212_check)


def cmd_hj212_check(args) -> int:
    from huying.sensing.hj212 import check

    return check.run(args.files, None if args.all else args.limit)


def _add_ingest(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="receive sensor data: HJ 212 over TCP, MQTT, HTTP",
        description="Run the ingest doors in front of one pipeline that stores readings in "
        "batches and then evaluates the rules. HJ 212 (2005 and 2017) over TCP listens on "
        "HUYING_SENSING_HJ212_HOST:HUYING_SENSING_HJ212_PORT (default 127.0.0.1:8212) and "
        "replies 9014 only after the readings are stored. SIGTERM or Ctrl+C stops accepting, "
        "sends the replies still owed and stores what is queued before exiting.",
    )
    p.add_argument(
        "--host", default=None, help="HJ 212 address (default HUYING_SENSING_HJ212_HOST)"
    )
    p.add_argument(
        "--port", type=int, default=None, help="HJ 212 port (default HUYING_SENSING_HJ212_PORT)"
    )
    p.add_argument(
        "--processes",
        type=int,
        default=None,
        help="processes sharing the HJ 212 port (SO_REUSEPORT); the first runs every door "
        "(default: 2 on PostgreSQL, whose server does the storing on another core; 1 on "
        "SQLite, where a second writer only waits for the lock)",
    )
    p.add_argument(
        "--idle-seconds",
        type=float,
        default=None,
        help="close an HJ 212 connection without a packet for this long "
        "(default HUYING_SENSING_IDLE_SECONDS)",
    )
    p.add_argument(
        "--doors",
        default=None,
        help="comma-separated doors to run, e.g. hj212,http (default: all of "
        "hj212, mqtt, http and the others installed)",
    )
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_ingest)


def _default_processes() -> int:
    from django.db import connection

    # bench/ingest.py on 2 cores: PostgreSQL 100k readings/s with one process, 219k with two;
    # SQLite 197k with one, and a second adds ~10% and worsens the p99.
    return 2 if connection.vendor == "postgresql" and (os.cpu_count() or 1) >= 2 else 1


def cmd_ingest(args) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from huying.sensing.ingest import server

    return server.run(
        host=args.host,
        port=args.port,
        processes=max(args.processes or _default_processes(), 1),
        idle_seconds=args.idle_seconds,
        doors=args.doors.split(",") if args.doors else None,
        reuse_port=args.reuse_port,
    )


def _add_simulate(sub) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulators for the demo district",
        description="Simulators that make the demo district's boards come alive.",
    )
    kinds = p.add_subparsers(dest="simulate_command", required=True, metavar="WHAT")
    s = kinds.add_parser(
        "sensors",
        help="send realistic sensor traffic and scripted incidents to the ingest doors",
        description="Every water station and enterprise gateway of the demo district sends "
        "HJ 212 over TCP (real-time data every 30 s, minute, hourly and daily data, each "
        "waiting for its 9014) or JSON telemetry over MQTT, and cameras post video "
        "detections of the 9 categories to the web API every ~20 s. Incidents: at +2 min a "
        "pollution event on 石井河 (worse than class V, then recovery), at +4 min a gas leak "
        "at an enterprise (level 1, then level 2 at +5 min, over at +10 min). Reconnects "
        "when the ingest server restarts; SIGTERM or Ctrl+C stops it. Run `huying demo "
        "--no-serve` first: it reads the registry and var/sensing-demo-tokens.json.",
    )
    s.add_argument(
        "--host", default=None, help="HJ 212 address (default HUYING_SENSING_HJ212_HOST)"
    )
    s.add_argument(
        "--port", type=int, default=None, help="HJ 212 port (default HUYING_SENSING_HJ212_PORT)"
    )
    s.add_argument("--mqtt", default=None, help="MQTT broker URL (default HUYING_SENSING_MQTT_URL)")
    s.add_argument("--web", default="http://127.0.0.1:8000", help="web server for video detections")
    s.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulated seconds per real second (default 1); above 1 the data times run "
        "ahead of the clock, so use it on a trial database",
    )
    s.add_argument(
        "--seconds", type=float, default=0, help="stop after this many seconds (0: until stopped)"
    )
    s.add_argument(
        "--incidents", choices=("on", "off"), default="on", help="play the scripted incidents"
    )
    s.add_argument(
        "--only", nargs="*", default=[], metavar="PREFIX",
        help="only the devices whose code starts with one of these (e.g. GW- WQ-BYR004 CAM-)",
    )  # fmt: skip
    s.set_defaults(func=cmd_simulate_sensors)


def cmd_simulate_sensors(args) -> int:
    from huying.cli import _setup_django

    _setup_django()
    from django.conf import settings

    from huying.demo import sensing_sim

    return sensing_sim.run(
        sensing_sim.Options(
            host=args.host or settings.SENSING_HJ212_HOST,
            port=args.port or settings.SENSING_HJ212_PORT,
            mqtt_url=args.mqtt or settings.SENSING_MQTT_URL,
            web_url=args.web,
            speed=args.speed,
            seconds=args.seconds,
            incidents=args.incidents == "on",
            only=args.only,
        )
    )
