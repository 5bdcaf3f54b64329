"""A street with people and riders close enough to judge keypoints: shared by the keypoint
label and export tests. People stand, cross (one passes behind another), a cyclist rides away
and a motorcyclist comes towards the camera."""

SCENE = """
version: 1
name: kp
seed: 11
duration: 1.0
frame_rate: 2
variants: 1
road: {length: 120, lanes: 2, oncoming_lanes: 1, lane_width: 3.2, sidewalk_width: 3.0}
environment: {sun: {elevation: 45, azimuth: 120}}
ego:
  model: sedan
  lane: 1
  s: 20
  speed: 0
  behavior: [{action: parked}]
  sensors:
    - {name: cam, type: camera, width: 640, height: 360, fov: 70, mount: {xyz: [1.5, 0, 1.5]},
       outputs: [rgb, depth, semantic, instance]}
actors:
  - {name: standing, model: pedestrian, offset: -5.5, s: 31}
  - {name: kerb, model: pedestrian, offset: 6.5, s: 32}
  - {name: crossing, model: pedestrian, offset: -6.0, s: 30,
     behavior: [{at: 0.0, action: cross, speed: 1.5}]}
  - {name: behind, model: pedestrian, offset: 5.5, s: 34,
     behavior: [{at: 0.0, action: cross, speed: 1.3}]}
  - {name: kid, model: child, offset: -6.0, s: 29,
     behavior: [{at: 0.2, action: cross, speed: 1.2}]}
  - {name: cyclist, model: bicycle, lane: 0, s: 28, speed: 4, behavior: [{action: lane_follow}]}
  - {name: biker, model: motorcycle, lane: -1, s: 36, speed: 4,
     behavior: [{action: lane_follow}]}
"""
