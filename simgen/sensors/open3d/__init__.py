"""The lidar back end: Open3D ray casting."""
