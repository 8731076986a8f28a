"""RDF itself: the syntaxes aikg reads and writes, checks on input, SHACL shapes, the names
of things and values as people write them."""
