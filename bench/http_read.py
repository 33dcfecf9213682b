"""Read latency and throughput of a running Huying over loopback HTTP.

    huying demo &                                   # or any running server
    .venv/bin/python bench/http_read.py --url http://127.0.0.1:8000 --requests 2000

Bounded: each scenario sends exactly --requests requests from --concurrency threads.
Prints p50/p95/p99 latency and requests per second for each scenario.
"""

import argparse
import json
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def _token(url: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(
        f"{url}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


def _timed_get(url: str, headers: dict) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        r.read()
        if r.status != 200:
            raise RuntimeError(f"{url} answered {r.status}")
    return time.perf_counter() - started


def run(name: str, url: str, headers: dict, requests: int, concurrency: int) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(lambda _: _timed_get(url, headers), range(requests)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{name:<34} n={requests:<6} rps={requests / elapsed:8.1f}  "
        f"p50={q[49] * 1000:6.1f} ms  p95={q[94] * 1000:6.1f} ms  p99={q[98] * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    if not args.url.startswith(("http://127.", "http://localhost")):
        parser.error("load tests use loopback addresses only")
    auth = {"Authorization": f"Bearer {_token(args.url, 'command', 'huying-demo')}"}
    town = {"Authorization": f"Bearer {_token(args.url, 'yuncheng', 'huying-demo')}"}
    scenarios = [
        ("GET /healthz", f"{args.url}/healthz", {}),
        ("GET /api/v1/orgs (district, 50)", f"{args.url}/api/v1/orgs?limit=50", auth),
        ("GET /api/v1/orgs (district, 500)", f"{args.url}/api/v1/orgs?limit=500", auth),
        ("GET /api/v1/orgs (street scope)", f"{args.url}/api/v1/orgs", town),
        ("GET /api/v1/orgs/{code}", f"{args.url}/api/v1/orgs/440111014", town),
    ]
    for name, url, headers in scenarios:
        run(name, url, headers, args.requests, args.concurrency)


if __name__ == "__main__":
    main()
