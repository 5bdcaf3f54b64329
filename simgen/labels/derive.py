"""Per-frame labels from one WorldState and the frames rendered from it (the same instant).

3D boxes come from the world state (exact poses and catalog dimensions). What each sensor saw
comes from its own outputs: visible boxes and pixels from the instance mask, points from the
lidar's per-point ids; the unoccluded silhouette for visibility is rasterised from the object's
mesh alone. Objects no sensor sees stay in the labels, flagged ``visible: false``. People and
riders also get their COCO keypoints: 3D in the world, and per camera with a visibility flag.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy.ndimage import find_objects

from simgen.core.geometry import box_corners, quat_from_matrix
from simgen.labels.keypoints import camera_keypoints
from simgen.labels.schema import (
    Box3D,
    CameraView,
    FrameBoxes,
    FrameLabels,
    Keypoint,
    ObjectLabel,
    SignalLabel,
)
from simgen.labels.visibility import (
    Piece,
    amodal_box,
    convex_pieces,
    kitti_occlusion,
    silhouette_pixels,
)
from simgen.sensors.frames import CameraFrame, RadarFrame
from simgen.sensors.joints import actor_joints
from simgen.sensors.lens import render_calibration
from simgen.sensors.pose import PoseKey
from simgen.sensors.rig import Calibrations, CameraCalibration
from simgen.sensors.scene import actor_pose, asset_placements, body_extent
from simgen.sensors.signal_heads import head_box, head_mesh, head_transform
from simgen.world.events import phase_of
from simgen.world.signal_layout import SignalPlacement
from simgen.world.signals import SignalState, signal_name
from simgen.world.state import ActorState, WorldState


def box_transform(actor: ActorState) -> tuple[np.ndarray, tuple[float, float, float]]:
    """World pose of the actor's label box (origin at its bottom centre) and its size: the
    catalog box for rigid actors, the posed body's extent for articulated ones."""
    (dx, dy), size = body_extent(actor)
    transform = actor.transform()
    if dx or dy:
        transform[:3, 3] += transform[:3, :3] @ np.array([dx, dy, 0.0])
    return transform, size


def box_in(frame_from_world: np.ndarray, actor: ActorState) -> Box3D:
    """The actor's box expressed in another frame."""
    return box_of(frame_from_world, *box_transform(actor))


def box_of(
    frame_from_world: np.ndarray, world_from_box: np.ndarray, size: tuple[float, float, float]
) -> Box3D:
    """A box (world pose of its bottom centre, size) expressed in another frame."""
    pose = frame_from_world @ world_from_box
    center = pose @ np.array([0.0, 0.0, size[2] / 2, 1.0])
    rot = pose[:3, :3]
    return Box3D(
        tuple(float(c) for c in center[:3]),  # type: ignore[arg-type]
        size,
        quat_from_matrix(rot),
        float(np.arctan2(rot[1, 0], rot[0, 0])),
    )


def mask_boxes(instance: np.ndarray) -> dict[int, tuple[tuple[int, int, int, int], int]]:
    """Tight box and pixel count of every id > 0 in an instance mask: one C pass finds the
    boxes (any integer dtype, no copy), then each id's pixels are counted inside its box only."""
    out: dict[int, tuple[tuple[int, int, int, int], int]] = {}
    for index, found in enumerate(find_objects(instance)):
        if found is None:
            continue
        rows, cols = found
        box = (int(cols.start), int(rows.start), int(cols.stop) - 1, int(rows.stop) - 1)
        out[index + 1] = (box, int(np.count_nonzero(instance[found] == index + 1)))
    return out


@lru_cache(maxsize=2048)
def _mesh(model: str, key: PoseKey | None) -> tuple[np.ndarray, np.ndarray, tuple[Piece, ...]]:
    """An asset's parts, posed, as one mesh in its own frame, with its convex pieces."""
    parts = asset_placements(model, key)
    vertices, faces, offset = [], [], 0
    for p in parts:
        vertices.append(p.part.vertices)
        faces.append(p.part.faces + offset)
        offset += len(p.part.vertices)
    v, f = np.concatenate(vertices), np.concatenate(faces)
    return v, f, _pieces(model) if key is not None else convex_pieces(v, f)


@lru_cache(maxsize=256)
def _pieces(model: str) -> tuple[Piece, ...]:
    """Convex pieces found once on the rest pose: each lies on one bone, so every pose moves it
    rigidly and it stays convex."""
    return _mesh(model, None)[2]


def camera_view(
    actor: ActorState,
    camera_from_world: np.ndarray,
    calib: CameraCalibration,
    seen: tuple[tuple[int, int, int, int], int] | None,
    pinhole_seen: int | None = None,
    keypoints: tuple[Keypoint, ...] | None = None,
    box: tuple[np.ndarray, tuple[float, float, float]] | None = None,
) -> CameraView:
    """What one camera sees of an actor (``object_view``); ``box``: its ``box_transform``."""
    return object_view(
        box_transform(actor) if box is None else box,
        actor.body_transform(),
        lambda: _mesh(actor.model, actor_pose(actor)),
        camera_from_world,
        calib,
        seen,
        pinhole_seen,
        keypoints,
    )


def object_view(
    box: tuple[np.ndarray, tuple[float, float, float]],
    world_from_mesh: np.ndarray,
    mesh: Callable[[], tuple[np.ndarray, np.ndarray, tuple[Piece, ...]]],
    camera_from_world: np.ndarray,
    calib: CameraCalibration,
    seen: tuple[tuple[int, int, int, int], int] | None,
    pinhole_seen: int | None = None,
    keypoints: tuple[Keypoint, ...] | None = None,
) -> CameraView:
    """What one camera sees of an object: its box (world pose of the bottom centre, size) and
    its mesh (asked for only when the box is in view). A distorted camera's silhouette is
    counted on its pinhole render (``pinhole_seen`` pixels of the object there), where straight
    edges stay straight; visibility is the ratio of the two counts, both on that canvas."""
    render = render_calibration(calib)
    world_from_box, size = box
    box_to_cam = camera_from_world @ world_from_box
    corners = box_corners(size) @ box_to_cam[:3, :3].T + box_to_cam[:3, 3]
    region, truncation = amodal_box(render.K, corners, render.width, render.height)
    unoccluded = 0
    if region is not None:
        to_cam = camera_from_world @ world_from_mesh
        vertices, faces, pieces = mesh()
        unoccluded = silhouette_pixels(
            render.K,
            vertices @ to_cam[:3, :3].T + to_cam[:3, 3],
            faces,
            render.width,
            render.height,
            region=region,
            pieces=pieces,
        )
    image_box = region
    visible = seen[1] if seen else 0
    counted = visible
    if render is not calib:  # through the lens: the image's own box, the render's counts
        image_box, truncation = amodal_box(
            calib.K, corners, calib.width, calib.height, calib.distortion
        )
        counted = pinhole_seen or 0
        if counted and unoccluded:
            unoccluded = round(unoccluded * visible / counted)  # in the image's pixels
    visibility = min(1.0, counted / unoccluded) if unoccluded else (1.0 if counted else 0.0)
    return CameraView(
        amodal_box=image_box,
        visible_box=seen[0] if seen else None,
        visible_pixels=visible,
        unoccluded_pixels=unoccluded,
        visibility=float(visibility),
        truncation=truncation,
        kitti_occlusion=kitti_occlusion(visibility) if unoccluded or visible else 3,
        keypoints=keypoints,
    )


def derive(
    state: WorldState,
    frames: dict[str, CameraFrame | np.ndarray | RadarFrame],
    calibrations: Calibrations,
    faults: dict[str, tuple[str, ...]] | None = None,
) -> FrameLabels:
    world_from_ego = state.ego.transform()
    ego_from_world = np.linalg.inv(world_from_ego)
    sensor_from_world = {
        name: np.linalg.inv(world_from_ego @ c.ego_from_camera)
        for name, c in calibrations.cameras.items()
    } | {
        name: np.linalg.inv(world_from_ego @ c.ego_from_lidar)
        for name, c in calibrations.lidars.items()
    }
    seen: dict[str, dict[int, tuple[tuple[int, int, int, int], int]]] = {}
    pinhole: dict[str, dict[int, int]] = {}  # distorted cameras: pixels per id as rendered
    points: dict[str, dict[int, int]] = {}
    for name, data in frames.items():
        if isinstance(data, CameraFrame):
            if data.instance is not None:
                seen[name] = mask_boxes(data.instance)
            if data.pinhole_instance is not None:
                counts = np.bincount(data.pinhole_instance.ravel())
                pinhole[name] = {i: int(c) for i, c in enumerate(counts) if i and c}
        elif isinstance(data, np.ndarray):  # a lidar sweep (radar scans are not labelled here)
            ids, counts = np.unique(data["instance"], return_counts=True)
            points[name] = {int(i): int(c) for i, c in zip(ids, counts, strict=True) if i > 0}
    objects = []
    for actor in state.actors[1:]:
        joints = actor_joints(actor)
        box = box_transform(actor)  # once per actor: every frame's box and view start from it
        boxes = FrameBoxes(
            world=box_of(np.eye(4), *box),
            ego=box_of(ego_from_world, *box),
            sensors={name: box_of(m, *box) for name, m in sensor_from_world.items()},
        )
        cameras: dict[str, CameraView] = {}
        for name, c in calibrations.cameras.items():
            image = frames.get(name)
            if name not in seen or not isinstance(image, CameraFrame):
                continue
            cameras[name] = camera_view(
                actor,
                sensor_from_world[name],
                c,
                seen[name].get(actor.id),
                pinhole[name].get(actor.id) if name in pinhole else None,
                None
                if joints is None
                else camera_keypoints(joints, actor.id, sensor_from_world[name], c, image),
                box,
            )
        lidar = {name: p.get(actor.id, 0) for name, p in points.items()}
        objects.append(
            ObjectLabel(
                id=actor.id,
                name=actor.name,
                semantic_class=actor.semantic_class,
                model=actor.model,
                boxes=boxes,
                velocity=actor.velocity,
                angular_velocity=actor.angular_velocity,
                moving=actor.speed > 0.1,
                crashed=actor.crashed,
                headlights=actor.lights.headlights,
                brake_lights=actor.lights.brake_lights,
                cameras=cameras,
                lidar_points=lidar,
                visible=any(v.visible_pixels for v in cameras.values()) or any(lidar.values()),
                joints=None
                if joints is None
                else tuple((float(x), float(y), float(z)) for x, y, z in joints.points),
            )
        )
    objects += [signal_label(signal, frames, calibrations, ego_from_world, sensor_from_world,
                             seen, pinhole, points) for signal in state.signals]  # fmt: skip
    return FrameLabels(
        frame=state.frame,
        time=state.time,
        world_from_ego=tuple(
            (float(a), float(b), float(c), float(d)) for a, b, c, d in world_from_ego
        ),
        ego_velocity=state.ego.velocity,
        ego_angular_velocity=state.ego.angular_velocity,
        objects=tuple(objects),
        events=tuple(state.events),
        faults={name: tuple(f) for name, f in (faults or {}).items() if f},
        storyboard=tuple(phase_of(record) for record in state.storyboard),
    )


@lru_cache(maxsize=256)
def _head(placement: SignalPlacement) -> tuple[np.ndarray, np.ndarray, tuple[Piece, ...]]:
    vertices, faces = head_mesh(placement)
    with np.errstate(invalid="ignore", divide="ignore"):  # a sign's face is flat: no volume
        return vertices, faces, convex_pieces(vertices, faces)


def signal_label(
    signal: SignalState,
    frames: dict[str, CameraFrame | np.ndarray | RadarFrame],
    calibrations: Calibrations,
    ego_from_world: np.ndarray,
    sensor_from_world: dict[str, np.ndarray],
    seen: dict[str, dict[int, tuple[tuple[int, int, int, int], int]]],
    pinhole: dict[str, dict[int, int]],
    points: dict[str, dict[int, int]],
) -> ObjectLabel:
    """A traffic light or sign as an object: its head's box, views and lidar points, and what
    it is and shows."""
    p = signal.placement
    box = head_box(p)
    cameras = {
        name: object_view(
            box,
            head_transform(p),
            lambda: _head(p),
            sensor_from_world[name],
            c,
            seen[name].get(signal.id),
            pinhole[name].get(signal.id) if name in pinhole else None,
        )
        for name, c in calibrations.cameras.items()
        if name in seen and isinstance(frames.get(name), CameraFrame)
    }
    lidar = {name: hits.get(signal.id, 0) for name, hits in points.items()}
    return ObjectLabel(
        id=signal.id,
        name=f"signal_{p.id}",
        semantic_class=p.kind,
        model=f"{p.kind}_{p.code}",
        boxes=FrameBoxes(
            world=box_of(np.eye(4), *box),
            ego=box_of(ego_from_world, *box),
            sensors={name: box_of(m, *box) for name, m in sensor_from_world.items()},
        ),
        velocity=(0.0, 0.0, 0.0),
        angular_velocity=(0.0, 0.0, 0.0),
        moving=False,
        crashed=False,
        headlights=False,
        brake_lights=False,
        cameras=cameras,
        lidar_points=lidar,
        visible=any(v.visible_pixels for v in cameras.values()) or any(lidar.values()),
        signal=SignalLabel(
            code=p.code,
            subtype=p.subtype,
            name=signal_name(p.code),
            state=signal.state,
            value=p.value,
            controller=p.controller,
            source_id=p.id,
        ),
    )
