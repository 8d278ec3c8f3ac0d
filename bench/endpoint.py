"""Endpoint benchmark: ``kg serve`` against Oxigraph's own server, same store, same machine, one run.

Builds a store with ``kg ingest`` in a temporary directory, starts ``kg serve`` (gunicorn,
``--workers 2``) and the reference, ``oxigraph serve-read-only --union-default-graph`` (so both
default graphs are the union of all graphs), on that same directory (both open it read-only),
and checks that every query of the example catalog (``data/queries/*.rq``) gets 200 and the
same number of rows from both; it stops there if not.

Then a closed-loop load: ``--concurrency`` persistent HTTP/1.1 connections, spread over
``--processes`` client processes, each sending the catalog's queries in turn for ``--seconds``
(or ``--requests`` in all), against each server in turn, in the order kg, oxigraph, oxigraph,
kg (``--rounds 2``) so neither always runs first. Prints, for each server, requests, errors
(non-200 answers and failed connections), requests/s, median and p99 latency, the ratios
kg/oxigraph, and the median latency of ``ASK {}`` sent alone on one connection (the fixed cost
of a request). The client shares the machine's cores with the server being measured.

    python bench/endpoint.py [--seconds 10 | --requests N] [--concurrency 8] [--processes 2] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
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
from contextlib import ExitStack, closing, suppress
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((ROOT / "data" / "queries").glob("*.rq"))
GRAPH_FORM = re.compile(r"^\s*(CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)

Request = tuple[bytes, dict[str, str]]  # body and headers of a POST


class Server(NamedTuple):
    name: str
    port: int
    path: str  # where queries go


class Load(NamedTuple):
    """The work of one client process."""

    server: Server
    requests: list[Request]
    seconds: float
    count: int  # requests per connection; 0 means run for ``seconds``
    connections: int
    first: int  # index of this process's first connection, which picks its first query


class Run(NamedTuple):
    """What one connection did: when it started and stopped, each request's latency, non-200s."""

    began: float
    ended: float
    latencies: list[float]
    errors: int


def prepare(text: bytes) -> Request:
    graph = GRAPH_FORM.search(text.decode())
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    return text, {"Content-Type": "application/sparql-query", "Accept": accept}


def post(conn: http.client.HTTPConnection, path: str, request: Request) -> tuple[int, bytes]:
    conn.request("POST", path, body=request[0], headers=request[1])
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


def start(stack: ExitStack, command: list[str], log: Path, port: int, probe: str, request: Request) -> None:
    """Start ``command`` in a process group of its own, stopped when ``stack`` closes; wait for it."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    stack.callback(stop, process)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        with closing(conn), suppress(OSError, http.client.HTTPException):
            conn.request("POST" if request[0] else "GET", probe, body=request[0] or None, headers=request[1])
            if conn.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"{shlex.join(command)} did not start (exit {process.poll()}):\n{log.read_text()}")


def rows(body: bytes) -> int:
    if body.lstrip().startswith(b"{"):
        data = json.loads(body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip())


def check_catalog(servers: list[Server], requests: list[Request]) -> None:
    """Every query answers 200 with the same number of rows on every server, or stop."""
    conns = [http.client.HTTPConnection("127.0.0.1", s.port, timeout=60) for s in servers]
    for path, request in zip(QUERIES, requests, strict=True):
        answers = [post(conn, s.path, request) for conn, s in zip(conns, servers, strict=True)]
        counts = [rows(body) if status == 200 else None for status, body in answers]
        if None in counts or len(set(counts)) > 1:
            seen = zip(servers, answers, counts, strict=True)
            found = ", ".join(f"{s.name} {answer[0]}, {c} rows" for s, answer, c in seen)
            raise SystemExit(f"{path.name}: the servers disagree ({found}); nothing was timed")
    for conn in conns:
        conn.close()


def connection(load: Load, index: int, out: list[Run]) -> None:
    """One keep-alive connection sending the catalog in turn, from its own starting query."""
    conn = http.client.HTTPConnection("127.0.0.1", load.server.port, timeout=60)
    latencies: list[float] = []
    errors, n = 0, len(load.requests)
    began = time.monotonic()
    deadline = began + load.seconds
    while len(latencies) < load.count if load.count else time.monotonic() < deadline:
        sent = time.perf_counter()
        try:
            status, _ = post(conn, load.server.path, load.requests[(index + len(latencies)) % n])
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()  # reconnects on the next request
        latencies.append(time.perf_counter() - sent)
        errors += status != 200
    out.append(Run(began, time.monotonic(), latencies, errors))
    conn.close()


def client(load: Load) -> list[Run]:
    """One client process: its connections, a thread each."""
    out: list[Run] = []
    threads = [
        threading.Thread(target=connection, args=(load, load.first + i, out)) for i in range(load.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def percentile_ms(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each timed run")
    parser.add_argument(
        "--requests", type=int, default=0, help="requests per timed run, instead of --seconds"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client connections")
    parser.add_argument("--processes", type=int, default=2, help="client processes sharing the connections")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per server, alternating the order")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    processes = max(1, min(args.processes, args.concurrency))
    per_process = [len(range(p, args.concurrency, processes)) for p in range(processes)]
    count = -(-args.requests // args.concurrency) if args.requests else 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C

    requests = [prepare(path.read_bytes()) for path in QUERIES]
    ask = prepare(b"ASK {}")
    kg, ox = Server("kg", free_port(), "/sparql"), Server("oxigraph", free_port(), "/query")
    runs: dict[str, list[Run]] = {kg.name: [], ox.name: []}
    spans = dict.fromkeys(runs, 0.0)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        store = str(tmp / "store")
        subprocess.run([tool("kg"), "ingest", "--store", store], check=True, capture_output=True, cwd=ROOT)
        kg_serve = [tool("kg"), "serve", "--store", store, "--host", "127.0.0.1", "--workers", "2"]
        start(stack, [*kg_serve, "--port", str(kg.port)], tmp / "kg.log", kg.port, "/healthz", (b"", {}))
        ox_serve = [tool("oxigraph"), "serve-read-only", "--location", store, "--union-default-graph"]
        start(stack, [*ox_serve, "--bind", f"127.0.0.1:{ox.port}"], tmp / "ox.log", ox.port, ox.path, ask)
        check_catalog([kg, ox], requests)

        pool = stack.enter_context(multiprocessing.get_context("fork").Pool(processes))
        for round_ in range(args.rounds):
            for server in (kg, ox) if round_ % 2 == 0 else (ox, kg):
                loads = [
                    Load(server, requests, args.seconds, count, k, sum(per_process[:p]))
                    for p, k in enumerate(per_process)
                ]
                results = [run for runs_ in pool.map(client, loads) for run in runs_]
                spans[server.name] += max(r.ended for r in results) - min(r.began for r in results)
                runs[server.name].extend(results)
        alone = {s.name: client(Load(s, [ask], 0, 200, 1, 0))[0].latencies for s in (kg, ox)}

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
    ratios = {
        "requests_per_s": ours["requests_per_s"] / ref["requests_per_s"],
        "p50": ours["p50_ms"] / ref["p50_ms"],
    }
    command = shlex.join(["python", *sys.argv])
    if args.json:
        print(json.dumps({"cores": os.cpu_count(), "command": command, **figures, "kg/oxigraph": ratios}))
        return
    print(f"cores: {os.cpu_count()}")
    print(f"command: {command}")
    print(f"catalog: {len(QUERIES)} queries, same row counts from both servers")
    print(
        f"{'server':<9} {'requests':>9} {'errors':>7} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}", end=""
    )
    print(f" {'ASK {} alone ms':>16}")
    for name, f in figures.items():
        print(
            f"{name:<9} {f['requests']:>9} {f['errors']:>7} {f['requests_per_s']:>11,.1f}"
            f" {f['p50_ms']:>8.2f} {f['p99_ms']:>8.2f} {f['ask_alone_p50_ms']:>16.2f}"
        )
    print(f"kg/oxigraph: requests/s {ratios['requests_per_s']:.3f}, p50 latency {ratios['p50']:.2f}")


if __name__ == "__main__":
    main()
