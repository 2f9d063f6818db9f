"""clusters -> golden records: survivorship per field, lineage of every value, history."""
