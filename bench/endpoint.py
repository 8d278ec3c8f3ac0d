"""Endpoint benchmark: ``kg serve`` against Oxigraph's own server, on one store, in one run.

Ingests the corpus into a temporary store, serves it with ``kg serve --workers 2`` and with
``oxigraph serve-read-only --union-default-graph`` (both default graphs are then the union of all
graphs), and checks that each query of ``data/queries/*.rq`` gets 200 and as many rows from both.
Then ``--concurrency`` keep-alive HTTP/1.1 connections, spread over ``--processes`` client
processes, send the catalog's queries in turn for ``--seconds`` (or ``--requests`` in all) to one
server at a time, in the order kg, oxigraph, oxigraph, kg (``--rounds 2``). Prints, per server,
requests, errors (non-200 answers, failed connections), requests/s, median and p99 latency and the
median latency of ``ASK {}`` sent alone (a request's fixed cost), then the ratios kg/oxigraph.
The client shares the machine's cores with the servers. ``--kg-option`` passes an option to
``kg serve``, e.g. ``--kg-option=--cache=0`` to measure it without its answer cache.

    python bench/endpoint.py [--seconds 10 | --requests N] [--concurrency 8] [--processes 2] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import multiprocessing.queues
import os
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, closing, suppress
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "data" / "queries").glob("*.rq"))
#: JSON for SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE.
HEADERS = {
    "Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
}


class Server(NamedTuple):
    name: str
    port: int
    path: str  # where queries go


class Load(NamedTuple):
    """The work of one client process: a connection for each index, which picks its first query."""

    server: Server
    queries: list[bytes]
    seconds: float
    count: int  # requests per connection; 0 means run for ``seconds``
    connections: range


class Run(NamedTuple):
    """What one connection did: when it started and stopped, each request's latency, non-200s."""

    began: float
    ended: float
    latencies: list[float]
    errors: int


def post(conn: http.client.HTTPConnection, path: str, query: bytes) -> tuple[int, bytes]:
    conn.request("POST", path, body=query, headers=HEADERS)
    response = conn.getresponse()
    return response.status, response.read()


def tool(name: str) -> str:
    """The executable ``name``, preferring the one next to this Python (the virtualenv's)."""
    return shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}") or name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def start(stack: ExitStack, tmp: Path, server: Server, command: list[str], probe: str, query: bytes) -> None:
    """Start ``command`` in a process group of its own, stopped when ``stack`` closes; wait for it."""
    log = tmp / f"{server.name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop, process)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        with closing(conn), suppress(OSError, http.client.HTTPException):
            conn.request("POST" if query else "GET", probe, body=query or None, headers=HEADERS)
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{shlex.join(command)} did not start (exit {process.poll()}):\n{log.read_text()}")


def rows(body: bytes) -> int:
    if body.lstrip().startswith(b"{"):
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


def check_catalog(servers: list[Server], queries: list[bytes]) -> None:
    """Every query answers 200 with the same number of rows on every server, or stop."""
    conns = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=60) for s in servers]
    for path, query in zip(QUERIES, queries, strict=True):
        answers = [post(conn, s.path, query) for conn, s in zip(conns, servers, strict=True)]
        counts = [rows(body) if status == 200 else None for status, body in answers]
        if None in counts or len(set(counts)) > 1:
            seen = zip(servers, answers, counts, strict=True)
            found = ", ".join(f"{s.name} {answer[0]}, {c} rows" for s, answer, c in seen)
            raise SystemExit(f"{path.name}: the servers disagree ({found}); nothing was timed")
    for conn in conns:
        conn.close()


def connection(load: Load, index: int) -> Run:
    """One keep-alive connection sending the catalog in turn, from query ``index`` on."""
    conn = http.client.HTTPConnection("127.0.0.1", load.server.port, timeout=60)
    latencies: list[float] = []
    errors, n = 0, len(load.queries)
    began = time.monotonic()
    deadline = began + load.seconds
    while len(latencies) < load.count if load.count else time.monotonic() < deadline:
        sent = time.perf_counter()
        try:
            status, _ = post(conn, load.server.path, load.queries[(index + len(latencies)) % n])
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()  # reconnects on the next request
        latencies.append(time.perf_counter() - sent)
        errors += status != 200
    conn.close()
    return Run(began, time.monotonic(), latencies, errors)


def client(load: Load, results: multiprocessing.queues.Queue[list[Run]]) -> None:
    """One client process: its connections, a thread each."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    out: list[Run] = []
    threads = [threading.Thread(target=lambda i=i: out.append(connection(load, i))) for i in load.connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def run_load(loads: list[Load]) -> list[Run]:
    """Each load in a client process of its own; they are stopped if anything goes wrong."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.queues.Queue[list[Run]] = context.Queue()
    processes = [context.Process(target=client, args=(load, results)) for load in loads]
    try:
        for process in processes:
            process.start()
        out: list[list[Run]] = []
        while len(out) < len(processes):
            with suppress(queue.Empty):
                out.append(results.get(timeout=1))
            if any(process.exitcode for process in processes):
                raise SystemExit("a client process failed")
        return [run for runs in out for run in runs]
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()


def percentile_ms(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each timed run")
    parser.add_argument("--requests", type=int, default=0, help="requests per timed run, not --seconds")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the connections")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per server, alternating the order")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--kg-option", action="append", default=[], help="for kg serve, as --kg-option=--cache=0"
    )
    args = parser.parse_args()
    processes = max(1, min(args.processes, args.concurrency))
    count = -(-args.requests // args.concurrency) if args.requests else 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C

    queries = [path.read_bytes() for path in QUERIES]
    kg, ox = Server("kg", free_port(), "/sparql"), Server("oxigraph", free_port(), "/query")
    runs: dict[str, list[Run]] = {kg.name: [], ox.name: []}
    spans = dict.fromkeys(runs, 0.0)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        store = str(tmp / "store")
        ingest = subprocess.run(
            [tool("kg"), "ingest", "--store", store], capture_output=True, text=True, cwd=ROOT
        )
        if ingest.returncode:
            raise SystemExit(f"kg ingest failed:\n{ingest.stdout}{ingest.stderr}")
        kg_serve = [tool("kg"), "serve", "--store", store, "--host", "127.0.0.1", "--port", str(kg.port)]
        start(stack, tmp, kg, [*kg_serve, "--workers", "2", *args.kg_option], "/healthz", b"")
        ox_serve = [tool("oxigraph"), "serve-read-only", "--location", store, "--union-default-graph"]
        start(stack, tmp, ox, [*ox_serve, "--bind", f"127.0.0.1:{ox.port}"], ox.path, b"ASK {}")
        check_catalog([kg, ox], queries)

        for round_ in range(args.rounds):
            for server in (kg, ox) if round_ % 2 == 0 else (ox, kg):
                shares = [range(p, args.concurrency, processes) for p in range(processes)]
                results = run_load([Load(server, queries, args.seconds, count, share) for share in shares])
                spans[server.name] += max(r.ended for r in results) - min(r.began for r in results)
                runs[server.name].extend(results)
        alone = {s.name: connection(Load(s, [b"ASK {}"], 0, 200, range(1)), 0).latencies for s in (kg, ox)}

    figures: dict[str, dict[str, float]] = {}
    for name, results in runs.items():
        ordered = sorted(t for r in results for t in r.latencies)
        figures[name] = {
            "requests": len(ordered),
            "errors": sum(r.errors for r in results),
            "requests_per_s": len(ordered) / spans[name],
            "p50_ms": percentile_ms(ordered, 0.5),
            "p99_ms": percentile_ms(ordered, 0.99),
            "ask_alone_p50_ms": percentile_ms(sorted(alone[name]), 0.5),
        }
    ours, ref = figures[kg.name], figures[ox.name]
    ratios = {"requests_per_s": ours["requests_per_s"] / ref["requests_per_s"]}
    ratios["p50"] = ours["p50_ms"] / ref["p50_ms"]
    command = shlex.join(["python", *sys.argv])
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "command": command, **figures, "kg/oxigraph": ratios}))
        return
    print(f"cores: {os.cpu_count()}")
    print(f"command: {command}")
    print(f"catalog: {len(QUERIES)} queries, same row counts from both servers")
    line = "{:<9} {:>9} {:>7} {:>11} {:>8} {:>8} {:>16}".format
    print(line("server", "requests", "errors", "requests/s", "p50 ms", "p99 ms", "ASK {} alone ms"))
    for name, f in figures.items():
        times = (f"{f[key]:.2f}" for key in ("p50_ms", "p99_ms", "ask_alone_p50_ms"))
        print(line(name, f["requests"], f["errors"], f"{f['requests_per_s']:,.1f}", *times))
    print(f"kg/oxigraph: requests/s {ratios['requests_per_s']:.3f}, p50 latency {ratios['p50']:.2f}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the servers and clients are already stopped
        sys.exit(130)
