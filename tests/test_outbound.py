"""The SERVICE check against generated queries: escapes, comments, strings, IRIs and names
around the keyword. It must agree with a complete SPARQL parser (rdflib's), and refuse every
query in which Oxigraph's own parser finds SERVICE: the engine runs each query in a process
that cannot open a socket, where trying is the proof that it read SERVICE.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from graph import Refused
from graph.sparql import guard
from graph.sparql.outbound import may_name, network_operations
from graph.store import sandbox

URL = "http://127.0.0.1:9999/sparql"
KEYWORDS = ["SERVICE", "service", "SeRvIcE", r"\u0053ERVICE", r"\u0073ervice", "SERVICE SILENT",
            "\u017fERVICE"]
#: Things that hold the keyword's letters, or fool a lexer, without being the operation.
DECOYS = [
    'BIND("SERVICE <{url}> {{}}" AS ?v{i})',
    "BIND('''a\nSERVICE <{url}> {{}}''' AS ?v{i})",
    'BIND("\\" SERVICE <{url}> {{}} \\"" AS ?v{i})',
    "BIND(<http://e/SERVICE> AS ?v{i})",
    "BIND(ex:SERVICE AS ?v{i})",
    r"BIND(ex:\# AS ?v{i})",
    r"BIND(ex:a\.b AS ?v{i})",
    r"BIND(ex:\u0053 AS ?v{i})",
    "# SERVICE <{url}> {{}}\n",
    "#\n",
    "BIND(1 AS ?v{i}) .",
    "FILTER(true)",
]
#: Forms of the operation itself; {kw} is a spelling of the keyword.
OPERATIONS = ["{kw} <{url}> {{}}", "{kw}<{url}>{{}}", "{kw} ex:sparql {{}}", "{kw}ex:sparql {{}}",
              "{{}}{kw} <{url}> {{ BIND(1 AS ?w) }}"]


@st.composite
def queries(draw) -> str:
    pieces = draw(st.lists(st.sampled_from(DECOYS), max_size=6))
    body = [piece.format(url=URL, i=i) for i, piece in enumerate(pieces)]
    if draw(st.booleans()):
        operation = draw(st.sampled_from(OPERATIONS))
        keyword = draw(st.sampled_from(KEYWORDS))
        body.insert(draw(st.integers(0, len(body))), operation.format(kw=keyword, url=URL))
    return ("PREFIX ex: <http://127.0.0.1:9999/> SELECT * WHERE { "
            + draw(st.sampled_from([" ", "\n", "\t", "#\n"])).join(body) + " }")


def engine_reaches_network(text: str) -> bool:
    """Whether Oxigraph, evaluating ``text`` on an empty store, tries to open a socket: it runs
    in a forked process that cannot (so nothing is ever sent)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            sandbox.forbid_network()
            try:
                result = Store().query(text)
                if not isinstance(result, bool):
                    list(result)
                tried = False
            except PermissionError:
                tried = True
            except (SyntaxError, OSError, RuntimeError, ValueError):
                tried = False
            os.write(write, b"1" if tried else b"0")
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    return answer == b"1"


def refused(text: str) -> bool:
    try:
        guard.check_query(text)
    except Refused:
        return True
    return False


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(text=queries())
def test_every_query_the_engine_would_send_out_is_refused(text: str) -> None:
    if engine_reaches_network(text):
        assert refused(text), text


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(text=queries())
def test_the_check_agrees_with_a_complete_sparql_parser(text: str) -> None:
    found = network_operations(text, update=False)
    if isinstance(found, str):  # unreadable: refused exactly when it may hold the keyword
        assert refused(text) == may_name(text, "SERVICE"), text
    else:
        assert refused(text) == ("SERVICE" in found), text


@pytest.mark.parametrize("text", [
    r"PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:\# AS ?x) SERVICE <" + URL + "> {} }",
    "PREFIX ex: <http://127.0.0.1:9999/> SELECT * WHERE { SERVICEex:x {} }",
])
def test_the_issue_spellings_are_run_by_the_engine_and_refused(text: str) -> None:
    assert engine_reaches_network(text)
    assert refused(text)


def test_a_text_without_the_letters_is_never_parsed() -> None:
    text = "SELECT * WHERE { " + "?s ?p ?o . " * 50_000 + "}"
    assert not may_name(text, "SERVICE")
    guard.check_query(text)  # would take the parser minutes
