"""docs/graphstorm-compat.md is generated from the schema and must match it."""

from graphstorm_py.config.compat_table import DOC_PATH, main, render


def test_committed_doc_is_up_to_date():
    assert DOC_PATH.read_text() == render(), "run: python -m graphstorm_py.config.compat_table"


def test_check_flag(tmp_path):
    stale = tmp_path / "compat.md"
    stale.write_text("old")
    assert main(["--check", "--path", str(stale)]) == 1
    assert main(["--path", str(stale)]) == 0 and main(["--check", "--path", str(stale)]) == 0


def test_table_rows():
    text = render()
    assert "| `lm_tune_lr` | `--lm-tune-lr` | implemented | `lm`; without the feature it belongs to: unused here" in text
    assert "| `ip_config` | `--ip-config` | accepted without effect |" in text
    assert "| `num_epochs` | `--num-epochs`, `-e` | implemented |" in text
    assert "| `use_pseudolabel` | `--use-pseudolabel` | not supported yet |" in text
