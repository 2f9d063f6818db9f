"""A whole run on the bundled sample data, compared frame to frame with the expected
output in tests/expected/ (rewritten by `python -m tests.regenerate_expected` after a
deliberate change)."""

import polars as pl
from polars.testing import assert_frame_equal

from tests.regenerate_expected import EXPECTED, expected_frames


def test_sample_run_matches_expected_output(sample_run):
    _, out = sample_run
    for name, frame in expected_frames(out).items():
        expected = pl.read_csv(EXPECTED / name, infer_schema=False)
        got = frame.select(pl.all().cast(pl.String))
        assert_frame_equal(got, expected, check_dtypes=False)
