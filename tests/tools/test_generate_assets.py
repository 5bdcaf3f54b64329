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


def _first_part(scene: trimesh.Scene, origin, direction) -> str | None:
    """The part a ray meets first in an asset's mesh (Open3D's caster, as the lidar's)."""
    import open3d as o3d

    caster = o3d.t.geometry.RaycastingScene()
    names = {}
    for name, mesh in sorted(scene.geometry.items()):
        ident = caster.add_triangles(
            o3d.core.Tensor(np.asarray(mesh.vertices, dtype=np.float32)),
            o3d.core.Tensor(np.asarray(mesh.faces, dtype=np.uint32)),
        )
        names[ident] = name
    ray = o3d.core.Tensor([[*origin, *direction]], dtype=o3d.core.float32)
    hit = caster.cast_rays(ray)
    if not np.isfinite(hit["t_hit"].numpy()[0]):
        return None
    return names[int(hit["geometry_ids"].numpy()[0])]


def test_cars_show_their_tyres_from_behind_in_front_and_from_the_side():
    """Under the bumpers a ray low over the road meets a tyre, not paint; through the wheel
    arch a ray from the side at the hub's height meets the tyre or its rim."""
    catalog = load_catalog()
    for model in ("sedan", "hatchback", "estate", "suv", "van", "pickup"):
        scene = trimesh.load(catalog.mesh_path(model), force="scene")
        tyres = scene.geometry["tyres"]
        lo, hi = tyres.bounds
        width = catalog[model].dimensions[1]
        for y in (lo[1] + 0.1, hi[1] - 0.1):  # through each side's tyres
            assert _first_part(scene, (-10.0, y, 0.12), (1.0, 0.0, 0.0)) == "tyres", model
            assert _first_part(scene, (10.0, y, 0.12), (-1.0, 0.0, 0.0)) == "tyres", model
        hub_z = (lo[2] + hi[2]) / 2
        front_axle = hi[0] - (hi[2] - lo[2]) / 2
        side = _first_part(scene, (front_axle, width + 5.0, hub_z), (0.0, -1.0, 0.0))
        assert side in ("tyres", "metal"), model
        # between the axles the ray at the same height meets the door sill in paint
        assert _first_part(scene, (0.0, width + 5.0, hub_z), (0.0, -1.0, 0.0)) == "body", model
