"""A canonical field read from several source columns joined."""

from resolver.config import load_config
from resolver.ingest import ingest
from resolver.normalize import normalize_records
from tests.test_cli import resolver

DATA = ("id,given,family,by,bm,bd,house,road\n1,Ann,Lee,1850,3,7,12,Oak St\n"
        "2,Bo,Ng,1961,12,,,Elm St\n3,Cy,Oz,,,,,\n")
CONFIG = ('[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "id"\n[sources.columns]\n'
          'first_name = "given"\nlast_name = "family"\ndob = {dob}\nstreet = ["house", "road"]\n'
          '[blocking]\nrules = [["dob"]]\n[[comparisons]]\nkind = "dob"\n')


def _config(tmp_path, dob='["by", "bm", "bd"]'):
    (tmp_path / "a.csv").write_text(DATA)
    path = tmp_path / "c.toml"
    path.write_text(CONFIG.format(dob=dob))
    return path


def test_birth_year_month_and_day_columns_make_one_date(tmp_path):
    config = load_config(_config(tmp_path))
    normalized = normalize_records(ingest(config), config).sort("record_id")
    assert normalized.get_column("dob_text").to_list() == ["18500307", None, None]
    assert normalized.get_column("dob_status").to_list() == ["ok", "missing", "missing"]
    assert normalized.get_column("street_name").to_list() == ["OAK", "ELM", None]
    assert normalized.get_column("house_number").to_list() == ["12", None, None]


def test_a_joined_column_missing_from_the_file_is_named(tmp_path):
    done = resolver("validate", _config(tmp_path, '["by", "month", "bd"]'))
    assert done.returncode == 2
    assert "columns.dob (month) = 'month'" in done.stderr


def test_a_mapping_that_is_neither_a_name_nor_a_list_of_names_is_a_config_error(tmp_path):
    done = resolver("validate", _config(tmp_path, "3"))
    assert done.returncode == 2
    assert "sources[0].columns.dob: expected the column name, or a list" in done.stderr


def test_parts_the_split_name_fields_lack_come_from_a_mapped_full_name():
    from resolver.normalize.stage import _SEP, _parse_name_key

    key = _SEP.join(["Sir Edmund Loder, 2nd Baronet", "", "Sir", "", "Baronet", ""])
    assert _parse_name_key(key)[:5] == ("sir", "edmund", None, "loder", "BT")
    key = _SEP.join(["Robert Smith", "", "Bob", "", "Smith", ""])
    assert _parse_name_key(key)[:5] == (None, "bob", None, "smith", None)
