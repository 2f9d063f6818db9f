"""The decisions file: concurrent appends, damaged files named by line and never
rewritten, decisions a steward cannot mean (a record with itself)."""

import multiprocessing
import re

import pytest

from resolver.decisions import COLUMNS, append_decision, parse_decisions, read_decisions
from resolver.errors import InputError

WRITERS, TRIALS = 20, 20


def _append(path, barrier, i):
    barrier.wait()
    append_decision(path, {"record_a": f"a:{i}", "record_b": f"b:{i}", "decision": "match",
                           "reviewer": f"steward {i}", "timestamp": "2026-01-01T00:00:00",
                           "note": "=not a formula, " * (i % 3)})


def test_concurrent_appends_write_one_header_and_every_row(tmp_path):
    context = multiprocessing.get_context("fork")
    for trial in range(TRIALS):
        path = tmp_path / f"decisions-{trial}.csv"
        barrier = context.Barrier(WRITERS)
        workers = [context.Process(target=_append, args=(path, barrier, i))
                   for i in range(WRITERS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        assert all(w.exitcode == 0 for w in workers)
        text = path.read_text()
        header, rows = parse_decisions(path, text)
        assert header == list(COLUMNS) and text.count("record_a,") == 1
        assert sorted(r["record_a"] for r in rows) == sorted(f"a:{i}" for i in range(WRITERS))
        assert read_decisions(path).height == WRITERS


DAMAGED = {  # quirk -> (file text, words of the message)
    "wrong_header": ("a,b,c\nx:1,y:2,match\n", "line 1 is not the header"),
    "second_header_mid_file": (",".join(COLUMNS) + "\na:1,b:1,match,s,t,n\n"
                               + ",".join(COLUMNS) + "\n", "line 3 has a decision other"),
    "blank_decision": ("record_a,record_b,decision\na:1,b:1,match\na:2,b:2,\n",
                       "line 3 has a blank decision"),
    "unknown_decision": ("record_a,record_b,decision\na:1,b:1,maybe\n",
                         "line 2 has a decision other than match or no_match"),
    "too_many_fields": ("record_a,record_b,decision\na:1,b:1,match,extra\n",
                        "line 2 has 4 field(s), the header has 3"),
    "cut_off_line": (",".join(COLUMNS) + "\na:1,b:1,match,s,t", "line 2 is cut off"),
}


@pytest.mark.parametrize("quirk", sorted(DAMAGED))
def test_a_damaged_file_names_the_line_and_is_never_rewritten(tmp_path, quirk):
    text, words = DAMAGED[quirk]
    path = tmp_path / "decisions.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=re.escape(words)):
        append_decision(path, {"record_a": "a:9", "record_b": "b:9", "decision": "match"})
    assert path.read_text() == text
    if quirk != "cut_off_line":  # a cut-off last line still parses when only read
        with pytest.raises(InputError, match=re.escape(words)):
            read_decisions(path)


def test_a_folder_is_not_a_decisions_file(tmp_path):
    (tmp_path / "decisions.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_decisions(tmp_path / "decisions.csv")
    with pytest.raises(InputError, match="is a folder"):
        append_decision(tmp_path / "decisions.csv", {"record_a": "a:1", "record_b": "b:1",
                                                     "decision": "match"})


def test_a_hand_written_three_column_file_gets_rows_in_its_own_columns(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text("record_a,record_b,decision\na:1,b:1,match\n")
    append_decision(path, {"record_a": "a:2", "record_b": "b:2", "decision": "no_match",
                           "reviewer": "ann"})
    assert path.read_text() == "record_a,record_b,decision\na:1,b:1,match\na:2,b:2,no_match\n"
    assert read_decisions(path).get_column("decision").to_list() == ["match", "no_match"]


@pytest.mark.parametrize(("a", "b", "extra", "words"), [
    ("crm:1", "crm:1", [], "names the same record twice"),
    ("crm:1", "crm:2", ["--note", "line one\nline two"], "--note contains a control character"),
    ("crm:1", "crm:2", ["--reviewer", "ann\t"], "--reviewer contains a control character"),
    ("crm1", "crm:2", [], "is not source:record_id"),
])
def test_review_refuses_keys_and_notes_a_steward_cannot_mean(a, b, extra, words):
    from resolver.review import check_decision_text

    reviewer = extra[1] if extra[:1] == ["--reviewer"] else "steward"
    note = extra[1] if extra[:1] == ["--note"] else None
    with pytest.raises(InputError, match=re.escape(words)):
        check_decision_text(a, b, reviewer, note)


def test_a_file_saved_by_a_spreadsheet_reads_and_appends(tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_bytes(b"\xef\xbb\xbfrecord_a,record_b,decision\r\na:1,b:1,match\r\n")
    append_decision(path, {"record_a": "a:2", "record_b": "b:2", "decision": "no_match"})
    assert read_decisions(path).get_column("decision").to_list() == ["match", "no_match"]
