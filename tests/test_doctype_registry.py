"""Document types are one folder each, registered in one place: the code outside doctypes/ asks the
type (sakip/doctypes.py) instead of comparing its name, and every registered type has its folder."""

from __future__ import annotations

import json
import re

from config.settings import REPO_ROOT
from sakip.doctypes import DOCUMENT_TYPES

SWITCH = re.compile(r"""(==|!=)\s*["'](pk|lkjip|pohon_kinerja)["']|["'](pk|lkjip|pohon_kinerja)["']\s*(==|!=)""")


def test_no_code_outside_the_type_folders_compares_a_type_name():
    found = []
    for package in ("sakip", "service", "workers", "storage", "signing", "cli", "config"):
        for path in (REPO_ROOT / package).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SWITCH.search(line):
                    found.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_every_registered_type_has_its_folder_with_template_sample_and_spec():
    for name, doctype in DOCUMENT_TYPES.items():
        folder = REPO_ROOT / "doctypes" / name
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert all((folder / v["file"]).is_file() for v in manifest["versions"]), name
        assert (folder / "sample.json").is_file() and (folder / "spec.py").is_file(), name
        assert doctype.model.__module__ == f"doctypes.{name}.model", name
        assert doctype.title and doctype.name == name


def test_old_module_paths_still_give_the_moved_modules():
    import sakip.models.pk
    import service.workbook

    import doctypes.pk.model

    assert sakip.models.pk is doctypes.pk.model and sakip.models.pk.PKData is doctypes.pk.model.PKData
    assert service.workbook.read_workbook.__module__ == "sakip.workbook"
