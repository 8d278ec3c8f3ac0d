"""Endpoint benchmark: ``kg serve`` against Oxigraph's own server, same store, same machine, one run.

Builds a store with ``kg ingest`` in a temporary directory, starts ``kg serve`` (gunicorn,
``--workers 2``) and the reference, ``oxigraph serve-read-only --union-default-graph`` (so both
default graphs are the union of all graphs), on that same directory, and checks that every query
of the example catalog (``data/queries/*.rq``) gets 200 and the same number of rows from both.

Then a closed-loop load: ``--concurrency`` persistent HTTP/1.1 connections, spread over
``--processes`` client processes, each sending the catalog's queries in turn for ``--seconds``
(or ``--requests`` in all), against each server in turn, in the order kg, oxigraph, oxigraph,
kg (``--rounds 2``) so neither always runs first. Prints, for each server, requests, errors
(non-200 answers and failed connections), requests/s, median and p99 latency, the ratios
kg/oxigraph, and the median latency of ``ASK {}`` sent alone on one connection (the fixed cost
of a request). The client shares the machine's cores with the server being measured.

    python bench/endpoint.py [--seconds 10] [--concurrency 8] [--processes 2] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import multiprocessing.pool
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "data" / "queries").glob("*.rq"))
JSON_RESULTS = "application/sparql-results+json"
GRAPH_FORM = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    path: str  # where queries go


class Run(NamedTuple):
    """What one connection did: when it started and stopped, each request's latency, non-200s."""

    began: float
    ended: float
    latencies: list[float]
    errors: int


@dataclass(frozen=True)
class Load:
    server: Server
    bodies: list[bytes]
    seconds: float
    requests: int  # per connection; 0 means run for ``seconds``
    connections: int  # in this client process
    first: int  # index of this process's first connection


def tool(name: str) -> str:
    """The executable ``name``, preferring the one next to this Python (the virtualenv's)."""
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        raise SystemExit(f"{name} not found: install the project with its bench extra")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(conn: http.client.HTTPConnection, server: Server, body: bytes) -> tuple[int, bytes]:
    accept = "application/n-triples" if GRAPH_FORM.search(body.decode()) else JSON_RESULTS
    headers = {"Content-Type": "application/sparql-query", "Accept": accept}
    conn.request("POST", server.path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def start(command: list[str], log: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    """Start ``command`` in a process group of its own, terminated when ``stack`` closes."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop, process)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the whole process group (gunicorn's workers, their query workers), then wait."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            process.poll()  # reap the leader, so only live members keep the group
            os.killpg(process.pid, 0)  # raises once nothing of the group is left
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_ready(process: subprocess.Popen[bytes], port: int, probe: tuple[str, str, bytes], log: Path) -> None:
    method, path, body = probe
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}:\n{log.read_text()}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request(
                method, path, body=body or None, headers={"Content-Type": "application/sparql-query"}
            )
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise SystemExit(f"{process.args[0]} did not answer on port {port} within 60 s:\n{log.read_text()}")


def rows(body: bytes) -> int:
    if body.lstrip().startswith(b"{"):
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


def check_catalog(servers: list[Server], bodies: list[bytes]) -> None:
    """Every query answers 200 with the same number of rows on every server, or abort."""
    conns = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=60) for s in servers]
    for path, body in zip(QUERIES, bodies, strict=True):
        answers = [post(conn, server, body) for conn, server in zip(conns, servers, strict=True)]
        counts = [rows(data) if status == 200 else None for status, data in answers]
        if None in counts or len(set(counts)) > 1:
            found = ", ".join(
                f"{s.name}: {a[0]} {c} rows" for s, a, c in zip(servers, answers, counts, strict=True)
            )
            raise SystemExit(f"{path.name}: the servers disagree ({found}); nothing was timed")
    for conn in conns:
        conn.close()


def connection(load: Load, index: int, out: list[Run]) -> None:
    """One keep-alive connection sending the catalog in turn, from its own starting query."""
    conn = http.client.HTTPConnection("127.0.0.1", load.server.port, timeout=60)
    latencies: list[float] = []
    errors, n = 0, len(load.bodies)
    began = time.monotonic()
    deadline = began + load.seconds
    while (len(latencies) < load.requests) if load.requests else (time.monotonic() < deadline):
        sent = time.perf_counter()
        try:
            status, _ = post(conn, load.server, load.bodies[(index + len(latencies)) % n])
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()  # reconnects on the next request
        latencies.append(time.perf_counter() - sent)
        errors += status != 200
    out.append(Run(began, time.monotonic(), latencies, errors))
    conn.close()


def client(load: Load) -> list[Run]:
    """One client process: its connections, one thread each."""
    out: list[Run] = []
    threads = [
        threading.Thread(target=connection, args=(load, load.first + i, out)) for i in range(load.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def run_load(
    pool: multiprocessing.pool.Pool, args: argparse.Namespace, server: Server, bodies: list[bytes]
) -> list[Run]:
    per_process = [len(range(p, args.concurrency, args.processes)) for p in range(args.processes)]
    per_connection = -(-args.requests // args.concurrency) if args.requests else 0
    loads = [
        Load(server, bodies, args.seconds, per_connection, k, sum(per_process[:p]))
        for p, k in enumerate(per_process)
        if k
    ]
    return [result for results in pool.map(client, loads) for result in results]


def ask_p50(server: Server, repeat: int = 200) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    latencies = []
    for _ in range(repeat):
        sent = time.perf_counter()
        post(conn, server, b"ASK {}")
        latencies.append(time.perf_counter() - sent)
    conn.close()
    return percentile(sorted(latencies), 0.5)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each timed run")
    parser.add_argument("--requests", type=int, default=0, help="requests per run instead of --seconds")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the connections")
    parser.add_argument("--rounds", type=int, default=2, help="runs per server, alternating the order")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    args.processes = max(1, min(args.processes, args.concurrency))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C

    bodies = [path.read_bytes() for path in QUERIES]
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        store = tmp / "store"
        subprocess.run(
            [tool("kg"), "ingest", "--store", str(store)], check=True, capture_output=True, cwd=ROOT
        )
        kg = Server("kg", free_port(), "/sparql")
        ox = Server("oxigraph", free_port(), "/query")
        # Both open the store read-only, so they can share the directory.
        kg_cmd = [tool("kg"), "serve", "--store", str(store), "--host", "127.0.0.1"]
        kg_process = start([*kg_cmd, "--port", str(kg.port), "--workers", "2"], tmp / "kg.log", stack)
        ox_cmd = [tool("oxigraph"), "serve-read-only", "--location", str(store), "--union-default-graph"]
        ox_process = start([*ox_cmd, "--bind", f"127.0.0.1:{ox.port}"], tmp / "oxigraph.log", stack)
        wait_ready(kg_process, kg.port, ("GET", "/healthz", b""), tmp / "kg.log")
        wait_ready(ox_process, ox.port, ("POST", "/query", b"ASK {}"), tmp / "oxigraph.log")
        check_catalog([kg, ox], bodies)

        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(args.processes))
        runs: dict[str, list[Run]] = {kg.name: [], ox.name: []}
        spans = dict.fromkeys(runs, 0.0)
        for round_ in range(args.rounds):
            for server in (kg, ox) if round_ % 2 == 0 else (ox, kg):
                results = run_load(pool, args, server, bodies)
                spans[server.name] += max(r.ended for r in results) - min(r.began for r in results)
                runs[server.name].extend(results)
        ask = {server.name: ask_p50(server) for server in (kg, ox)}

    figures = {}
    for name, results in runs.items():
        ordered = sorted(t for r in results for t in r.latencies)
        figures[name] = {
            "requests": len(ordered),
            "errors": sum(r.errors for r in results),
            "requests_per_s": len(ordered) / spans[name],
            "p50_ms": percentile(ordered, 0.5),
            "p99_ms": percentile(ordered, 0.99),
            "ask_p50_ms": ask[name],
        }
    ours, ref = figures[kg.name], figures[ox.name]
    ratios = {
        "requests_per_s": ours["requests_per_s"] / ref["requests_per_s"],
        "p50": ours["p50_ms"] / ref["p50_ms"],
    }
    command = shlex.join(["python", *sys.argv])
    if args.json:
        figures["kg/oxigraph"] = ratios
        print(json.dumps({"cores": os.cpu_count(), "command": command, "servers": figures}))
        return
    print(f"cores: {os.cpu_count()}; command: {command}")
    print(f"catalog: {len(QUERIES)} queries, same row counts from both servers")
    header = f"{'requests':>9} {'errors':>7} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'ASK {} ms':>10}"
    print(f"{'server':<9} {header}")
    for name, f in figures.items():
        print(
            f"{name:<9} {f['requests']:>9} {f['errors']:>7} {f['requests_per_s']:>11,.1f}"
            f" {f['p50_ms']:>8.2f} {f['p99_ms']:>8.2f} {f['ask_p50_ms']:>10.2f}"
        )
    print(f"kg/oxigraph: requests/s {ratios['requests_per_s']:.3f}, p50 latency {ratios['p50']:.2f}")


if __name__ == "__main__":
    main()
