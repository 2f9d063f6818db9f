"""records -> normalized: comparable parts and keys for names, addresses, contacts, dates.

`normalize_records` in pipeline order; each field's module owns its parsing. Expensive
per-value work runs once per distinct value (`text.map_distinct`).
"""

from resolver.normalize.stage import normalize_records

__all__ = ["normalize_records"]
