"""The HJ 212 parse rate alone (issue 6: "Report the parse rate alone on the corpus too").

    .venv/bin/python -m bench.hj212_parse [--corpus DIR] [--rounds 3] [--json]

Feeds the whole shared corpus (../shared/data/hj212-corpus/*.h212.gz, decompressed first so
gzip is not timed) through one Framer in 64 KiB reads, as a TCP connection would deliver it,
then parses each frame and takes its readings: the work the ingest door does before storing.
Single process, best of `--rounds`. Prints packets/s and readings/s with the machine and the
load averages (other work on the machine lowers the figures). bench.ingest calls parse_rate().
"""

import argparse
import gzip
import json
import os
import time
from pathlib import Path

from bench.calls import loadavg, machine
from huying.paths import BASE_DIR
from huying.sensing.hj212.errors import FrameError
from huying.sensing.hj212.frames import Frame, Framer
from huying.sensing.hj212.packet import parse_segment, readings

CORPUS = next(
    (
        c / "data" / "hj212-corpus"
        for c in (BASE_DIR.parent / "shared", Path("/work/shared"))
        if (c / "data" / "hj212-corpus").is_dir()
    ),
    BASE_DIR.parent / "shared" / "data" / "hj212-corpus",
)
READ = 64 * 1024
TARGET_READINGS_PER_S = 400_000  # the parser's share of the 100,000 readings/s ingest target


def load_stream(corpus: Path = CORPUS) -> bytes:
    files = sorted(corpus.glob("*.h212.gz"))
    if not files:
        raise SystemExit(f"no *.h212.gz under {corpus}")
    return b"".join(gzip.open(path, "rb").read() for path in files)


def one_round(stream: bytes) -> dict:
    framer, packets, found, errors = Framer(), 0, 0, 0
    started = time.perf_counter()
    for at in range(0, len(stream), READ):
        for item in framer.feed(stream[at : at + READ]):
            if type(item) is not Frame:
                errors += 1
                continue
            try:
                packet = parse_segment(item.segment)
            except FrameError:
                errors += 1
                continue
            packets += 1
            found += len(readings(packet))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "packets": packets, "readings": found, "errors": errors}


def parse_rate(corpus: Path = CORPUS, rounds: int = 3) -> dict:
    """Best of `rounds`: packets/s and readings/s for framing + parsing the whole corpus."""
    stream = load_stream(corpus)
    load_before = loadavg()
    best = min((one_round(stream) for _ in range(rounds)), key=lambda r: r["seconds"])
    return {
        **best,
        "bytes": len(stream),
        "packets_per_s": round(best["packets"] / best["seconds"]),
        "readings_per_s": round(best["readings"] / best["seconds"]),
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "machine": machine(),
        "load_before": load_before,
        "load_after": loadavg(),
    }


def describe(rate: dict) -> str:
    verdict = "met" if rate["readings_per_s"] >= TARGET_READINGS_PER_S else "NOT met"
    return "\n".join(
        [
            f"machine: {rate['machine']}, {rate['cpus']} CPUs; "
            f"load average before {rate['load_before']}, after {rate['load_after']}",
            f"corpus: {rate['bytes']:,} bytes, {rate['packets']:,} packets, "
            f"{rate['readings']:,} readings, {rate['errors']:,} framing/parse errors",
            f"HJ 212 framing + parsing, one process, best of {rate['rounds']}: "
            f"{rate['seconds']:.3f} s = {rate['packets_per_s']:,} packets/s, "
            f"{rate['readings_per_s']:,} readings/s "
            f"(target {TARGET_READINGS_PER_S:,} readings/s: {verdict})",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of *.h212.gz")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rate = parse_rate(args.corpus, args.rounds)
    print(json.dumps(rate, indent=2) if args.json else describe(rate))


if __name__ == "__main__":
    main()
