"""`resolver sample`: never writes over a folder that holds files unless told to."""

from tests.test_cli import resolver


def test_sample_refuses_a_folder_that_holds_files(tmp_path):
    (tmp_path / "keep.csv").write_text("a,b\n1,2\n")
    done = resolver("sample", "--people", "5", "--out", tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: --out {tmp_path} already holds files. Choose an "
                                  "empty or new folder, or add --force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.csv"]


def test_sample_with_force_writes_into_it(tmp_path):
    (tmp_path / "keep.csv").write_text("a,b\n1,2\n")
    done = resolver("sample", "--people", "5", "--out", tmp_path, "--force")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "truth.parquet").is_file() and (tmp_path / "keep.csv").is_file()


def test_sample_default_out_is_not_the_bundled_sample_data(tmp_path):
    done = resolver("sample", "--people", "5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sample_out" / "truth.parquet").is_file()
    assert not (tmp_path / "sample_data").exists()
    again = resolver("sample", "--people", "5", cwd=tmp_path)
    assert again.returncode == 2 and "already holds files" in again.stderr
