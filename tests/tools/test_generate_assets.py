"""The committed assets are exactly what the generator makes, and their catalog is truthful."""

import typing

import numpy as np
import trimesh

from simgen.core.classes import BY_NAME
from simgen.scenario.models import ActorModel
from simgen.world.assets import ASSETS_DIR, load_catalog
from tests.tools.conftest import load_tool


def test_regeneration_is_byte_identical(tmp_path):
    load_tool("generate_assets").generate(tmp_path)
    committed = sorted(
        p.relative_to(ASSETS_DIR)
        for p in ASSETS_DIR.rglob("*")
        if p.suffix in (".json", ".glb", ".png")
    )
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == fresh
    for rel in committed:
        assert (ASSETS_DIR / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_assets_are_small():
    total = sum(p.stat().st_size for p in ASSETS_DIR.rglob("*") if p.is_file())
    assert total < 2_000_000


def test_every_scenario_model_has_an_asset_with_true_dimensions():
    catalog = load_catalog()
    for model in typing.get_args(ActorModel):
        entry = catalog[model]
        assert entry.semantic_class in BY_NAME
        scene = trimesh.load(catalog.mesh_path(model), force="scene")
        lo, hi = scene.bounds
        np.testing.assert_allclose(hi - lo, entry.dimensions, atol=1e-3)
        # origin at the centre of the bottom face
        np.testing.assert_allclose([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]], 0, atol=1e-3)
        assert set(scene.geometry) == set(entry.parts)
        for part in entry.parts.values():
            assert 0 <= part.reflectivity <= 1
            assert part.semantic_class is None or part.semantic_class in BY_NAME


def test_vehicles_have_lights_at_their_ends():
    catalog = load_catalog()
    for model in ("sedan", "suv", "truck", "bus"):
        entry = catalog[model]
        length = entry.dimensions[0]
        assert all(abs(x - length / 2) < 0.1 for x, _, _ in entry.lights["head"])
        assert all(abs(x + length / 2) < 0.1 for x, _, _ in entry.lights["tail"])
