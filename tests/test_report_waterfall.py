"""report.html: each pair's waterfall adds up to its total, and the commands it offers
carry the run's real output folder."""

import re

import polars as pl


def test_each_waterfall_adds_up_to_the_pair_s_weight(sample_run):
    _, out = sample_run
    page = (out / "report.html").read_text()
    cards = re.findall(r"<th>term</th>.*?</table>", page, flags=re.S)
    assert cards, "the report shows no pair"
    for card in cards:
        terms = [float(w) for w in re.findall(r'<td class="n">([+-][0-9.]+)</td>', card)]
        total = float(re.search(r'<th>total</th><th></th><th class="n total">([+-][0-9.]+)</th>',
                                card).group(1))
        assert terms[0] != 0  # the prior is a term of its own
        assert abs(sum(terms) - total) <= 0.005 * (len(terms) + 1)


def test_the_commands_name_the_output_folder_and_caps_say_what_they_left_out(sample_run):
    _, out = sample_run
    page = (out / "report.html").read_text()
    assert f"resolver review {out} --accept" in page and "review OUT" not in page
    waiting = pl.read_parquet(out / "pairs.parquet").filter(
        pl.col("decision") == "review").height
    assert re.search(rf"[0-9,]+ shown of {waiting:,} pairs", page)
    assert re.search(r"[0-9,]+ shown of [0-9,]+\s+\(largest first\)", page)
