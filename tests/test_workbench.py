"""`resolver review OUT --serve` over HTTP: the token (403 without it), loopback only,
no request log, the queue in `resolver review`'s order with its filters and paging, the
pair's waterfall equal to `explain`'s, decisions through the decisions file's writer, and
bad input as exit 2 with a message."""

import html
import http.client
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import polars as pl
import pytest

from resolver import frames as F
from resolver.decisions import read_decisions
from resolver.explain import explain_pair
from resolver.review import review_queue
from resolver.workbench.queue import Filters
from tests.conftest import run_sample_copy, serving
from tests.test_cli import resolver


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return run_sample_copy(tmp_path_factory.mktemp("workbench"))


@pytest.fixture(scope="module")
def server(out):
    with serving(out) as server:
        yield server


def _request(server, path: str, method: str = "GET", body: str | None = None,
             cookie: str | None = None, host: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{server.port}"}
    if cookie:
        headers["Cookie"] = f"{server.cookie}={cookie}"
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response, text


def _decisions(out) -> pl.DataFrame:
    return read_decisions(out.parent / "sample_data" / "decisions.csv")


def test_every_request_without_the_token_is_refused(server, out):
    for path in ("/", "/static/workbench.js", "/pair?a=x&b=y", "/entity/x", "/?token=wrong"):
        assert _request(server, path)[0].status == 403, path
    assert _request(server, "/", cookie="wrong")[0].status == 403
    first = _request(server, f"/?token={server.token}")[0]
    assert first.status == 303 and first.getheader("Location") == "/"
    cookie = first.getheader("Set-Cookie")
    assert f"{server.cookie}={server.token}" in cookie and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert _request(server, "/", cookie=server.token)[0].status == 200
    # a decision needs the token in the form too, not the cookie alone
    pair = review_queue(out, 1).pairs.row(0, named=True)
    form = urlencode({"a": pair["record_a"], "b": pair["record_b"], "decision": "match"})
    assert _request(server, "/decide", "POST", form, cookie=server.token)[0].status == 403
    assert _decisions(out).height == 0


def test_it_listens_on_the_loopback_address_only(server):
    assert server.server_address[0] == "127.0.0.1"
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    local = {row[1] for row in listening if row[3] == "0A"}  # 0A: LISTEN
    assert f"0100007F:{server.port:04X}" in local  # 127.0.0.1 in /proc's byte order
    assert f"00000000:{server.port:04X}" not in local  # not every interface
    refused = _request(server, "/", cookie=server.token, host=f"evil.example:{server.port}")
    assert refused[0].status == 403  # a name that resolves here is not enough


def test_the_queue_is_the_review_command_s_order_and_pages(server, out):
    expected = review_queue(out).pairs.select("record_a", "record_b").rows()
    workbench = server.workbench
    page = workbench.queue.page(Filters(), 0, size=len(expected) + 10)
    assert [(r["record_a"], r["record_b"]) for r in page.rows] == expected
    second = _request(server, "/?offset=50", cookie=server.token)[1]
    assert "pairs 51–100 of" in second
    first_link = re.search(r'class="pair-link" href="/pair\?a=([^&]+)&amp;', second)
    assert first_link and first_link.group(1).replace("%3A", ":") == expected[50][0]


def test_filters_narrow_the_queue(server, out):
    queue = server.workbench.queue
    everything = queue.page(Filters(), 0, 1000)
    pos = queue.page(Filters(source="pos"), 0, 1000)
    assert 0 < pos.total < everything.total
    assert all("pos:" in r["record_a"] + r["record_b"] for r in pos.rows)
    guards = queue.page(Filters(reason="guard:ambiguous_generation"), 0, 1000)
    assert guards.total > 0
    assert {r[F.DECISION_SOURCE] for r in guards.rows} == {"guard:ambiguous_generation"}
    band = queue.page(Filters(band="0.5-0.6"), 0, 1000)
    assert band.total > 0 and all(0.5 <= r[F.MATCH_PROBABILITY] < 0.6 for r in band.rows)
    name = everything.rows[0]["name_b"]
    found = queue.page(Filters(search=name.split()[-1].lower()), 0, 1000)
    assert everything.rows[0]["record_b"] in {r["record_b"] for r in found.rows}
    assert found.total < everything.total
    text = _request(server, "/?" + urlencode({"source": "pos"}), cookie=server.token)[1]
    assert f"<b id=\"pending\">{pos.total}</b>" in text


def test_the_pair_page_s_waterfall_is_explain_s(server, out):
    pair = review_queue(out, 3).pairs.row(2, named=True)
    a, b = pair["record_a"], pair["record_b"]
    text = _request(server, "/pair?" + urlencode({"a": a, "b": b}), cookie=server.token)[1]
    e = explain_pair(out, a, b)
    shown = dict(re.findall(r'<tr data-term="([^"]+)">.*?<td class="n weight">([+-][0-9.]+)'
                            r"</td>", text, flags=re.S))
    assert float(shown["prior"]) == pytest.approx(e.prior_weight, abs=0.005)
    for step in e.steps:
        assert float(shown[step["comparison"]]) == pytest.approx(step["weight"], abs=0.005)
    total = re.search(r'id="total">([+-][0-9.]+)<', text).group(1)
    assert float(total) == pytest.approx(e.match_weight, abs=0.005)
    assert abs(sum(map(float, shown.values())) - float(total)) <= 0.005 * (len(shown) + 1)


def test_a_decision_is_appended_at_once_and_the_next_pair_follows(server, out):
    queue = review_queue(out, 2).pairs
    (a, b), following = queue.row(0)[:2], queue.row(1)[:2]
    before = _decisions(out).height
    form = urlencode({"a": a, "b": b, "decision": "no_match", "note": "father and son",
                      "token": server.token})
    response = _request(server, "/decide", "POST", form, cookie=server.token)[0]
    assert response.status == 303
    assert response.getheader("Location") == "/pair?" + urlencode(
        {"a": following[0], "b": following[1], "done": "rejected"})
    rows = _decisions(out).tail(1).row(0, named=True)
    assert _decisions(out).height == before + 1
    assert (rows["record_a"], rows["record_b"], rows["decision"], rows["note"]) == (
        a, b, "no_match", "father and son")
    assert (a, b) not in review_queue(out).pairs.select("record_a", "record_b").rows()
    bad = urlencode({"a": a, "b": b, "decision": "maybe", "token": server.token})
    assert _request(server, "/decide", "POST", bad, cookie=server.token)[0].status == 400
    unknown = urlencode({"a": a, "b": "crm:NOPE", "decision": "match", "token": server.token})
    assert _request(server, "/decide", "POST", unknown, cookie=server.token)[0].status == 404
    assert _decisions(out).height == before + 1


def test_unknown_pages_are_404_with_a_message(server):
    for path, words in (("/entity/nobody", "no individual 'nobody'"),
                        ("/household/nowhere", "no household 'nowhere'"),
                        ("/pair?a=crm:X&b=crm:Y", "are not a pair"), ("/nothing", "no such")):
        response, text = _request(server, path, cookie=server.token)
        assert response.status == 404 and words in html.unescape(text), path


def _serve(out, *extra):
    return subprocess.Popen([sys.executable, "-m", "resolver", "review", str(out), "--serve",
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_the_command_prints_a_url_with_a_token_and_logs_no_request(out):
    process = _serve(out, "--port", "0")
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]
        url = urlsplit(lines[1].strip())
        assert url.scheme == "http" and url.hostname == "127.0.0.1"
        token = url.query.removeprefix("token=")
        assert len(token) >= 32
        name = review_queue(out, 1).pairs.item(0, "name_a")
        connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=10)
        connection.request("GET", "/?" + urlencode({"token": token, "q": name}))
        assert connection.getresponse().status == 303
        connection.close()
        time.sleep(0.2)
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=10)
    assert name not in stdout + stderr and "GET" not in stderr


def test_serve_refuses_bad_input_with_exit_2(out, tmp_path):
    both = resolver("review", out, "--serve", "--json")
    assert both.returncode == 2 and "give one of --json, --serve" in both.stderr
    with serving(out) as busy:
        taken = resolver("review", out, "--serve", "--port", busy.port)
    assert taken.returncode == 2
    assert f"--port {busy.port}: cannot listen on 127.0.0.1:{busy.port}" in taken.stderr
    assert "Traceback" not in taken.stderr
    config = out.parent / "configs" / "sample.toml"
    undecided = tmp_path / "undecided.toml"
    undecided.write_text(config.read_text().replace("../sample_data/", f"{config.parent}/../"
                                                    "sample_data/").split("[decisions]")[0])
    run = resolver("run", undecided, "--out", tmp_path / "out", "--quiet")
    assert run.returncode == 0, run.stderr
    refused = resolver("review", tmp_path / "out", "--serve", "--port", "0")
    assert refused.returncode == 2 and "names no decisions file" in refused.stderr


def test_a_queue_of_100k_pairs_pages_in_order_and_quickly(out, tmp_path):
    import shutil

    from resolver.workbench.app import Workbench

    big = tmp_path / "out"
    shutil.copytree(out, big)
    pairs = pl.read_parquet(big / "pairs.parquet")
    keys = pl.read_parquet(big / "lineage.parquet").select(F.SOURCE, F.RECORD_ID)
    n = 100_000
    left = keys.sample(n, with_replacement=True, seed=1)
    right = keys.sample(n, with_replacement=True, seed=2)
    extra = (pairs.filter(pl.col(F.DECISION) == "review").sample(n, with_replacement=True,
                                                                  seed=3)
             .with_columns(left.get_column(F.SOURCE).alias("source_l"),
                           left.get_column(F.RECORD_ID).alias("record_id_l"),
                           right.get_column(F.SOURCE).alias("source_r"),
                           right.get_column(F.RECORD_ID).alias("record_id_r"),
                           (0.5 + pl.int_range(n) % 4500 / 10000).alias(F.MATCH_PROBABILITY))
             .unique(["source_l", "record_id_l", "source_r", "record_id_r"]))
    pl.concat([pairs, extra]).write_parquet(big / "pairs.parquet")
    workbench = Workbench(big)
    started = time.perf_counter()
    page = workbench.queue.page(Filters(source="pos"), offset=20_000)
    assert time.perf_counter() - started < 5  # about 0.1 s on a 2-core machine
    assert page.total > 20_000 and len(page.rows) == 50 and page.rows[0]["position"] == 20_001
    distance = [abs(r[F.MATCH_PROBABILITY] - 0.5) for r in page.rows]
    assert distance == sorted(distance)
    assert workbench.get("/", {"offset": ["90000"]}).status == 200
