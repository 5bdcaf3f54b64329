"""The world: roads, assets, actors with behaviours and PyBullet physics, seen as WorldStates."""
