"""Rewrite tests/expected/ from a run on the sample data.

    python -m tests.regenerate_expected

Run it only after a deliberate change of behaviour, and read the diff before committing:
the expected files are how a change in who-is-who shows up in review.
"""

import tempfile
from pathlib import Path

import polars as pl

from resolver.config import load_config
from resolver.job import execute

EXPECTED = Path(__file__).resolve().parent / "expected"
ROOT = EXPECTED.parent.parent
LINEAGE_COLUMNS = ["source", "record_id", "entity_id", "household_id"]
ENTITY_COLUMNS = ["entity_id", "household_id", "first_name", "last_name", "dob", "address",
                  "email", "phone", "record_count"]


def expected_frames(out: Path) -> dict[str, pl.DataFrame]:
    return {
        "sample_lineage.csv": pl.read_parquet(out / "lineage.parquet").select(LINEAGE_COLUMNS),
        "sample_entities.csv": pl.read_parquet(out / "entities.parquet").select(ENTITY_COLUMNS),
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        execute(load_config(ROOT / "configs" / "sample.toml"), Path(tmp) / "out", "parquet")
        for name, frame in expected_frames(Path(tmp) / "out").items():
            frame.write_csv(EXPECTED / name)
            print(f"wrote {EXPECTED / name} ({frame.height} rows)")


if __name__ == "__main__":
    main()
