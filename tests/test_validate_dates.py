"""`validate` and `run` judge dates alike: old and impossible dates are counted by reason,
not reported as a format error; the valid range is configurable."""

import polars as pl

from resolver.config import load_config
from resolver.ingest import ingest
from resolver.normalize import normalize_records
from tests.test_cli import resolver

HISTORICAL = ("id,name,birth\n1,Thomas Clifford,1630-08-01\n2,Tom Clifford,1630-08-01\n"
              "3,Ann Lee,1963-10-64\n4,Mary Lee,1588-02-03\n5,Jane Roe,2999-01-01\n")
CONFIG = ('[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "id"\n'
          '[sources.columns]\nfull_name = "name"\ndob = "birth"\n[sources.formats]\n'
          'dob = "%Y-%m-%d"\n{normalize}[blocking]\nrules = [["dob"], ["last_name"]]\n'
          '[[comparisons]]\nkind = "first_name"\n[[comparisons]]\nkind = "dob"\n')


def _write(tmp_path, normalize=""):
    (tmp_path / "a.csv").write_text(HISTORICAL)
    config = tmp_path / "c.toml"
    config.write_text(CONFIG.format(normalize=normalize))
    return config


def test_old_and_impossible_dates_are_counted_not_a_format_error(tmp_path):
    config = _write(tmp_path, '[normalize]\ndob_min = "1600-01-01"\n')
    done = resolver("validate", config)
    assert done.returncode == 0, done.stderr
    out = " ".join(done.stdout.split())
    assert "1 not a calendar date" in out
    assert "1 before dob_min" in out and "1 after dob_max" in out


def test_run_keeps_what_validate_counts(tmp_path):
    config = load_config(_write(tmp_path, '[normalize]\ndob_min = "1600-01-01"\n'))
    normalized = normalize_records(ingest(config), config).sort("record_id")
    assert normalized.get_column("dob_status").to_list() == [
        "ok", "ok", "invalid", "invalid", "invalid"]
    assert normalized.get_column("dob_text").to_list() == [
        "16300801", "16300801", "19631064", "15880203", "29990101"]
    assert normalized.filter(pl.col("dob_status") == "invalid").get_column("dob").null_count() == 3


def test_default_range_accepts_historical_dates(tmp_path):
    config = load_config(_write(tmp_path))
    statuses = normalize_records(ingest(config), config).sort("record_id").get_column(
        "dob_status").to_list()
    assert statuses == ["ok", "ok", "invalid", "ok", "invalid"]


def test_a_bad_dob_min_is_reported_with_its_key(tmp_path):
    done = resolver("validate", _write(tmp_path, '[normalize]\ndob_min = "long ago"\n'))
    assert done.returncode == 2
    assert "normalize.dob_min: expected a date such as \"1500-01-01\"" in done.stderr
