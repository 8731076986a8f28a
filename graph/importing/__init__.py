"""Tables into the graph: CSVW mappings, typed rows, entity resolution, the importer and the
bundled tables."""
