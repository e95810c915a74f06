"""The README stays true: every setting is in its table, every example it names exists."""

from config.settings import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"| `DOCGEN_{name.upper()}` |" in README, name


def test_examples_named_in_the_readme_exist():
    for name in ("pk-jpt", "pk-administrator", "pk-kepala-daerah"):
        assert (REPO_ROOT / "examples" / f"{name}.json").is_file()
    assert "examples/pk-jpt.json" in README
