import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EDGE_CASES = sorted((ROOT / "scenarios" / "edge_cases").glob("*.yaml"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


# `HYPOTHESIS_PROFILE=thorough pytest` digs deeper than the default CI run.
settings.register_profile("default", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def render_text(root: Path, text: str, exports: bool = False) -> Path:
    """Render every variant of a scenario given as text into ROOT/native (and its exports)."""
    from simgen.batch import plan_shards, run_shard
    from simgen.pipeline.render import export_requested

    path = root / "scene.yaml"
    path.write_text(text)
    shards = plan_shards([path], root / "native")
    for shard in shards:
        run_shard(shard)
    if exports:  # what output.formats asks for
        export_requested({s.name: s.formats for s in shards if s.formats}, root / "native")
    return root / "native"


def shrink(scenario, width: int = 96, height: int = 54, lidar_resolution: float = 2.0):
    """The same scenario seen by small sensors: fast tests of everything but resolution."""
    sensors = []
    for s in scenario.ego.sensors:
        if s.type == "camera":
            s = s.model_copy(update={"width": width, "height": height})
        elif s.type == "lidar":
            s = s.model_copy(update={"horizontal_resolution": lidar_resolution})
        sensors.append(s)
    return scenario.model_copy(update={"ego": scenario.ego.model_copy(update={"sensors": sensors})})
