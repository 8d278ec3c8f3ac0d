"""Shared fixtures: settings pointing at a temporary store, a CLI runner, test data."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.config import BASE_IRI_ENV, STORE_ENV, Settings
from kg.store import OxigraphStore

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Tools shared beside the project; a user's clone does not have them.
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's store or base IRI."""
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.delenv(BASE_IRI_ENV, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_path=tmp_path / "store")


@pytest.fixture
def store(settings: Settings) -> Iterator[OxigraphStore]:
    with OxigraphStore.open(settings.store_path) as opened:
        yield opened


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def valid_document() -> Graph:
    """A small hand-made document graph that conforms to the shapes."""
    return Graph().parse(FIXTURES / "valid-document.ttl")


@pytest.fixture(scope="session")
def essay_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store built by a plain ``kg ingest``: the ontology and the corpus (the essay).

    A test that writes to it must leave it as it was.
    """
    settings = Settings(store_path=tmp_path_factory.mktemp("essay") / "store")
    result = CliRunner().invoke(main, ["ingest", "--store", str(settings.store_path)])
    assert result.exit_code == 0, result.output
    return settings


def run_query(settings: Settings, query_file: Path) -> list[dict[str, str]]:
    """Run a catalog query with ``kg query --format csv``; the rows as dictionaries."""
    result = CliRunner().invoke(
        main, ["query", "--file", str(query_file), "--format", "csv", "--store", str(settings.store_path)]
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running ``kg serve``: its URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, name: str, seconds: float) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it exits or never does."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextmanager
def serve(store_path: Path, *options: str, log_dir: Path) -> Iterator[Server]:
    """Start ``kg serve`` on a free port over ``store_path``; stop it (and its workers) after."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store_path), "--port", str(port), *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_up(f"{server.url}/healthz", process, log, "kg serve", seconds=60)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


@pytest.fixture(scope="session")
def endpoint(essay_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``kg serve`` with its defaults over a copy of the essay store (read-only, one web worker).

    A copy, because other tests write to the essay store while this server reads it.
    """
    copy = tmp_path_factory.mktemp("served") / "store"
    shutil.copytree(essay_store.store_path, copy)
    with serve(copy, "--workers", "1", log_dir=tmp_path_factory.mktemp("logs")) as server:
        yield server


#: Oxigraph's own server (the ``oxigraph`` package), beside this Python: the venv's bin/ need not be on PATH.
_OXIGRAPH_BESIDE = Path(sys.executable).with_name("oxigraph")
OXIGRAPH = str(_OXIGRAPH_BESIDE) if _OXIGRAPH_BESIDE.is_file() else shutil.which("oxigraph")


@contextmanager
def oxigraph_server(data: Path, directory: Path) -> Iterator[str]:
    """Oxigraph's server, read-only, over the RDF file ``data``; yields its query URL.

    Skips the test, saying why, where the server is not installed.
    """
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    location = directory / "store"
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--file", str(data)], check=True, capture_output=True
    )
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [OXIGRAPH, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_up(f"{url}?query=ASK%7B%7D", process, log, "oxigraph", seconds=30)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
