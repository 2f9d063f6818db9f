"""`resolver validate`: check the config and every source without running: files exist,
mapped columns exist, ids are unique, dates parse."""


from resolver import frames as F
from resolver.config import Config, check_run_files
from resolver.ingest import read_source
from resolver.normalize.dates import detect_date_format, parse_date_column


def validate_sources(config: Config) -> list[dict]:
    """-> per source: records, dob format and share parsed, updated_at share parsed.
    Raises the error a run would stop on (the same checks, the same messages)."""
    check_run_files(config)
    fields = (*F.CANONICAL_FIELDS, *config.extra_fields)
    report = []
    for source in config.sources:
        frame = read_source(source, fields)
        row = {"source": source.name, "records": frame.height}
        dob = frame.get_column(F.raw("dob"))
        if dob.drop_nulls().len():
            fmt = source.formats.get("dob") or detect_date_format(dob, config.default_region)
            status = parse_date_column(dob, fmt, config.default_region).get_column(F.DOB_STATUS)
            row["dob_format"] = fmt or "none parses"
            parsed = (status == F.STATUS_OK).sum()
            row["dob_parsed"] = float(parsed / max(dob.drop_nulls().len(), 1))
        if source.updated_at_column:
            raw = frame.get_column(F.UPDATED_AT)
            row["updated_at_parsed"] = float(raw.is_not_null().mean() or 0.0)
        report.append(row)
    return report


