"""The package declaration ships every subpackage and the assets."""

import tomllib

from tests.conftest import ROOT


def test_every_subpackage_is_declared():
    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "simgen").rglob("__init__.py")
    }
    assert found | {"simgen_assets"} == declared
