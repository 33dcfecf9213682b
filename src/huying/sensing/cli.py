"""The sensing subcommands of `huying`: `hj212 check`, `ingest`, `simulate sensors`.

Each is a thin wrapper that sets Django up (where it needs the database) and calls one module.
"""

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Called by huying.cli.build_parser; each subcommand adds itself below."""
