"""Exports of a written dataset to the formats other tools read (KITTI, COCO, nuScenes),
registered by name in `simgen.exports.registry`. They read through simgen.dataset and never
render."""
