"""A small LRU cache of answers, for a store that only changes through this service.

A read-only store cannot change while the service runs, and with an update token every
write goes through the one query worker, which counts them: an answer is cached under the
job and that count, so a cached answer is always the answer the store would give now.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from service.worker import Answer, Job


class AnswerCache:
    """Up to ``entries`` answers and ``max_bytes`` of bodies; the least recently used go first."""

    def __init__(self, entries: int = 256, max_bytes: int = 32 << 20) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.hits = self.misses = 0
        self._items: OrderedDict[tuple[Job, int], Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def _size(answer: Answer) -> int:
        return len(answer.body) + 64 * sum(len(row) for row in answer.table)

    def get(self, job: Job, generation: int) -> Answer | None:
        """The cached answer to ``job`` at this store generation, if any."""
        with self._lock:
            answer = self._items.get((job, generation))
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end((job, generation))
            self.hits += 1
            return answer

    def put(self, job: Job, generation: int, answer: Answer) -> None:
        """Keep a successful answer unless it alone would take a quarter of the cache.

        >>> cache = AnswerCache(entries=1)
        >>> cache.put(Job("query", "ASK {}"), 0, Answer(body=b"true"))
        >>> cache.get(Job("query", "ASK {}"), 0).body, cache.get(Job("query", "ASK {}"), 1)
        (b'true', None)
        """
        size = self._size(answer)
        if self.entries < 1 or answer.error or size > self.max_bytes // 4:
            return
        with self._lock:
            key = (job, generation)
            if key in self._items:
                return
            self._items[key] = answer
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)
