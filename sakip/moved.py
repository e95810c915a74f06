"""Old import paths of modules that moved into their document type's folder (doctypes/<type>/):
``import sakip.models.pk`` still gives ``doctypes.pk.model`` (the same module object), so code
written against the old paths keeps working. Installed by ``import sakip`` and ``import service``."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

__all__ = ["MOVED", "install"]

MOVED = {
    "sakip.models.pk": "doctypes.pk.model",
    "sakip.models.lkjip": "doctypes.lkjip.model",
    "sakip.pk_context": "doctypes.pk.context",
    "sakip.lkjip_context": "doctypes.lkjip.context",
    "service.workbook": "sakip.workbook",
    "service.workbook_lkjip": "doctypes.lkjip.workbook",
}
"""Old module name -> where it lives now."""


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.spec = module.__spec__  # the import machinery sets the alias's spec on it: put it back
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.spec


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, _Alias(MOVED[fullname]))
        return None


def install() -> None:
    """Put the finder first on the import path, once."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MovedFinder())
