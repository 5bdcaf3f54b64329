"""Per-variant wear of the static world and paint finishes: camera-only, deterministic."""

import numpy as np

from simgen.core.rng import derive_rng
from simgen.scenario.load import load_scenario
from simgen.scenario.sample import sample
from simgen.sensors.appearance import draw_appearance
from simgen.sensors.pyrender.camera import METAL
from simgen.sensors.scene import asset_parts, static_placements
from simgen.sensors.wear import FACADES, vary_surfaces
from simgen.world.simulate import simulate

GALLERY = "scenarios/appearance/gallery_street.yaml"


def _static():
    instance = sample(load_scenario(GALLERY).scenario, 0)
    return static_placements(next(simulate(instance)).static, street_lights_on=False)


def test_wear_moves_tiles_and_shades_but_never_geometry():
    parts = _static()
    a = vary_surfaces(parts, derive_rng(7, 0, "appearance/world"))
    again = vary_surfaces(parts, derive_rng(7, 0, "appearance/world"))
    b = vary_surfaces(parts, derive_rng(7, 1, "appearance/world"))
    textured = [i for i, p in enumerate(parts) if p.texture is not None]
    assert textured
    for i in range(len(parts)):
        for x in (a, again, b):  # what the lidar and the labels see stays as it was
            assert x[i].part.vertices is parts[i].part.vertices
            assert x[i].part.faces is parts[i].part.faces
            assert (x[i].class_id, x[i].reflectivity) == (parts[i].class_id, parts[i].reflectivity)
        assert (a[i].part.uv is None) == (parts[i].part.uv is None)
        if a[i].part.uv is not None:
            np.testing.assert_array_equal(a[i].part.uv, again[i].part.uv)
        assert a[i].color == again[i].color
    moved = [i for i in textured if not np.allclose(a[i].part.uv, b[i].part.uv)]
    shaded = [i for i in textured if a[i].color != b[i].color]
    assert len(moved) == len(textured) and shaded  # another variant, another wear


def test_facades_shift_along_the_wall_only_and_a_building_has_one_plaster():
    parts = _static()
    worn = vary_surfaces(parts, derive_rng(3, 2, "appearance/world"))
    tints: dict[str, set] = {}
    for before, after in zip(parts, worn, strict=True):
        if before.texture not in FACADES:
            continue
        shift = after.part.uv - before.part.uv
        assert np.allclose(shift[:, 1], 0.0)  # storeys stay on their floors
        assert np.allclose(shift[:, 0], shift[0, 0])  # one offset along the wall
        ratio = tuple(np.round(np.asarray(after.color) / np.asarray(before.color), 6))
        tints.setdefault(before.part.key.rsplit("/", 1)[0], set()).add(ratio)
    assert len(tints) > 3
    assert all(len(t) == 1 for t in tints.values())  # ground storey and upper storeys match
    assert len({next(iter(t)) for t in tints.values()}) > 1  # buildings differ


def test_paint_finish_is_drawn_per_car_and_keeps_the_body_with_the_chrome():
    actors = [(f"car{i}", "vehicle") for i in range(40)] + [("walker", "pedestrian")]
    one = draw_appearance(11, 0, actors)
    assert one == draw_appearance(11, 0, actors)
    finishes = [one.finish(f"car{i}", "body", (0.0, 0.0)) for i in range(40)]
    assert all(0.2 <= r <= 0.6 and METAL < m <= 0.95 for r, m in finishes)
    assert any(m >= 0.85 for _, m in finishes) and any(m < 0.85 for _, m in finishes)
    assert one.finish("walker", "body", (0.9, 0.0)) == (0.9, 0.0)  # only paint is drawn


def test_buses_wear_a_livery_and_cars_the_road_palette():
    """Buses are never black (a third of cars are black or dark grey) and some are yellow or
    orange (no car is)."""
    actors = [(f"v{i}", "vehicle") for i in range(400)]
    buses = frozenset(f"v{i}" for i in range(200))
    drawn = draw_appearance(5, 1, actors, buses=buses)
    colors = {name: np.asarray(drawn.color(name, "body", (0.0, 0.0, 0.0))) for name, _ in actors}

    def dark(c: np.ndarray) -> bool:
        return bool(c.max() < 0.12)

    def yellow(c: np.ndarray) -> bool:
        return bool(c[0] > 0.5 and c[1] > 0.2 and c[2] < 0.15)

    assert not any(dark(colors[b]) for b in buses) and sum(yellow(colors[b]) for b in buses) > 20
    cars = [c for name, c in colors.items() if name not in buses]
    assert not any(yellow(c) for c in cars) and sum(dark(c) for c in cars) > 20


def test_crowns_wear_leaves_on_the_trees_own_triangles():
    """A tree's leaves are textured at the foliage's real size, on exactly the triangles the
    asset places (the lidar and the labels see the same crown)."""
    instance = sample(load_scenario(GALLERY).scenario, 0)
    static = next(simulate(instance)).static
    trees = [i for i, obj in enumerate(static.objects) if obj.model == "tree"]
    assert trees
    parts = {p.part.key: p for p in static_placements(static, street_lights_on=False)}
    leaves = asset_parts("tree")["leaves"]
    for index in trees:
        obj = static.objects[index]
        crown = parts[f"static/{index}/foliage"]
        assert crown.texture == "foliage" and crown.part.uv is not None
        c, s = np.cos(obj.yaw), np.sin(obj.yaw)
        turn = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]) * np.asarray(obj.scale)
        placed = leaves.vertices[leaves.faces] @ turn.T + np.asarray(obj.position)
        assert np.allclose(crown.part.vertices[crown.part.faces], placed)
        # every triangle's texture coordinates are two of its world coordinates over 2 m
        for face in crown.part.faces:
            tri, uv = crown.part.vertices[face], crown.part.uv[face] * 2.0
            assert any(np.allclose(uv, tri[:, pair]) for pair in ((1, 2), (0, 2), (0, 1)))
