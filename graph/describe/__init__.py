"""The graph read for people: one entity described, the ontology drawn, the curation measured."""
