"""The example query catalog: ``data/queries/*.rq``, each opening with title and description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_FIELD = re.compile(r"#\s*(title|description):\s*(.*)")
_CONTINUATION = re.compile(r"#\s{2,}(.*)")


@dataclass(frozen=True)
class Example:
    """One catalog query."""

    slug: str
    title: str
    description: str
    text: str


def parse(slug: str, text: str) -> Example:
    """Read the ``# title:`` and ``# description:`` header (continued by indented comments).

    >>> parse("x", "# title: T\\n# description: One\\n#   two\\nASK {}").description
    'One two'
    """
    fields: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _FIELD.match(line):
            current = match.group(1)
            fields[current] = [match.group(2).strip()]
        elif (match := _CONTINUATION.match(line)) and current:
            fields[current].append(match.group(1).strip())
    title = " ".join(fields.get("title", [])) or slug
    return Example(slug, title, " ".join(fields.get("description", [])), text)


@cache
def load(directory: Path) -> tuple[Example, ...]:
    """The catalog in file-name order; sub-folders (``federated/``) after the top level."""
    paths = sorted(directory.rglob("*.rq"), key=lambda p: (len(p.relative_to(directory).parts), str(p)))
    return tuple(
        parse(path.relative_to(directory).with_suffix("").as_posix(), path.read_text(encoding="utf-8"))
        for path in paths
    )
