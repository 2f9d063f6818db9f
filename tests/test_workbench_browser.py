"""The workbench and report.html in real headless Chromium, as a steward uses them: accept
one pair and reject another by keyboard and the next run honours both; an individual's
golden record shows where each value came from; report.html works offline, without
console errors, with charts, and its waterfalls' totals are `explain`'s; with steward
decisions it draws precision and recall, and its data quality table shows."""

import re
from urllib.parse import urlencode

import polars as pl
import pytest
from typer.testing import CliRunner

from resolver import frames as F
from resolver.cli import app
from resolver.decisions import read_decisions
from resolver.explain import explain_pair
from resolver.review import review_queue
from tests.chromium import chromium, console_errors
from tests.conftest import run_sample_copy, serving
from tests.test_report_quality import decided_sample_run


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return run_sample_copy(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(out):
    with serving(out) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture()
def page(browser, server):
    """A fresh browser context that has opened the workbench with its token."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = console_errors(page)
    page.goto(server.url)
    yield page
    context.close()
    assert errors == []


def _entities(out) -> dict[str, str]:
    lineage = pl.read_parquet(out / "lineage.parquet")
    return dict(lineage.select(pl.concat_str(F.SOURCE, pl.lit(":"), F.RECORD_ID),
                               F.ENTITY_ID).iter_rows())


def _pairs_to_decide(out) -> tuple[tuple[str, str], tuple[str, str]]:
    """A waiting pair the run put in two individuals (to accept) and one it put in one
    (to reject), with no record or individual in common."""
    entity = _entities(out)
    queue = review_queue(out).pairs.filter(pl.col(F.DECISION_SOURCE) == "model")
    pairs = queue.select("record_a", "record_b").rows()
    accept = next((a, b) for a, b in pairs if entity[a] != entity[b])
    taken = {entity[k] for k in accept}
    reject = next((a, b) for a, b in pairs if entity[a] == entity[b] and entity[a] not in taken)
    return accept, reject


def test_the_queue_opens_most_uncertain_first(page, out):
    first = review_queue(out, 1).pairs.row(0, named=True)
    assert page.locator("h1").inner_text() == "Review queue"
    assert page.locator("a.pair-link").first.inner_text() == first["record_a"]
    page.select_option("select[name=source]", "web")  # filters apply on change
    page.wait_for_url(re.compile(r"source=web"))
    rows = page.locator("table.queue tbody tr").all_inner_texts()
    assert rows and all("web:" in row for row in rows)


def test_keyboard_accept_and_reject_then_the_next_run_honours_both(page, server, out,
                                                                   tmp_path):
    accept, reject = _pairs_to_decide(out)
    base = server.url.split("/?")[0]
    page.goto(f"{base}/pair?" + urlencode({"a": accept[0], "b": accept[1]}))
    page.keyboard.press("a")
    page.wait_for_url(re.compile(r"done=accepted"))
    assert "Recorded: accepted" in page.locator("p.done").inner_text()
    page.goto(f"{base}/pair?" + urlencode({"a": reject[0], "b": reject[1]}))
    page.keyboard.press("n")
    page.keyboard.type("different people")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    page.wait_for_url(re.compile(r"done=rejected"))
    decided = read_decisions(out.parent / "sample_data" / "decisions.csv")
    assert decided.select("record_a", "record_b", "decision", "note").rows() == [
        (*accept, "match", ""), (*reject, "no_match", "different people")]
    config = out.parent / "configs" / "sample.toml"
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(tmp_path / "next"),
                                      "--previous", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    entity = _entities(tmp_path / "next")
    assert entity[accept[0]] == entity[accept[1]]
    assert entity[reject[0]] != entity[reject[1]]


def test_an_individual_s_golden_record_shows_its_lineage(page, server, out):
    entities = pl.read_parquet(out / "entities.parquet")
    person = entities.filter(pl.col("record_count") >= 3).sort(F.ENTITY_ID).row(0, named=True)
    page.fill("header input[name=q]", person[F.ENTITY_ID])
    page.keyboard.press("Enter")
    page.click(f"text=individual {person[F.ENTITY_ID]}")
    assert page.locator("h1").inner_text() == f"Individual {person[F.ENTITY_ID]}"
    rows = page.locator("table.golden tbody tr")
    assert rows.count() >= 4
    for i in range(rows.count()):
        row = rows.nth(i)
        field = row.get_attribute("data-field")
        assert row.locator("td.value").inner_text() == str(person[field])
        assert row.locator("td.source").inner_text() == person[f"{field}_source"]
        assert row.locator("td.record").inner_text() == person[f"{field}_record_id"]
    records = page.locator("table.records tbody tr").count()
    assert records == person["record_count"]
    page.click("a.household-link")
    assert page.locator("table.members").inner_text().count(person[F.ENTITY_ID]) == 1


def _offline(browser) -> tuple:
    """A browser context that may load files only; -> (context, blocked urls)."""
    context = browser.new_context()
    blocked: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file://"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    context.route("**/*", only_files)
    return context, blocked


def test_report_html_works_offline_and_its_waterfalls_are_explain_s(browser, out):
    context, blocked = _offline(browser)
    page = context.new_page()
    errors = console_errors(page)
    page.goto((out / "report.html").as_uri())
    cards = page.locator("div.pair")
    assert cards.count() > 0
    for i in range(min(cards.count(), 5)):
        card = cards.nth(i)
        a, b = card.get_attribute("data-a"), card.get_attribute("data-b")
        total = float(card.locator("th.total").inner_text())
        assert total == pytest.approx(explain_pair(out, a, b).match_weight, abs=0.005)
    histogram = page.locator("svg[aria-label='match weight histogram']")
    assert histogram.locator("rect").count() == 30 and histogram.bounding_box()["height"] > 100
    assert histogram.locator("text.mark-label").all_text_contents() == [
        "review 0.5 (+0.00)", "match 0.95 (+4.25)"]
    for label in ("weights per comparison level", "records per individual",
                  "members per household", "cumulative pairs per blocking rule"):
        assert page.locator(f"svg[aria-label='{label}'] rect").count() > 0, label
    context.close()
    assert errors == [] and blocked == []


def test_report_html_draws_precision_recall_on_decisions_offline(browser, tmp_path):
    out = decided_sample_run(tmp_path)
    context, blocked = _offline(browser)
    page = context.new_page()
    errors = console_errors(page)
    page.goto((out / "report.html").as_uri())
    chart = page.locator("svg[aria-label='precision recall and F1 across thresholds']")
    assert chart.locator("polyline").count() == 3
    assert chart.locator("circle").count() == 3 * page.locator("table.sweep tr").count() - 3
    assert chart.bounding_box()["height"] > 100
    assert chart.locator("text.legend").all_text_contents() == ["precision", "recall", "f1"]
    quality = page.locator("table.quality")
    assert quality.is_visible() and quality.locator("tr[data-field]").count() == 27
    context.close()
    assert errors == [] and blocked == []
