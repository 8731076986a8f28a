"""The graphs a SPARQL query names as its dataset (``FROM``, ``FROM NAMED``), read from its
text before it runs: the store evaluates a default graph merged from several itself
(:mod:`graph.store.unionset`)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from pyoxigraph import NamedNode

from .guard import tokens
from .outbound import unescape

__all__ = ["dataset_clauses"]


def dataset_clauses(query: str, base_iri: str | None = None
                    ) -> tuple[list[NamedNode], list[NamedNode]]:
    """The graphs a query names with ``FROM`` and with ``FROM NAMED``.

    >>> dataset_clauses("PREFIX e: <http://e/> SELECT * FROM e:a FROM <b> FROM NAMED e:c "
    ...                 "{ ?s ?p ?o }", "http://e/")
    ([<NamedNode value=http://e/a>, <NamedNode value=http://e/b>], [<NamedNode value=http://e/c>])
    """
    if not re.search(r"from|\\u", query, re.IGNORECASE):
        return [], []
    text = unescape(query)
    found = [t for t in tokens(text) if t.depth == 0]
    prefixes: dict[str, str] = {}
    base = base_iri or ""
    defaults: list[NamedNode] = []
    named: list[NamedNode] = []
    for i, token in enumerate(found[:-1]):
        following = found[i + 1]
        if token.text == "BASE" and following.kind == "iri":
            base = urljoin(base, following.text[1:-1])
        elif token.text == "PREFIX" and i + 2 < len(found):
            name, iri = text[following.start:following.end - 1], found[i + 2].text[1:-1]
            prefixes[name] = urljoin(base, iri)
        elif token.text == "FROM":
            into = named if following.text == "NAMED" else defaults
            term = found[i + 2] if following.text == "NAMED" and i + 2 < len(found) else following
            if term.kind == "iri":
                into.append(NamedNode(urljoin(base, term.text[1:-1])))
            else:
                prefix, _, local = text[term.start:term.end].partition(":")
                into.append(NamedNode(prefixes.get(prefix, "") + local))
    return defaults, named
