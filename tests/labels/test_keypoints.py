"""People keypoints: COCO's 17 joints sit in the posed bodies, on the person's own sides, project
to the labelled pixels, and what the labels call visible is what the camera shows."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import ConvexHull

from simgen.core.keypoints import COCO_KEYPOINTS, NUM_KEYPOINTS, OCCLUDED, OUTSIDE, VISIBLE
from simgen.dataset.reader import open_dataset
from simgen.labels.schema import FrameLabels
from simgen.sensors.joints import FACE, body_joints, has_keypoints
from simgen.sensors.lens import project
from simgen.sensors.pose import PHASES, RIDE_PHASES, STANDING_STYLES, PoseKey
from simgen.sensors.scene import posed_parts
from tests.conftest import render_text
from tests.keypoint_scene import SCENE

# each limb keypoint and the body parts (posed) it must lie inside
INSIDE = {
    "shoulder": ("top.upper_arm",),
    "elbow": ("top.upper_arm", "sleeve.lower_arm"),
    "wrist": ("sleeve.lower_arm", "skin.hand"),
    "hip": ("bottom.thigh", "bottom.torso"),
    "knee": ("bottom.thigh", "shin.shin"),
    "ankle": ("shin.shin", "shoes.foot"),
}

POSES = {
    "pedestrian": [PoseKey("walk", p, 24) for p in range(0, PHASES, 3)]
    + [PoseKey("stand", s, 0) for s in range(STANDING_STYLES)],
    "child": [PoseKey("walk", p, 27) for p in range(0, PHASES, 4)] + [PoseKey("stand", 3, 0)],
    "bicycle": [PoseKey("ride", p, 0) for p in range(0, RIDE_PHASES, 3)],
    "motorcycle": [PoseKey("ride", 0, w) for w in (0, 5)],
}


def _inside_hull(parts, names, point) -> bool:
    """Inside the convex hull of these parts' vertices (each part is convex: a limb, a loft)."""
    hull = ConvexHull(np.concatenate([parts[n].vertices for n in names]))
    return bool((hull.equations[:, :3] @ point + hull.equations[:, 3] <= 1e-9).all())


@pytest.mark.parametrize("model", sorted(POSES))
def test_every_keypoint_lies_inside_the_posed_body_part_it_names(model):
    """Joints come from the bones, face points from the head: in every pose each keypoint is
    inside the mesh the cameras draw around it (a wrong bone or a missing lift puts it out)."""
    assert has_keypoints(model) and not has_keypoints("sedan")
    for key in POSES[model]:
        parts = posed_parts(model, key)
        joints = body_joints(model, key)
        assert joints.points.shape == (NUM_KEYPOINTS, 3)
        for index, name in enumerate(COCO_KEYPOINTS):
            point = joints.points[index]
            if name in FACE:
                inside = _inside_hull(parts, ["skin.head"], point)
            else:
                side, joint = name.split("_", 1)
                suffix = "_l" if side == "left" else "_r"
                inside = any(
                    _inside_hull(parts, [p + suffix if p != "bottom.torso" else p], point)
                    for p in INSIDE[joint]
                )
            assert inside, f"{model} {key.tag()}: {name} at {point} is outside its body part"
            assert 0.0 < joints.radii[index] < 0.15  # a dressed thigh is the thickest


def test_left_is_the_persons_left_and_the_face_looks_forward():
    """Asset frame: x forward, y left. COCO's left is the person's own."""
    for model, keys in POSES.items():
        points = body_joints(model, keys[0]).points
        named = dict(zip(COCO_KEYPOINTS, points, strict=True))
        for joint in ("eye", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
            assert named[f"left_{joint}"][1] > named[f"right_{joint}"][1], (model, joint)
        assert named["nose"][0] > named["left_ear"][0] and named["nose"][0] > named["right_ear"][0]
        assert named["left_eye"][2] > named["nose"][2] > named["left_shoulder"][2]
        assert named["left_shoulder"][2] > named["left_hip"][2] > named["left_ankle"][2]


def test_a_rider_holds_the_bars_and_sits_with_feet_on_the_pedals():
    from simgen.world.assets import load_catalog

    entry = load_catalog()["bicycle"]
    bars = np.asarray(entry.skeleton["bars"].pivot)
    for key in POSES["bicycle"]:
        named = dict(zip(COCO_KEYPOINTS, body_joints("bicycle", key).points, strict=True))
        # hands reach the grips (the arm's two-link reach is aimed a few cm short of them)
        assert abs(named["left_wrist"][0] - bars[0]) < 0.1
        assert named["left_hip"][2] > named["left_knee"][2] - 0.1 > named["left_ankle"][2] - 0.1
        crank = np.asarray(entry.skeleton["crank"].pivot)
        for side in ("left", "right"):
            reach = np.linalg.norm(named[f"{side}_ankle"][[0, 2]] - crank[[0, 2]])
            assert reach < 0.17 + 0.07 + 0.02  # crank radius + the foot's height over the pedal


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return open_dataset(render_text(tmp_path_factory.mktemp("kp"), SCENE))


@pytest.fixture(scope="module")
def barrel(tmp_path_factory):
    """The same street through a barrel lens: keypoints go through the lens like the masks."""
    lens = "fov: 70, distortion: [-0.25, 0.05, 0, 0, 0],"
    text = SCENE.replace("fov: 70,", lens)
    assert lens in text
    return open_dataset(render_text(tmp_path_factory.mktemp("kp_lens"), text))


def _people(labels: FrameLabels, camera: str):
    for obj in labels.objects:
        view = obj.cameras.get(camera)
        if view is not None and view.keypoints is not None:
            yield obj, view


def test_only_people_and_riders_carry_keypoints_and_others_keep_their_old_json(rendered):
    variant = next(iter(rendered))
    for frame in variant.frames():
        labels = frame.labels
        raw = frame.variant.file(f"labels/{frame.index:06d}.json").read_text()
        assert raw.count('"joints"') == sum(o.joints is not None for o in labels.objects)
        for obj in labels.objects:
            posed = obj.semantic_class in ("person", "bicycle", "motorcycle")
            assert (obj.joints is not None) == posed, obj.name
            for view in obj.cameras.values():
                assert (view.keypoints is not None) == posed
                assert view.keypoints is None or len(view.keypoints) == NUM_KEYPOINTS
        assert FrameLabels.from_json(labels.to_json()) == labels


@pytest.mark.parametrize("source", ["rendered", "barrel"])
def test_world_joints_project_to_the_labelled_pixels(source, request):
    variant = next(iter(request.getfixturevalue(source)))
    calib = variant.camera("cam")
    for frame in variant.frames():
        camera_from_world = np.linalg.inv(frame.labels.pose() @ calib.ego_from_camera)
        for obj, view in _people(frame.labels, "cam"):
            world = np.asarray(obj.joints)
            cam = world @ camera_from_world[:3, :3].T + camera_from_world[:3, 3]
            uv = project(calib, cam)
            flags = np.array([k.visibility for k in view.keypoints])
            labelled = np.array([(k.u, k.v) for k in view.keypoints])
            inside = (uv >= -0.5).all(1) & (uv[:, 0] < calib.width - 0.5)
            inside &= uv[:, 1] < calib.height - 0.5
            np.testing.assert_array_equal(flags > OUTSIDE, inside & (cam[:, 2] > 0.05))
            np.testing.assert_allclose(labelled[flags > 0], uv[flags > 0], atol=1e-9)
            assert (labelled[flags == OUTSIDE] == 0).all()
            # the person's own left: along the world box's +y (it faces its +x)
            box = obj.boxes.world
            left = np.array([-np.sin(box.yaw), np.cos(box.yaw), 0.0])
            for joint in ("shoulder", "hip"):
                a = COCO_KEYPOINTS.index(f"left_{joint}")
                b = COCO_KEYPOINTS.index(f"right_{joint}")
                assert (world[a] - world[b]) @ left > 0.1


@pytest.mark.parametrize("source", ["rendered", "barrel"])
def test_visible_keypoints_lie_in_their_persons_mask_and_hidden_ones_are_covered(source, request):
    """The acceptance test: at least 95 % of the keypoints labelled visible fall on their own
    person's pixels of the instance image; occluded ones are covered by something nearer."""
    dataset = request.getfixturevalue(source)
    inside = total = occluded = 0
    for variant in dataset:
        calib = variant.camera("cam")
        for frame in variant.frames():
            instance, depth = frame.instance("cam"), frame.depth("cam")
            camera_from_world = np.linalg.inv(frame.labels.pose() @ calib.ego_from_camera)
            for obj, view in _people(frame.labels, "cam"):
                cam = np.asarray(obj.joints) @ camera_from_world[:3, :3].T
                z = cam[:, 2] + camera_from_world[2, 3]
                for k, zk in zip(view.keypoints, z, strict=True):
                    col, row = int(np.floor(k.u + 0.5)), int(np.floor(k.v + 0.5))
                    if k.visibility == VISIBLE:
                        total += 1
                        inside += int(instance[row, col] == obj.id)
                    elif k.visibility == OCCLUDED:
                        occluded += 1
                        assert 0 < depth[row, col] < zk, (obj.name, k)
    assert total > 100 and occluded > 20  # people seen, some of their joints hidden
    print(f"{inside} of {total} visible keypoints on their person, {occluded} occluded")
    assert inside / total >= 0.95, f"{inside} of {total} visible keypoints on their person"


def test_torch_targets_read_the_label_keypoints(rendered):
    """``LabelKeypoints`` fills torchvision's (N, 17, 3) ``keypoints`` from the labels, in pixel
    edges like the boxes; kept to people and riders, every row is a person's."""
    from simgen.torch import DetectionOptions, LabelKeypoints, detection_target
    from simgen.torch.targets import class_table

    ids = {c.name: c.id for c in class_table(rendered)}
    options = DetectionOptions(classes=("person", "bicycle", "motorcycle"))
    frame = next(iter(rendered)).frame(0)
    target = detection_target(frame, "cam", options, ids, LabelKeypoints())
    assert target.keypoints.shape == (len(target.object_ids), NUM_KEYPOINTS, 3)
    assert len(target.object_ids) >= 5
    for object_id, rows in zip(target.object_ids, target.keypoints, strict=True):
        view = next(o for o in frame.labels.objects if o.id == object_id).cameras["cam"]
        for row, k in zip(rows, view.keypoints, strict=True):
            shown = (k.u + 0.5, k.v + 0.5, k.visibility) if k.visibility else (0.0, 0.0, 0.0)
            assert tuple(row) == pytest.approx(shown, abs=1e-4)
