"""pairs -> comparison vectors: one ordered, labelled level per comparison per pair."""
