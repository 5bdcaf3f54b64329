"""ASAM OpenDRIVE maps: read an .xodr file, evaluate its roads and lanes, build its meshes.

``load_opendrive(path)`` gives an ``OpenDriveMap``; malformed files raise ``OpenDriveError``
(``FILE:LINE: message``) and unsupported elements are listed in ``map.unsupported``.
"""

from simgen.world.opendrive.errors import OpenDriveError
from simgen.world.opendrive.junctions import Connection, Controller, Junction, LaneRef
from simgen.world.opendrive.lanes import Lane, LaneSection, RoadMark
from simgen.world.opendrive.network import OpenDriveMap, load_opendrive
from simgen.world.opendrive.road import Link, Road

__all__ = [
    "Connection",
    "Controller",
    "Junction",
    "Lane",
    "LaneRef",
    "LaneSection",
    "Link",
    "OpenDriveError",
    "OpenDriveMap",
    "Road",
    "RoadMark",
    "load_opendrive",
]
