"""Sensors: read a WorldState snapshot, return arrays. They never call PyBullet."""
