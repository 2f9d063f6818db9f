"""report.html's data quality and its precision/recall chart: the quality counts against
counts taken here from the sample's source files (read with the csv module) and its
normalized frame (counted row by row), the sweep's points against a small decisions file
computed by hand, the page's table against `resolver evaluate --sweep`, and every capped
table saying how many it shows of how many."""

import csv
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from typer.testing import CliRunner

from resolver import frames as F
from resolver.cli import app
from resolver.config import load_config
from resolver.report import charts
from resolver.report.decided import MIN_DECIDED, decided_sweep
from resolver.report.profile import FAILED, STATUS_OF, quality
from tests.conftest import SAMPLE_CONFIG, run_sample_copy


class Rows(HTMLParser):
    """The cells of one table of the page (by class), row by row."""

    def __init__(self, table_class: str):
        super().__init__()
        self.table_class, self.inside, self.rows, self.cell = table_class, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("class") == self.table_class:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table(page: str, table_class: str) -> list[list[str]]:
    parser = Rows(table_class)
    parser.feed(page)
    return [r for r in parser.rows if r]


def _source_values(source) -> dict[str, list]:
    """field -> the source file's values of its column, read without resolver."""
    if source.path.suffix == ".parquet":
        frame = pl.read_parquet(source.path)
        return {f: frame.get_column(c).cast(pl.String).to_list()
                for f, c in source.columns.items()}
    with source.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=source.delimiter))
    return {f: [row[c] for row in rows] for f, c in source.columns.items()}


def _filled(value) -> bool:
    return value is not None and value.strip() != ""


@pytest.fixture(scope="module")
def sample_normalized():
    from resolver.ingest import ingest
    from resolver.normalize import normalize_records

    config = load_config(SAMPLE_CONFIG)
    return config, normalize_records(ingest(config), config)


def test_fill_and_distinct_are_the_source_files_counts(sample_run):
    config, out = sample_run
    page = table((out / "report.html").read_text(), "quality")
    shown = {(r[0], r[1]): r[2:] for r in page}
    expected = {}
    for source in config.sources:
        assert all(isinstance(c, str) for c in source.columns.values())  # none joined
        for field, values in _source_values(source).items():
            filled = [v for v in values if _filled(v)]
            expected[source.name, field] = [f"{len(values):,}", f"{len(filled):,}",
                                            f"{100 * len(filled) / len(values):.1f}%",
                                            f"{len(set(filled)):,}"]
    assert {k: v[:4] for k, v in shown.items()} == expected
    assert len(page) == sum(len(s.columns) for s in config.sources) == 27


def test_junk_and_failed_are_the_status_columns_counted_row_by_row(sample_normalized):
    config, normalized = sample_normalized
    mapped = {s.name: list(s.columns) for s in config.sources}
    expected = {}
    for row in normalized.iter_rows(named=True):
        for field in mapped[row[F.SOURCE]]:
            counts = expected.setdefault((row[F.SOURCE], field), Counter())
            status = row.get(STATUS_OF.get(field, ""), None)
            counts["junk"] += status == F.STATUS_JUNK
            counts["failed"] += status in FAILED and _filled(row[F.raw(field)])
    got = {(r[F.SOURCE], r["field"]): Counter(junk=r["junk"], failed=r["failed"])
           for r in quality(normalized, mapped).iter_rows(named=True)}
    assert got == {k: Counter(junk=v["junk"], failed=v["failed"]) for k, v in expected.items()}
    # the sample holds both kinds, so the counts above are not all zero
    assert sum(c["junk"] for c in got.values()) > 0 and sum(c["failed"] for c in got.values()) > 0


def test_quality_is_empty_with_no_records():
    normalized = pl.DataFrame(schema={F.SOURCE: pl.String, F.raw("dob"): pl.String,
                                      F.DOB_STATUS: pl.String})
    assert quality(normalized, {"crm": ["dob"]}).height == 0


def test_the_data_quality_section_holds_no_record_value(sample_run):
    config, out = sample_run
    page = (out / "report.html").read_text()
    start, end = page.index("<h2>Data quality</h2>"), page.index("<h2>Flagged individuals")
    section = re.sub(r"<[^>]+>", " ", page[start:end])
    words = set(re.findall(r"[A-Za-z@][\w@.]+", section))
    for source in config.sources:
        for values in _source_values(source).values():
            assert not {v.strip() for v in values if _filled(v) and len(v.strip()) > 3} \
                & words


# --- precision and recall on decisions ---------------------------------------------------

def _decided_run(tmp_path: Path, decisions: list[tuple[str, str, str]], scored: list[tuple],
                 review: float = 0.5):
    """A run's frames as decided_sweep reads them: records r0..r49, the scored pairs
    (a, b, probability) and a decisions file."""
    path = tmp_path / "decisions.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_a", "record_b", "decision", "reviewer", "timestamp", "note"])
        writer.writerows([a, b, d, "t", "2026-01-01T00:00:00", ""] for a, b, d in decisions)
    normalized = pl.DataFrame({F.UID: range(50), F.RECORD_KEY: [f"crm:r{i}" for i in range(50)]})
    scored = pl.DataFrame(scored, schema=[F.UID_L, F.UID_R, F.MATCH_PROBABILITY], orient="row")
    config = SimpleNamespace(decisions_path=path, review_threshold=review)
    return SimpleNamespace(config=config, normalized=normalized, scored=scored)


def _hand_case(tmp_path: Path):
    """20 decided scored pairs: 10 at p 0.9995 (9 match), 6 at 0.97 (4 match), 4 at 0.55
    (1 match); one decided match never scored; one pair decided twice (the later wins);
    one decision naming a record the run does not hold."""
    groups = [(0.9995, 9, 10), (0.97, 4, 6), (0.55, 1, 4)]
    scored, decisions, uid = [], [], 0
    for p, matches, n in groups:
        for i in range(n):
            scored.append((uid, uid + 1, p))
            decisions.append((f"crm:r{uid + 1}", f"crm:r{uid}",  # either order
                              "match" if i < matches else "no_match"))
            uid += 2
    decisions.insert(0, ("crm:r0", "crm:r1", "no_match"))  # overridden by the later match
    decisions.append(("crm:r44", "crm:r45", "match"))  # never a candidate
    decisions.append(("crm:r0", "crm:unknown", "match"))
    scored.append((46, 47, 0.99))  # scored, undecided
    return _decided_run(tmp_path, decisions, scored)


def test_the_sweep_s_points_are_the_hand_computed_ones(tmp_path):
    decided = decided_sweep(_hand_case(tmp_path))
    assert (decided.decided, decided.scored, decided.matches, decided.no_matches) == \
        (21, 20, 14, 6)
    # recall out of 15 decided matches (14 scored, one never a candidate)
    by_hand = {0.5: (20, 14)} | {t: (16, 13) for t in (0.6, 0.7, 0.8, 0.9, 0.95)} | {
        t: (10, 9) for t in (0.98, 0.99, 0.995, 0.999)}
    rows = decided.points.to_dicts()
    assert [r["threshold"] for r in rows] == list(by_hand)
    for r in rows:
        pairs, tp = by_hand[r["threshold"]]
        assert (r["pairs"], r["true_matches"]) == (pairs, tp)
        assert r["precision"] == pytest.approx(tp / pairs)
        assert r["recall"] == pytest.approx(tp / 15)
        assert r["f1"] == pytest.approx(2 * tp / (pairs + 15))
    chart = charts.sweep_lines(decided.points)
    precision = next(s for s in chart.series if s["name"] == "precision")["points"]
    assert [p["y"] for p in precision] == pytest.approx(
        [charts.HEIGHT * (1 - tp / n) for n, tp in by_hand.values()])
    assert [p["x"] for p in precision] == sorted(p["x"] for p in precision)


def test_the_sweep_starts_at_the_review_threshold(tmp_path):
    result = _hand_case(tmp_path)
    result.config.review_threshold = 0.9
    assert decided_sweep(result).points.get_column("threshold").to_list()[0] == 0.9


@pytest.mark.parametrize("case", ["too_few", "no_no_match"])
def test_no_sweep_without_enough_decided_scored_pairs_of_both_kinds(tmp_path, case):
    n = MIN_DECIDED - 1 if case == "too_few" else MIN_DECIDED + 5
    scored = [(2 * i, 2 * i + 1, 0.9) for i in range(n)]
    decisions = [(f"crm:r{2 * i}", f"crm:r{2 * i + 1}",
                  "no_match" if case == "too_few" and i % 2 else "match") for i in range(n)]
    decided = decided_sweep(_decided_run(tmp_path, decisions, scored))
    assert not decided.enough and decided.points is None and decided.scored == n


def _truth_decisions(root: Path, out: Path, every: int) -> int:
    """Decide every `every`-th pair of a run's pairs.parquet as its truth says; -> how
    many decisions."""
    truth = pl.read_parquet(root / "sample_data" / "truth.parquet")
    person = {f"{s}:{r}": p for s, r, p in truth.select(F.SOURCE, F.RECORD_ID, "person_id")
              .iter_rows()}
    pairs = pl.read_parquet(out / "pairs.parquet").sort(F.MATCH_PROBABILITY).gather_every(every)
    with (root / "sample_data" / "decisions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_a", "record_b", "decision", "reviewer", "timestamp", "note"])
        for sl, rl, sr, rr in pairs.select(F.left(F.SOURCE), F.left(F.RECORD_ID),
                                           F.right(F.SOURCE), F.right(F.RECORD_ID)).iter_rows():
            a, b = f"{sl}:{rl}", f"{sr}:{rr}"
            writer.writerow([a, b, "match" if person[a] == person[b] else "no_match", "t",
                             "2026-01-01T00:00:00", ""])
    return pairs.height


def decided_sample_run(root: Path) -> Path:
    """The sample run in `root`, run again after a steward decided every 40th of its
    pairs as the truth says; -> its output folder."""
    from resolver.job import execute

    out = run_sample_copy(root)
    assert _truth_decisions(root, out, 40) >= MIN_DECIDED
    execute(load_config(root / "configs" / "sample.toml"), out, "parquet")
    return out


@pytest.fixture(scope="module")
def decided_out(tmp_path_factory):
    return decided_sample_run(tmp_path_factory.mktemp("decided"))


def test_the_page_s_sweep_is_evaluate_s(decided_out):
    page = (decided_out / "report.html").read_text()
    result = CliRunner().invoke(app, ["evaluate", str(decided_out), "--sweep", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["sweep"]["rows"]
    assert table(page, "sweep") == [
        [str(r["threshold"]), f"{r['pairs']:,}", f"{r['true_matches']:,}",
         f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}"] for r in rows]
    assert "An estimate on decided pairs only" in page and 'id="no-sweep"' not in page
    circles = re.findall(r'<circle class="recall"[^>]*data-value="([\d.]+)"', page)
    assert [float(v) for v in circles] == pytest.approx([r["recall"] for r in rows], abs=1e-4)


def test_without_decisions_the_page_says_why_there_is_no_sweep(sample_run):
    page = (sample_run[1] / "report.html").read_text()
    assert 'id="no-sweep"' in page and f"at least {MIN_DECIDED} steward decisions" in page
    assert "precision recall and F1 across thresholds" not in page


def test_every_capped_table_says_how_many_it_shows_of_how_many(decided_out):
    page = (decided_out / "report.html").read_text()
    run = json.loads((decided_out / "run.json").read_text())["counts"]
    pairs = pl.read_parquet(decided_out / "pairs.parquet")
    refused = table(page, "refused")
    assert run["guard_refused_links"] > 0
    assert f"{len(refused):,} shown of {run['guard_refused_links']:,} (highest" in page
    assert f"shown of {run['flagged_households']:,} (largest first); every flagged household" \
        in page
    assert f"shown of {run['flagged_individuals']:,}" in page
    waiting = pairs.filter(pl.col(F.DECISION) == "review").height
    assert re.search(rf"\(\d[\d,]* shown of {waiting:,} pairs\)", page)
    assert [float(r[2]) for r in refused] == sorted((float(r[2]) for r in refused),
                                                    reverse=True)
