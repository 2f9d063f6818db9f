"""benchmarks/scale.py's `measured` names how a failed run ended: a run the kernel
killed (out of memory: SIGKILL) or one past its time limit is not reported by whatever
warning it last printed."""

import sys

from benchmarks.scale import measured


def test_a_killed_run_is_reported_as_killed():
    got = measured([sys.executable, "-c", "import os; os.kill(os.getpid(), 9)"], 60)
    assert got["exit"] == -9 and got["error"].startswith("killed by signal 9 after ")


def test_a_failed_run_reports_its_last_line_and_a_slow_one_its_timeout():
    got = measured([sys.executable, "-c", "import sys; sys.exit('the last line')"], 60)
    assert (got["exit"], got["error"]) == (1, "the last line")
    got = measured([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
    assert got["exit"] is None and got["error"].startswith("timed out after ")
