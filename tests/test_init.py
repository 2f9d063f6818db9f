"""`resolver init`: sniffed delimiters and encodings, decorated headers, ids by uniqueness,
and a config that validates and runs (fixtures in tests/fixtures/init, named after their
quirk; make_fixtures.py rebuilds them from the sample data)."""

import pytest

from resolver.config import load_config
from resolver.headers import date_format_in, field_of
from resolver.init import starter_config
from resolver.job import execute
from resolver.sniff import sniff_delimiter, sniff_encoding
from resolver.validate import validate_sources
from tests.conftest import FIXTURES, ROOT
from tests.test_cli import resolver

INIT = FIXTURES / "init"


@pytest.mark.parametrize("header, field", [
    ("Cust #", "record_id"), ("Customer No.", "record_id"), ("unique_id", "record_id"),
    ("card_no", "record_id"), ("ticket_id", "record_id"), ("DOB (dd/mm/yyyy)", "dob"),
    ("Addr Line 1", "street"), ("Addr Line 2", "unit"), ("Given Name(s)", "first_name"),
    ("Email Addr", "email"), ("E-mail", "email"), ("Tel. (Home)", "phone"),
    ("ZIP/Postal", "postcode"), ("caller_name", "full_name"), ("FirstName", "first_name"),
    ("Family Name", "last_name"), ("date_of_birth", "dob"), ("Street1", "street"),
    ("Notes", None), ("LastModified", None)])
def test_decorated_headers_name_their_field(header, field):
    assert field_of(header) == field


def test_a_date_format_is_read_from_the_header():
    assert date_format_in("DOB (dd/mm/yyyy)") == "%d/%m/%Y"
    assert date_format_in("Birth Date [YYYY-MM-DD]") == "%Y-%m-%d"
    assert date_format_in("born (dd mon yyyy)") == "%d %b %Y"
    assert date_format_in("Tel. (Home)") is None and date_format_in("DOB (mm/yyyy)") is None


def test_delimiters_and_encodings_are_sniffed():
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter('a|b\n"x|y"|2\n') == "|"
    assert sniff_delimiter("a,b\n1,2\n") == "," and sniff_delimiter("single\n1\n") == ","
    assert sniff_encoding("Zoë".encode()) == "utf-8"
    assert sniff_encoding("\ufeffZoë".encode()) == "utf-8-sig"
    assert sniff_encoding("Zoë – €".encode("cp1252")) == "cp1252"
    assert sniff_encoding(b"\x81\x8d") == "latin-1"


def _source(config, name):
    return next(s for s in config.sources if s.name == name)


def test_init_maps_every_mappable_column_of_quirky_files_and_the_config_runs(tmp_path):
    files = sorted(p for p in INIT.iterdir() if p.suffix != ".py")
    path = tmp_path / "config.toml"
    path.write_text(starter_config(files, tmp_path))
    config = load_config(path)
    semi = _source(config, "semicolon_delimited_decorated_headers")
    assert (semi.delimiter, semi.id_column, semi.updated_at_column) == (";", "Cust #",
                                                                        "Last Modified")
    assert semi.columns == {
        "first_name": "Given Name(s)", "middle_name": "Middle Initial",
        "last_name": "Family Name", "suffix": "Suffix", "street": "Addr Line 1",
        "unit": "Addr Line 2", "city": "City", "state": "State", "postcode": "ZIP/Postal",
        "dob": "Birth Date (mm/dd/yyyy)", "phone": "Tel. (Home)", "email": "Email Addr"}
    tab = _source(config, "tab_delimited_day_first_dob")
    assert (tab.delimiter, tab.id_column, tab.formats) == ("\t", "ticket_id",
                                                           {"dob": "%d/%m/%Y"})
    assert tab.columns == {"full_name": "caller_name", "phone": "Tel. (Home)",
                           "email": "E-mail", "dob": "DOB (dd/mm/yyyy)",
                           "address": "Address"}
    pipe = _source(config, "pipe_delimited_cp1252")
    assert (pipe.delimiter, pipe.encoding, pipe.format) == ("|", "cp1252", "csv")
    assert pipe.id_column == "card_no"  # "Customer No." is id-like but repeats
    assert set(pipe.columns) == {"full_name", "phone", "street", "postcode", "dob"}
    web = _source(config, "decorated_headers")
    assert (web.id_column, web.updated_at_column) == ("unique_id", "Signed Up")
    assert len(web.columns) == 5
    text = path.read_text()
    assert '# customer_number = "Customer No."' in text and '# notes = "Notes"' in text
    assert validate_sources(config)
    summary = execute(config, tmp_path / "out", "parquet")
    assert summary["counts"]["records"] == 626


def test_init_on_the_sample_sources_runs(tmp_path):
    files = [ROOT / "sample_data" / n for n in ("crm.csv", "web_signups.parquet",
                                                 "pos_loyalty.csv", "call_centre.csv")]
    path = tmp_path / "config.toml"
    path.write_text(starter_config(files, tmp_path))
    summary = execute(load_config(path), tmp_path / "out", "parquet")
    assert summary["counts"]["records"] == 3074 and summary["counts"]["matches"] > 1000


def test_only_fields_some_source_maps_get_comparisons_and_rules(tmp_path):
    (tmp_path / "people.csv").write_text("id;Given Name;Surname;E-mail\n1;Ann;Lee;a@x.org\n"
                                         "2;Bob;Ray;b@y.org\n")
    path = tmp_path / "config.toml"
    path.write_text(starter_config([tmp_path / "people.csv"], tmp_path))
    config = load_config(path)
    assert [c.name for c in config.comparisons] == ["first_name", "last_name", "email"]
    assert [r.keys for r in config.blocking_rules] == [
        ("email",), ("first_name_canonical", "last_name_metaphone")]
    assert [r.keys for r in config.training_rules] == [
        ("first_name_canonical", "last_name_metaphone")]


def test_init_of_a_semicolon_file_on_the_command_line(tmp_path):
    source = INIT / "semicolon_delimited_decorated_headers.csv"
    done = resolver("init", source, "--out", tmp_path / "c.toml")
    assert done.returncode == 0, done.stderr
    checked = resolver("validate", tmp_path / "c.toml")
    assert checked.returncode == 0, checked.stderr


def test_init_with_nothing_to_compare_says_so(tmp_path):
    (tmp_path / "x.csv").write_text("id,colour\n1,red\n")
    done = resolver("init", tmp_path / "x.csv")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: no column of the given files could be mapped")
