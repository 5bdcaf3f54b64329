"""ASAM OpenSCENARIO 1.x import: ``import_xosc`` turns a ``.xosc`` file into simgen scenarios
(see docs/importing.md for the supported subset and the mapping)."""

from simgen.importers.openscenario.errors import XoscError
from simgen.importers.openscenario.importer import ImportOptions, ImportResult, import_xosc

__all__ = ["ImportOptions", "ImportResult", "XoscError", "import_xosc"]
