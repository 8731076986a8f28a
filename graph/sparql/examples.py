"""The example SPARQL queries bundled in ``ontology/examples``, with their titles and descriptions.

Each ``.rq`` file opens with comment lines ``# title: ...``, ``# description: ...`` and optionally
``# title@zh: ...``; the rest is the query. The home page and the tests list them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ontology

from ..errors import BadInput

__all__ = ["Example", "load_examples", "parse_example"]


@dataclass(frozen=True)
class Example:
    """One example query: its file stem, titles, description and SPARQL text."""

    name: str
    title: str
    description: str
    sparql: str
    title_zh: str = ""


def parse_example(name: str, text: str) -> Example:
    """Read an example's header comments and keep the whole text as its query.

    Parameters
    ----------
    name : str
        The example's name (its file stem).
    text : str
        The file's content.

    Returns
    -------
    Example

    Raises
    ------
    BadInput
        If the header lacks a title or a description.

    Examples
    --------
    >>> ex = parse_example("x", "# title: All\\n# title@zh: 全部\\n# description: Every triple.\\n"
    ...                          "SELECT * WHERE { ?s ?p ?o }")
    >>> ex.title, ex.title_zh, ex.description
    ('All', '全部', 'Every triple.')
    """
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [key for key in ("title", "description") if not fields.get(key)]
    if missing:
        raise BadInput(f"example {name!r} has no {' and no '.join(missing)} comment line")
    return Example(name, fields["title"], fields["description"], text, fields.get("title@zh", ""))


def load_examples(directory: Path = ontology.EXAMPLES_DIR) -> list[Example]:
    """The examples of ``directory`` (by default the bundled ones), sorted by name."""
    return [parse_example(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.rq"))]
