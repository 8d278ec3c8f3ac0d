"""The ``kg`` command: build, query, export, validate and document the graph."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from kg import __version__, linking
from kg.config import BASE_IRI_ENV, DEFAULT_BASE_IRI, DEFAULT_STORE_PATH, STORE_ENV, Settings
from kg.docs import build_docs
from kg.errors import InputError, KgError, ValidationError
from kg.formats import RDF_FORMATS, RESULTS_FORMATS
from kg.gazetteer import GAZETTEER_FILE, WIKIDATA_FILE, Gazetteer
from kg.ingest import CORPUS_DIR, corpus_files, read_rdf_file
from kg.ingest import ingest as ingest_files
from kg.sssom import mapping_set
from kg.store import OxigraphStore
from kg.validate import validate as validate_graph

ALL_FORMATS = [*RESULTS_FORMATS, *RDF_FORMATS]
PROGRESS_FROM = 10  # documents; more show a progress bar and no per-document figures


class KgGroup(click.Group):
    """Turns the project's errors into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as error:
            click.echo(error.report, err=True)
            raise click.ClickException(str(error)) from None
        except KgError as error:
            raise click.ClickException(str(error)) from None


def store_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--store PATH``, defaulting to ``$AXIS_KG_STORE`` or ``var/store``."""
    return click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path, file_okay=False),
        envvar=STORE_ENV,
        default=DEFAULT_STORE_PATH,
        show_default=True,
        show_envvar=True,
        help="Directory of the embedded Oxigraph store.",
    )(command)


def _settings(ctx: click.Context, store_path: Path) -> Settings:
    return Settings(base_iri=ctx.obj["base_iri"], store_path=store_path)


def _write(output: Path | None, data: bytes) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--base-iri",
    envvar=BASE_IRI_ENV,
    default=DEFAULT_BASE_IRI,
    show_default=True,
    show_envvar=True,
    help="Base of the IRIs the graph mints (entities, graphs).",
)
@click.pass_context
def main(ctx: click.Context, base_iri: str) -> None:
    """Axis KG: geopolitical essays as a linked-data knowledge graph."""
    ctx.obj = {"base_iri": base_iri}


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@store_option
@click.pass_context
def ingest(ctx: click.Context, files: tuple[Path, ...], store_path: Path) -> None:
    """Load the ontology, then each document (.txt, .md) or RDF FILE into a graph of its own.

    Without FILES, every document in data/corpus/. A folder stands for its documents.
    Every input is read, extracted and checked against the SHACL shapes before anything
    is written; if one fails, nothing is loaded. Re-ingesting a document replaces its graph.
    """
    settings = _settings(ctx, store_path)
    paths: list[Path] = []
    for path in files or (CORPUS_DIR,):
        if path.is_dir():
            paths += corpus_files(path)
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(f"{path}: no such file")
    with OxigraphStore.open(settings.store_path) as store:
        if len(paths) > PROGRESS_FROM:
            with click.progressbar(length=len(paths), label="extracting", file=sys.stderr) as bar:
                loaded = ingest_files(store, settings, paths, progress=lambda _: bar.update(1))
        else:
            loaded = ingest_files(store, settings, paths)
        for item in loaded:
            click.echo(f"{item.source}: {item.triples} triples in <{item.graph_iri}>")
            if item.summary and len(loaded) <= PROGRESS_FROM + 1:
                click.echo("  " + ", ".join(f"{name} {count}" for name, count in item.summary.items()))
        click.echo(f"store {settings.store_path}: {len(store)} triples in {len(store.graphs())} graphs")


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "--file", "query_file", type=click.File("rb"), help="Read the query from a file ('-' for stdin)."
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(ALL_FORMATS),
    help="Output format [default: json for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE].",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to a file.")
@store_option
def query(
    sparql: str | None,
    query_file: click.utils.LazyFile | None,
    format_name: str | None,
    output: Path | None,
    store_path: Path,
) -> None:
    """Run a SPARQL 1.1 query over all graphs (their union is the default graph)."""
    if (sparql is None) == (query_file is None):
        raise click.UsageError("give the query either as an argument or with --file, not both")
    if query_file is not None:
        raw = query_file.read()
        try:
            sparql = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{query_file.name}: not UTF-8 (byte {error.start}); save the query as UTF-8"
            ) from None
    if not sparql or not sparql.strip():
        raise InputError("the query is empty")
    with OxigraphStore.open(store_path, read_only=True) as store:
        result = store.query(sparql)
        _write(output, result.serialize(format_name))


@main.command()
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(RDF_FORMATS)),
    default="nq",
    show_default=True,
    help="nq, trig and jsonld keep the named graphs; the others merge them.",
)
@click.option("--graph", "graph_iri", help="Export only this named graph.")
@click.option(
    "--mappings",
    is_flag=True,
    help="Write the entity-Wikidata links of data/wikidata.tsv as SSSOM/TSV instead (no store needed).",
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write to a file.")
@store_option
def export(
    format_name: str, graph_iri: str | None, mappings: bool, output: Path | None, store_path: Path
) -> None:
    """Write the whole store, or one graph, as RDF; or, with --mappings, the Wikidata links as SSSOM."""
    if mappings:
        ctx = click.get_current_context()
        if graph_iri or ctx.get_parameter_source("format_name") is not click.core.ParameterSource.DEFAULT:
            raise click.UsageError("--mappings writes SSSOM/TSV: --format and --graph do not apply")
        _write(output, mapping_set(ctx.obj["base_iri"]).encode("utf-8"))
        return
    with OxigraphStore.open(store_path, read_only=True) as store:
        _write(output, store.export(format_name, graph_iri))


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@store_option
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], store_path: Path) -> None:
    """Check RDF FILES, or every document graph in the store, against the SHACL shapes.

    Exits with status 1 if any graph has violations.
    """
    if files:
        reports = [(str(path), validate_graph(read_rdf_file(path))) for path in files]
    else:
        settings = _settings(ctx, store_path)
        with OxigraphStore.open(settings.store_path, read_only=True) as store:
            names = [g for g in store.graphs() if g != settings.ontology_graph]
            reports = [(name, validate_graph(store.graph(name))) for name in names]
        if not reports:
            click.echo("no document graphs in the store to validate")
    for name, report in reports:
        click.echo(f"{name}: {report.text()}")
    failed = sum(not report.conforms for _, report in reports)
    if failed:
        raise click.ClickException(f"{failed} of {len(reports)} graph(s) do not conform")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@store_option
def stats(as_json: bool, store_path: Path) -> None:
    """Triples per graph and instances per class."""
    with OxigraphStore.open(store_path, read_only=True) as store:
        figures = store.stats()
    if as_json:
        click.echo(json.dumps(asdict(figures), indent=2))
        return
    click.echo(f"{figures.triples} triples in {len(figures.graphs)} graphs")
    for graph in figures.graphs:
        click.echo(f"  {graph.triples:>8} triples {graph.subjects:>6} subjects  <{graph.iri}>")
    click.echo("instances per class:")
    for cls, count in figures.classes.items():
        click.echo(f"  {count:>8}  <{cls}>")


def _redirect(item: str) -> tuple[str, str]:
    endpoint, _, stand_in = item.partition("=")
    if not endpoint.startswith(("http://", "https://")) or not stand_in.startswith(("http://", "https://")):
        raise click.BadParameter(
            f"{item!r}: give ENDPOINT=STAND_IN, two http(s) URLs", param_hint="--redirect-service"
        )
    return endpoint, stand_in


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option(
    "--timeout-s",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Stop a query (or update) that runs longer, and answer 503.",
)
@click.option(
    "--max-rows",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Cap on result rows (or triples); a capped result says it was truncated.",
)
@click.option("--cors", is_flag=True, help="Allow cross-origin requests from any site.")
@click.option(
    "--update-token",
    envvar="AXIS_KG_UPDATE_TOKEN",
    show_envvar=True,
    help="Accept SPARQL Update with 'Authorization: Bearer TOKEN' (the store is read-only without it).",
)
@click.option(
    "--allow-service",
    "allowed_services",
    multiple=True,
    help="An endpoint SERVICE may call (repeatable) [default: the Wikidata query service].",
)
@click.option(
    "--redirect-service",
    "service_redirects",
    multiple=True,
    metavar="ENDPOINT=STAND_IN",
    help="Send SERVICE calls to an allowed ENDPOINT to STAND_IN instead (a mirror; a local server in tests).",
)
@click.option(
    "--cache",
    "cache_entries",
    default=256,
    show_default=True,
    type=click.IntRange(min=0),
    help="Answers each web worker keeps for repeated requests (0: no cache).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Web worker processes, each with its own query worker [default: 2; 1 with --update-token].",
)
@store_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    timeout_s: float,
    max_rows: int,
    cors: bool,
    update_token: str | None,
    allowed_services: tuple[str, ...],
    service_redirects: tuple[str, ...],
    cache_entries: int,
    workers: int | None,
    store_path: Path,
) -> None:
    """Serve the SPARQL endpoint and query page at http://HOST:PORT/sparql (gunicorn).

    Read-only unless --update-token is given. Updates need a single writer, so with a
    token the service runs one worker.
    """
    from service.config import WIKIDATA_SPARQL, ServiceConfig
    from service.serve import serve as run_server

    if update_token and workers not in (None, 1):
        raise click.UsageError("--update-token needs --workers 1: the store has a single writer")
    config = ServiceConfig(
        store_path=store_path,
        base_iri=ctx.obj["base_iri"],
        timeout_s=timeout_s,
        max_rows=max_rows,
        cors=cors,
        update_token=update_token or None,
        allowed_services=allowed_services or (WIKIDATA_SPARQL,),
        cache_entries=cache_entries,
        service_redirects=tuple(_redirect(item) for item in service_redirects),
    )
    if not (store_path / "CURRENT").is_file():
        raise InputError(f"no store at {store_path}: build one first with 'kg ingest'")
    click.echo(f"serving {store_path} at http://{host}:{port}/sparql", err=True)
    run_server(config, host, port, workers or (1 if update_token else 2))


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("var/docs"),
    show_default=True,
    help="Directory to write the HTML into.",
)
def docs(output: Path) -> None:
    """Generate the ontology's HTML documentation (pyLODE)."""
    for path in build_docs(output):
        click.echo(str(path))


@main.command()
@click.argument("slugs", nargs=-1)
@click.option(
    "--endpoint",
    default=linking.WIKIDATA_SPARQL,
    show_default=True,
    help="Wikidata-compatible SPARQL endpoint to ask.",
)
@click.option(
    "--review",
    "review_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=linking.DEFAULT_REVIEW,
    show_default=True,
    help="Review file the proposals are written to (and --accept reads them from).",
)
@click.option(
    "--accept",
    "accept_pairs",
    multiple=True,
    metavar="SLUG=QID",
    help="Move a reviewed proposal into the mapping file (repeatable); asks the endpoint nothing.",
)
@click.option(
    "--accept-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Move the rows of this review file whose decision is 'accepted' into the mapping file.",
)
@click.option(
    "--gazetteer",
    "gazetteer_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=GAZETTEER_FILE,
    show_default="data/gazetteer.tsv",
    help="The gazetteer.",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=WIKIDATA_FILE,
    show_default="data/wikidata.tsv",
    help="The verified entity-Wikidata links (the only ones that reach the graph).",
)
@click.option(
    "--types",
    "types_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=linking.TYPES_FILE,
    show_default="data/wikidata-types.tsv",
    help="The Wikidata classes (wdt:P31) of each ontology class.",
)
@click.option("--subclasses", is_flag=True, help="Also accept instances of subclasses (wdt:P31/wdt:P279*).")
@click.option(
    "--timeout-s",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Give up on a request the endpoint does not answer within this time.",
)
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Retries after an HTTP 429 (or 503) answer.",
)
@click.option(
    "--max-wait-s",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Longest wait a Retry-After may ask for; a longer one ends the run.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=linking.DEFAULT_CACHE,
    show_default=True,
    help="Where answers are kept, by a hash of endpoint and query.",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
def link(
    slugs: tuple[str, ...],
    endpoint: str,
    review_path: Path,
    accept_pairs: tuple[str, ...],
    accept_file: Path | None,
    gazetteer_path: Path,
    mapping_path: Path,
    types_path: Path,
    subclasses: bool,
    timeout_s: float,
    retries: int,
    max_wait_s: float,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Propose Wikidata items for gazetteer entities that have none, for review.

    Asks the endpoint, for each entity without an item in the mapping file (or for SLUGS),
    for items whose English label or alias is one of its names and whose class (wdt:P31)
    matches its type, and writes them, scored and with their evidence, to the review file.
    Nothing reaches the mapping file, or the graph, until reviewed: mark a row's decision
    'accepted' and run 'kg link --accept-file FILE', or run 'kg link --accept SLUG=QID'.
    The store is never written.
    """
    gazetteer = Gazetteer.load(gazetteer_path, mapping_path)
    if accept_pairs or accept_file:
        if slugs:
            raise click.UsageError("give SLUGS to propose links, or --accept/--accept-file to take them in")
        pairs = [linking.parse_pair(text) for text in accept_pairs]
        review_rows = linking.read_review(review_path) if pairs else []
        marked = linking.accepted_rows(accept_file) if accept_file else []
        done = linking.accept(mapping_path, gazetteer, review_rows, pairs, marked)
        for item in done:
            click.echo(f"{item.slug}: {item.qid} ({item.method})")
        click.echo(f"{len(done)} link(s) added to {mapping_path}")
        if done and review_path.is_file():
            updated = Gazetteer.load(gazetteer_path, mapping_path)
            left = linking.merge_review(linking.read_review(review_path), [], updated)
            linking.write_review(review_path, left)
            click.echo(f"review file {review_path}: {len(left)} row(s) left")
        return
    types = linking.load_types(types_path)
    entities = linking.unlinked(gazetteer, slugs)
    client = linking.SparqlClient(
        endpoint,
        timeout_s=timeout_s,
        retries=retries,
        max_wait_s=max_wait_s,
        cache_dir=None if no_cache else cache_dir,
    )
    old = linking.read_old_review(review_path)
    if len(entities) > PROGRESS_FROM:
        with click.progressbar(length=len(entities), label="asking", file=sys.stderr) as bar:
            run = linking.propose(entities, types, client, subclasses, progress=lambda _: bar.update(1))
    else:
        run = linking.propose(entities, types, client, subclasses)
    for slug, candidates in run.proposed.items():
        best = candidates[0]
        if len(candidates) == 1:
            click.echo(f"{slug}: {best.qid} {best.label} (score {best.score:.2f})")
        else:
            listed = ", ".join(f"{c.qid} {c.label} ({c.score:.2f})" for c in candidates)
            click.echo(f"{slug}: ambiguous, {len(candidates)} candidates: {listed}")
    if run.without:
        listed = ", ".join(run.without) if len(run.without) <= PROGRESS_FROM else "see the review file"
        click.echo(f"no candidate for {len(run.without)}: {listed}")
    if run.skipped:
        slugs_skipped = [e.slug for e in run.skipped]
        listed = ", ".join(slugs_skipped) if len(slugs_skipped) <= PROGRESS_FROM else "see the review file"
        click.echo(f"not queried, no Wikidata class for their types in {types_path.name}: {listed}")
    linking.write_review(review_path, linking.merge_review(old, run.rows, gazetteer))
    click.echo(
        f"{len(entities)} entities: {len(run.proposed)} with candidates, {len(run.without)} without, "
        f"{len(run.skipped)} not queried; {client.sent} request(s) sent, {client.from_cache} answered "
        "from the cache"
    )
    click.echo(
        f"review {review_path}, then mark rows 'accepted' and run 'kg link --accept-file {review_path}'"
    )
