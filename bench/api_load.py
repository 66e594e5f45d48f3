"""Dashboard endpoints under load: a `shopflow serve` process (SQLite, demo camera analysing its video) and
this script as a second process on loopback, with N concurrent clients for T seconds per endpoint.

    .venv/bin/python bench/api_load.py [--clients 8] [--seconds 15] [--no-pipeline]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import httpx

EMAIL, PASSWORD = "bench@shopflow.local", "Carga-Pesada-Caju-2026"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def hammer(base: str, path: str, clients: int, seconds: float, headers: dict[str, str]) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        nonlocal failures
        with httpx.Client(base_url=base, timeout=30, headers=headers) as http:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                response = http.get(path)
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    if response.status_code != 200:
                        failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), failures, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "DATA_DIR": data,
            "DATABASE_URL": f"sqlite:///{data}/shopflow.db",
            # Every client is one caller; the default 600 a minute would measure the rate limit, not the server.
            "API_RATE_LIMIT": "1000000/minute",
        }
        subprocess.run(
            [sys.executable, "-m", "shopflow.cli", "user", "create", "--email", EMAIL, "--password-stdin"],
            env=env,
            input=PASSWORD + "\n",
            text=True,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "shopflow.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            time.sleep(20)  # let the demo camera produce some events
            token = httpx.post(f"{base}/api/auth/token", json={"email": EMAIL, "password": PASSWORD}).json()
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            store = httpx.get(f"{base}/api/stores", headers=headers).json()[0]["id"]
            today = time.strftime("%Y-%m-%d")
            paths = [
                "/api/health",
                f"/api/analytics/now?store_id={store}",
                f"/api/analytics/today?store_id={store}",
                f"/api/analytics/hourly?store_id={store}&since={today}&until={today}",
                f"/api/cameras?store_id={store}",
                f"/api/events?store_id={store}&limit=50&order=newest",
            ]
            print(
                f"{args.clients} clients signed in (bearer token), {args.seconds:g} s per endpoint, "
                "server with the demo camera analysing\n"
            )
            print("| endpoint | requests/s | p50 ms | p95 ms | failures |")
            print("| --- | ---: | ---: | ---: | ---: |")
            for path in paths:
                count, failures, latencies = hammer(base, path, args.clients, args.seconds, headers)
                p50 = statistics.median(latencies) * 1000
                p95 = percentile(latencies, 0.95) * 1000
                print(f"| `{path.split('?')[0]}` | {count / args.seconds:.0f} | {p50:.1f} | {p95:.1f} | {failures} |")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
