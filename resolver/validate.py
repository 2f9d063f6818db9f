"""`resolver validate`: check the config and every source without running: files exist,
mapped columns exist, ids are unique, dates parse."""


from resolver import frames as F
from resolver.config import Config, check_run_files
from resolver.ingest import read_source
from resolver.normalize.dates import date_problems, detect_date_format


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
        present = dob.drop_nulls().str.strip_chars().replace("", None).drop_nulls().len()
        if present:
            fmt = source.formats.get("dob") or detect_date_format(dob, config.default_region)
            problems = date_problems(dob, fmt, config.default_region, config.dob_min,
                                     config.dob_max)
            row["dob_format"] = fmt or "none parses"
            row["dob_parsed"] = float(1 - sum(problems.values()) / present)
            row["dob_problems"] = _describe(problems) or "none"
        if source.updated_at_column:
            raw = frame.get_column(F.UPDATED_AT)
            row["updated_at_parsed"] = float(raw.is_not_null().mean() or 0.0)
        report.append(row)
    return report




def _describe(problems: dict[str, int]) -> str:
    """"1,203 not a calendar date; 12 before dob_min (historical data? ...)"."""
    # old dates may be right (historical records); a birth date after today is a typo
    hints = {"before dob_min": " (historical data? set normalize.dob_min)"}
    return "; ".join(f"{n:,} {p}{hints.get(p, '')}" for p, n in problems.items())
