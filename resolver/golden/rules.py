"""Survivorship rules: which of a cluster's values becomes the golden value of a field.

Rules apply in the configured order, each narrowing the candidates that survived the one
before; that is a lexicographic sort, so every rule is a sort key and all clusters are
decided at once by one sort (no per-cluster Python). Ties left after the last rule go to
the smallest (source, record_id) (the smallest uid: ingest numbers records in that
order), so the choice is deterministic. A rule that cannot tell candidates apart (no
timestamps, one source) leaves the decision to the next: the fallback.
"""

import polars as pl

VALUE = "value"
VALID = "valid"  # the value parsed / validated during normalization
FREQUENCY = "frequency"  # how many of the cluster's records carry this value
PRIORITY = "priority"  # position of the value's source in source_priority

# rule -> (sort key expression, descending?)
RULES: dict[str, tuple[pl.Expr, bool]] = {
    "valid_first": (pl.col(VALID).cast(pl.Int8), True),
    "most_recent": (pl.col("updated_at"), True),
    "most_frequent": (pl.col(FREQUENCY), True),
    "most_complete": (pl.col(VALUE).str.len_chars(), True),
    "longest": (pl.col(VALUE).str.len_chars(), True),
    "source_priority": (pl.col(PRIORITY), False),
}
