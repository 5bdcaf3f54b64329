"""The package declaration ships every subpackage and the assets."""

import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
ASSETS = ROOT / "assets"


def test_every_subpackage_is_declared():
    declared = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "simgen").rglob("__init__.py")
    }
    assert found | {"simgen_assets"} == declared


def test_package_data_covers_every_asset_file():
    """A wheel carries what the renderer loads: meshes, catalog and textures."""
    import fnmatch

    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["simgen_assets"]
    files = [
        p.relative_to(ASSETS).as_posix()
        for p in ASSETS.rglob("*")
        if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    ]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []
