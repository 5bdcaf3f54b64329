"""``simgen view``: one variant as a rerun recording (``.rrd``), to inspect a sequence in 3D.

The recording has a ``frame`` timeline (and ``time`` in seconds) and, in the world frame: the
ego's pose and trajectory, every object's 3D box labelled with its class and track id, each
lidar's points coloured by class, and each camera as a pinhole with its image and 2D boxes.
Needs the ``rerun`` extra (``pip install 'simgen[rerun]'``); it fails with that message if not.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from simgen.core.classes import CLASSES
from simgen.dataset.reader import DatasetError, open_dataset

CLASS_IDS = {c.name: c.id for c in CLASSES}


def _rerun():
    try:
        import rerun
    except ImportError:
        raise DatasetError(
            "simgen view needs the rerun SDK: pip install 'simgen[rerun]' (or rerun-sdk)"
        ) from None
    return rerun


def export_rrd(
    root: str | Path, out: str | Path, scenario: str | None = None, variant: int = 0
) -> Path:
    rr = _rerun()
    chosen = open_dataset(root).variant(scenario, variant)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    rec = rr.RecordingStream("simgen", recording_id=chosen.key)
    rec.save(tmp)
    try:
        rec.log(
            "world",
            rr.AnnotationContext([(c.id, c.name, c.color) for c in CLASSES]),
            static=True,
        )
        rec.log("world", rr.ViewCoordinates.RIGHT_HAND_Z_UP, static=True)
        trajectory = []
        for frame in chosen.frames():
            labels = frame.labels
            rec.set_time("frame", sequence=frame.index)
            rec.set_time("time", duration=frame.time)
            pose = labels.pose()
            trajectory.append(pose[:3, 3])
            rec.log("world/ego", rr.Transform3D(translation=pose[:3, 3], mat3x3=pose[:3, :3]))
            rec.log("world/ego_trajectory", rr.LineStrips3D([np.array(trajectory)]))
            boxes = [o.boxes.world for o in labels.objects]
            classes = [CLASS_IDS[o.semantic_class] for o in labels.objects]
            rec.log(
                "world/objects",
                rr.Boxes3D(
                    centers=[b.center for b in boxes],
                    half_sizes=[np.asarray(b.size) / 2 for b in boxes],
                    quaternions=[rr.Quaternion(xyzw=b.rotation) for b in boxes],
                    class_ids=classes,
                    labels=[f"{o.semantic_class} {o.id}" for o in labels.objects],
                ),
            )
            for name, calib in chosen.calibration.lidars.items():
                m = calib.ego_from_lidar
                rec.log(f"world/ego/{name}", rr.Transform3D(translation=m[:3, 3], mat3x3=m[:3, :3]))
                points = frame.lidar(name)
                xyz = np.stack([points["x"], points["y"], points["z"]], axis=1)
                rec.log(f"world/ego/{name}/points", rr.Points3D(xyz, class_ids=points["semantic"]))
            for name, calib in chosen.calibration.cameras.items():
                if not chosen.has_output(name, "rgb"):
                    continue
                m = calib.ego_from_camera
                rec.log(f"world/ego/{name}", rr.Transform3D(translation=m[:3, 3], mat3x3=m[:3, :3]))
                rec.log(
                    f"world/ego/{name}",
                    rr.Pinhole(image_from_camera=calib.K, width=calib.width, height=calib.height),
                )
                rec.log(f"world/ego/{name}/image", rr.Image(frame.rgb(name)))
                seen = [(o, o.cameras[name]) for o in labels.objects if name in o.cameras]
                seen = [(o, v) for o, v in seen if v.visible_box is not None]
                rec.log(
                    f"world/ego/{name}/image/boxes",
                    rr.Boxes2D(
                        array=[v.visible_box for _, v in seen],
                        array_format=rr.Box2DFormat.XYXY,
                        class_ids=[CLASS_IDS[o.semantic_class] for o, _ in seen],
                        labels=[f"{o.semantic_class} {o.id}" for o, _ in seen],
                    ),
                )
        rec.flush()
        rec.disconnect()
        os.chmod(tmp, 0o644)  # mkstemp makes private files; recordings are meant to be shared
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
