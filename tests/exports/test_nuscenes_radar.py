"""Radar scans in the native dataset and the nuScenes export, read back by nuscenes-devkit."""

import numpy as np
import pytest

from simgen.dataset.layout import RADAR_DTYPE
from simgen.dataset.reader import find_variants
from simgen.exports.nuscenes_radar import radar_channel
from simgen.exports.registry import export
from simgen.scenario.models import Mount
from simgen.sensors.rig import mount_transform
from tests.conftest import render_text

SCENE = """
version: 1
name: radar_exp
seed: 3
duration: 0.3
frame_rate: 10
road: {length: 200, lanes: 2, oncoming_lanes: 1}
ego:
  lane: 0
  s: 20
  speed: 15
  sensors:
    - {name: cam_front, type: camera, width: 96, height: 54, outputs: [rgb, instance],
       mount: {xyz: [1.5, 0, 1.6]}}
    - {name: radar_front, type: radar, preset: ars408_far, mount: {xyz: [2.3, 0, 0.5]}}
    - {name: radar_left, type: radar, preset: srr308,
       mount: {xyz: [2.0, 0.8, 0.5], rpy: [0, 0, 60]}}
actors:
  - {name: lead, model: truck, lane: 0, s: 50, speed: 10}
  - {name: walker, model: pedestrian, offset: -6.0, s: 40}
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return render_text(tmp_path_factory.mktemp("radar"), SCENE)


def test_the_native_dataset_holds_typed_radar_targets_with_object_ids(dataset):
    (variant,) = find_variants(dataset)
    assert variant.radars() == ["radar_front", "radar_left"]
    assert variant.radar("radar_left").pattern.azimuth_fov == 150.0
    frame = next(variant.frames())
    targets = frame.radar("radar_front")
    assert targets.dtype == RADAR_DTYPE
    lead = next(o for o in frame.labels.objects if o.name == "lead")
    mine = targets[targets["instance"] == lead.id]
    assert len(mine) and np.all(mine["semantic"] == 12)  # truck
    # the truck drives away from the ego at 10 - 15 = -5 m/s along the boresight
    assert np.median(mine["vr"]) == pytest.approx(-5.0, abs=0.2)
    assert np.median(mine["vr_comp"]) == pytest.approx(10.0, abs=0.2)


def test_nuscenes_devkit_reads_the_radar_channels(dataset, tmp_path):
    from nuscenes.nuscenes import NuScenes
    from nuscenes.utils.data_classes import RadarPointCloud

    assert export(dataset, "nuscenes", tmp_path) == 3
    nusc = NuScenes(version="v1.0-simgen", dataroot=str(tmp_path), verbose=False)
    sample = nusc.sample[0]
    assert {"RADAR_FRONT", "RADAR_FRONT_LEFT"} <= set(sample["data"])
    (variant,) = find_variants(dataset)
    native = next(variant.frames()).radar("radar_front")
    record = nusc.get("sample_data", sample["data"]["RADAR_FRONT"])
    assert record["fileformat"] == "pcd"
    cloud = RadarPointCloud.from_file(nusc.get_sample_data_path(record["token"]))
    assert cloud.points.shape == (18, len(native))
    x, _, _, _, _, rcs, vx, vy, vx_comp, vy_comp = cloud.points[:10]
    assert np.allclose(x, native["x"]) and np.allclose(rcs, native["rcs"])
    assert np.allclose(np.hypot(vx_comp, vy_comp), np.abs(native["vr_comp"]), atol=1e-4)
    assert np.allclose(np.hypot(vx, vy), np.abs(native["vr"]), atol=1e-4)
    calibrated = nusc.get("calibrated_sensor", record["calibrated_sensor_token"])
    assert calibrated["translation"] == pytest.approx([2.3, 0.0, 0.5])
    lead = next(a for a in nusc.sample_annotation if a["size"][1] > 6)
    assert lead["num_radar_pts"] > 0


def test_an_empty_scan_is_the_devkits_empty_cloud(tmp_path):
    from nuscenes.utils.data_classes import RadarPointCloud

    from simgen.exports.nuscenes_radar import radar_pcd
    from simgen.scenario.radar_presets import PRESETS

    path = tmp_path / "empty.pcd"
    path.write_bytes(radar_pcd(np.zeros(0, RADAR_DTYPE), PRESETS["ars408_far"]))
    assert RadarPointCloud.from_file(str(path)).points.shape == (18, 0)


@pytest.mark.parametrize(
    ("yaw", "channel"),
    [(0, "RADAR_FRONT"), (60, "RADAR_FRONT_LEFT"), (-90, "RADAR_FRONT_RIGHT"),
     (150, "RADAR_BACK_LEFT"), (-170, "RADAR_BACK_RIGHT")],
)  # fmt: skip
def test_radar_channels_follow_the_mount_yaw(yaw, channel):
    mount = mount_transform(Mount(rpy=(0, 0, yaw)))
    assert radar_channel(mount, "r", set()) == channel
    assert radar_channel(mount, "r", {channel}) == "RADAR_R"
