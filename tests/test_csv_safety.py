"""Formula-safe CSV (OWASP CSV injection): every CSV resolver writes quotes text cells a
spreadsheet would run, keeps numbers as numbers, and reads its own cells back unchanged."""

import csv

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from resolver.csv_safety import escape_cell, escape_frame, unescape_cell, unescape_frame
from tests.test_cli import resolver

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def live_formulas(path) -> list[str]:
    """Cells of a CSV file a spreadsheet would run as formulas."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row
                if cell.startswith(TRIGGERS) and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_owasp_examples():
    assert escape_cell("=1+2") == "'=1+2"
    assert escape_cell("\t=1+2") == "'\t=1+2"  # the tab is kept, the quote goes first
    assert escape_cell("@SUM(A1)") == "'@SUM(A1)"
    assert escape_cell("-2+3") == "'-2+3"
    assert escape_cell("Ann") == "Ann" and escape_cell(None) is None and escape_cell("") == ""
    assert escape_cell("'=x") == "''=x" and escape_cell("'ok") == "'ok"


@given(st.text())
def test_writing_then_reading_gives_every_value_back(value):
    assert unescape_cell(escape_cell(value)) == value
    escaped = escape_cell(value)
    assert not escaped.startswith(TRIGGERS)


@given(st.lists(st.one_of(st.none(), st.text(alphabet="=+-@\t\r'ab1 ", max_size=6))))
def test_frames_agree_with_cells(values):
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    assert escape_frame(frame).get_column("v").to_list() == [escape_cell(v) for v in values]
    assert unescape_frame(escape_frame(frame)).equals(frame)


def test_numbers_stay_numbers():
    frame = pl.DataFrame({"weight": [-3.5, 2.0], "count": [-1, 4], "name": ["-x", "y"]})
    escaped = escape_frame(frame)
    assert escaped.get_column("weight").to_list() == [-3.5, 2.0]
    assert escaped.get_column("count").to_list() == [-1, 4]
    assert escaped.get_column("name").to_list() == ["'-x", "y"]


def test_every_csv_output_and_the_decisions_file_are_formula_safe(tmp_path):
    (tmp_path / "a.csv").write_text(
        "id,name,birth,email,phone\n"
        '=1+2,=HYPERLINK("http://x") Smith,1980-01-02,@evil@example.com,+1 212 555 0100\n'
        '-5,"\t=1+2 Smith",1980-01-02,=a@example.com,+1 212 555 0100\n'
        "+7,@SUM Smith,1975-05-05,ann@example.com,-212 555 0101\n")
    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "id"\n'
                      '[sources.columns]\nfull_name = "name"\ndob = "birth"\nemail = "email"\n'
                      'phone = "phone"\n[blocking]\nrules = [["dob"]]\n'
                      '[[comparisons]]\nkind = "last_name"\n[[comparisons]]\nkind = "dob"\n'
                      '[[comparisons]]\nkind = "email"\n[decisions]\npath = "decisions.csv"\n'
                      '[thresholds]\nmatch = 0.95\nreview = 0.01\n')
    out = tmp_path / "out"
    done = resolver("run", config, "--out", out, "--format", "csv", "--quiet")
    assert done.returncode == 0, done.stderr
    written = sorted(out.glob("*.csv"))
    assert {p.stem for p in written} >= {"entities", "lineage", "pairs", "households", "changes"}
    for path in written:
        assert live_formulas(path) == [], path.name
    lineage = pl.read_csv(out / "lineage.csv", infer_schema=False)
    assert sorted(lineage.get_column("record_id").to_list()) == ["'+7", "'-5", "'=1+2"]

    done = resolver("review", out, "--accept", "a:-5", "a:+7", "--reviewer", "=cmd|' /C calc'!A0",
                    "--note", "@SUM(1+1)")
    assert done.returncode == 0, done.stderr
    assert live_formulas(tmp_path / "decisions.csv") == []
    # resolver reads its own quoted cells back as they were
    from resolver.decisions import read_decisions
    from resolver.output import read_output

    decisions = read_decisions(tmp_path / "decisions.csv")
    assert decisions.row(0, named=True)["reviewer"] == "=cmd|' /C calc'!A0"
    assert sorted(read_output(out, "lineage").get_column("record_id").to_list()) == [
        "+7", "-5", "=1+2"]
