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


def test_a_killed_run_names_the_last_stage_it_started():
    script = ("import os, sys; print('resolver: normalize', file=sys.stderr); "
              "print('resolver: compare', file=sys.stderr); "
              "print('resolver: compare 1,000 of 2,000 pairs', file=sys.stderr, flush=True); "
              "os.kill(os.getpid(), 9)")
    got = measured([sys.executable, "-c", script], 60)
    assert got["error"].startswith("killed by signal 9 after ")
    assert got["error"].endswith(", in stage compare")


def test_cpu_seconds_count_the_work_of_the_command_and_its_children_not_its_sleep():
    """A command that sleeps 1 s uses little CPU; one whose child process spins ~1 s of
    CPU is counted with that child's time, not only its own."""
    idle = measured([sys.executable, "-c", "import time; time.sleep(1)"], 60)
    spin = ("import subprocess, sys; subprocess.run([sys.executable, '-c', "
            "'import time\\nend = time.process_time() + 1\\n"
            "while time.process_time() < end: pass'])")
    busy = measured([sys.executable, "-c", spin], 60)
    assert idle["seconds"] >= 1.0 and idle["cpu_seconds"] < 0.8
    assert busy["cpu_seconds"] >= 0.9
