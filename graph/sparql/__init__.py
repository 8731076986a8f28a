"""SPARQL text read without running it: the guard, what an update writes, nesting limits,
calls to other servers, and the bundled example queries."""
