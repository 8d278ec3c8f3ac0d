"""Runs jobs in the query worker with a deadline, and kills the worker when it is missed."""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from service import worker
from service.worker import Answer, Job

_STARTUP_S = 60.0


class QueryTimeout(Exception):
    """A job ran past its deadline; its worker was killed."""


class WorkerUnavailable(Exception):
    """The worker could not start (the store is missing or locked) or died."""


class Executor:
    """One worker process, started on first use and replaced after a timeout or a crash.

    Jobs run one at a time (a lock serializes callers); each web-server process has its own
    executor, so concurrency comes from running several web-server processes.
    """

    def __init__(self, store_path: Path | None, *, writable: bool, timeout_s: float) -> None:
        self.store_path = store_path
        self.writable = writable
        self.timeout_s = timeout_s
        #: Bumped by every successful update, so cached figures (VoID) know they are stale.
        self.generation = 0
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, if one is running."""
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def _start(self) -> Connection:
        parent, child = self._context.Pipe()
        path = None if self.store_path is None else str(self.store_path)
        process = self._context.Process(
            target=worker.serve, args=(child, path, self.writable), name="axis-kg-query", daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(_STARTUP_S):
            process.kill()
            process.join(5)
            parent.close()
            raise WorkerUnavailable("the query worker did not start in time")
        try:
            status, detail = parent.recv()
        except EOFError:
            status, detail = "failed", "the query worker exited while starting"
        if status != "ready":
            process.join(5)
            parent.close()
            raise WorkerUnavailable(str(detail))
        self._process, self._conn = process, parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def start(self) -> None:
        """Start the worker now rather than on the first request."""
        with self._lock:
            if self.pid is None:
                self._stop()
                self._start()

    def run(self, job: Job) -> Answer:
        """Run ``job`` in the worker; raise :class:`QueryTimeout` if it overruns."""
        with self._lock:
            conn = self._conn if self.pid is not None else None
            if conn is None:
                self._stop()
                conn = self._start()
            try:
                conn.send(job)
            except OSError:
                self._stop()
                raise WorkerUnavailable("the query worker stopped before it took this request") from None
            if not conn.poll(self.timeout_s):
                self._stop()
                raise QueryTimeout(
                    f"the {job.operation} ran longer than {self.timeout_s:g} s and was stopped; "
                    "narrow it (a LIMIT, more specific patterns) or ask for a longer --timeout-s"
                )
            try:
                answer: Answer = conn.recv()
            except EOFError:
                self._stop()
                raise WorkerUnavailable("the query worker stopped while running this request") from None
            if job.operation == "update" and answer.status < 300:
                self.generation += 1
            return answer

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            self._stop()
