"""The brute-force reference the road users' casting is held to: every body posed in the world
and merged into one mesh, as the lidar and the radar once rebuilt it every sweep."""

import numpy as np

from simgen.sensors.open3d.lidar import Body, _concat, _Mesh


def merge_bodies(placed: list[tuple[Body, np.ndarray]]) -> _Mesh:
    """Posed road users as one mesh with per-triangle ids and materials."""
    verts, tris, inst, sem, refl = [], [], [], [], []
    offset = 0
    for body, pose in placed:
        mesh = body.mesh
        verts.append(mesh.vertices @ pose[:3, :3].T + pose[:3, 3])
        tris.append(mesh.triangles + offset)
        inst.append(np.full(len(mesh.triangles), body.instance_id, np.uint16))
        sem.append(mesh.semantic)
        refl.append(mesh.reflectivity)
        offset += len(mesh.vertices)
    return _concat(verts, tris, inst, sem, refl)
