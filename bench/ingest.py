"""Ingestion benchmark: the essay, then 100 and 1,000 generated documents, in one process.

Prints the essay's ingest time and triples per second, and for each batch of generated
documents the time, documents per second and triples per second, with two ratios
measured in this same run:
  - per-document time of each batch relative to the 100-document batch (1.0 means the
    growth is linear),
  - ingest throughput relative to rdflib parsing the same triples as N-Triples (the
    reference: how long merely reading the output back takes in Python).

    python bench/ingest.py [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from rdflib import Graph

from kg.config import Settings
from kg.ingest import CORPUS_DIR, ingest
from kg.store import OxigraphStore

ESSAY = CORPUS_DIR / "new-axis-of-totalitarianism.txt"
STATES = ["Egypt", "Indonesia", "Brazil", "Nigeria", "Kenya", "Peru", "Greece", "Norway", "Chile", "Ghana"]

TEMPLATE = """---
title: "Pressure on {a}: note {n}"
author: Bench Writer
published: 2025-01-{day:02d}
---
# Pressure on {a}: note {n}

A treaty signed between {a} and {b} in 2024 links their ports. Analysts see the agreement as a bid to
reduce dependence on Russian grain. {c} is threatened by {b}’s growing leverage.

## Risks

1. Supply Disruption

- Risk: A blockade could cut the wheat that {a} and {c} import.
- Response: {a} and {c} should diversify trade partnerships and build grain reserves.

2. Maritime Insecurity

- Risk: Naval incidents may threaten shipping lanes near {c}.
- Response: Participate in joint maritime patrols with {b}.

The European Union should impose sanctions on {b}. Note {n} ends here.
"""


def generate(directory: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)  # noqa: S311 (sample data, not secrets)
    for n in range(count):
        a, b, c = rng.sample(STATES, 3)
        (directory / f"note-{n:05d}.md").write_text(
            TEMPLATE.format(a=a, b=b, c=c, n=n, day=1 + n % 28), encoding="utf-8"
        )


def timed_ingest(paths: list[Path], tmp: Path) -> tuple[float, int, float]:
    """Seconds to ingest, triples loaded, and seconds for rdflib to parse those triples."""
    with OxigraphStore.open(tmp / "store") as store:
        start = time.perf_counter()
        loaded = ingest(store, Settings(store_path=tmp / "store"), paths)
        seconds = time.perf_counter() - start
        documents = [item for item in loaded if item.summary is not None]
        triples = sum(item.triples for item in documents)
        nt = b"".join(store.export("nt", item.graph_iri) for item in documents)
    start = time.perf_counter()
    Graph().parse(data=nt, format="nt")
    return seconds, triples, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        seconds, triples, reference = timed_ingest([ESSAY], Path(tmp))
    print(
        f"essay: {seconds:.2f} s, {triples} triples, {triples / seconds:,.0f} triples/s"
        f" (rdflib parse of the same: {triples / reference:,.0f} triples/s, ratio {reference / seconds:.2f})"
    )

    print(
        f"{'documents':>9} {'seconds':>8} {'docs/s':>7} {'triples':>8} {'triples/s':>10}"
        f" {'per-doc vs first':>17} {'vs rdflib parse':>16}"
    )
    first_per_doc = None
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            generate(corpus, size)
            seconds, triples, reference = timed_ingest(sorted(corpus.glob("*.md")), Path(tmp))
        per_doc = seconds / size
        first_per_doc = first_per_doc or per_doc
        print(
            f"{size:>9} {seconds:>8.1f} {size / seconds:>7.1f} {triples:>8} {triples / seconds:>10,.0f}"
            f" {per_doc / first_per_doc:>17.2f} {reference / seconds:>16.2f}"
        )


if __name__ == "__main__":
    main()
