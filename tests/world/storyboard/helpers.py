"""Tiny storyboard scenes without sensors: a YAML scenario on a map, simulated step by step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from simgen.scenario.load import load_scenario
from simgen.scenario.sample import sample
from simgen.world.simulate import Simulation
from simgen.world.state import WorldState

ROOT = Path(__file__).resolve().parents[3]
STRAIGHT = ROOT / "scenarios" / "maps" / "straight_3lane.xodr"
TOWN = ROOT / "scenarios" / "maps" / "town_junction.xodr"
RATE = 240.0  # physics steps per second
DT = 1.0 / RATE


def story(events: list[dict], actors: list[str], **act: object) -> dict:
    """A storyboard of one story, one act (``act`` adds its triggers), one maneuver group."""
    return {
        "stories": [{
            "name": "story",
            "acts": [{
                "name": "act",
                "maneuver_groups": [{
                    "name": "group", "actors": actors,
                    "maneuvers": [{"name": "maneuver", "events": events}],
                }],
                **act,
            }],
        }],
    }  # fmt: skip


def at_time(value: float, rule: str = "greater_or_equal", **extra: object) -> list[dict]:
    return [{"conditions": [{"check": {"type": "simulation_time", "value": value, "rule": rule},
                             **extra}]}]  # fmt: skip


def event(name: str, trigger: list[dict], *actions: dict, **extra: object) -> dict:
    named = [{"name": f"{name}_{i}", "do": a} for i, a in enumerate(actions)]
    return {"name": name, "start_trigger": trigger, "actions": named, **extra}


def speed(target: float, shape: str = "step", dimension: str = "time", value: float = 0.0):
    dynamics = {"shape": shape, "dimension": dimension, "value": value}
    return {"type": "speed", "absolute": target, "dynamics": dynamics}


@dataclass
class Run:
    sim: Simulation
    states: list[WorldState]

    def record(self, name: str):
        return next(r for r in self.sim.story.records() if r.name == name)  # type: ignore[union-attr]

    def at(self, t: float) -> WorldState:
        return min(self.states, key=lambda s: abs(s.time - t))


def simulate_board(
    tmp_path: Path, board: dict, *, actors: list[dict] | None = None, ego: dict | None = None,
    road: Path = STRAIGHT, duration: float = 6.0, frame_rate: float = 20.0,
) -> Run:  # fmt: skip
    """Simulate a storyboard on a map; keeps the Simulation to read the storyboard's record."""
    scenario = {
        "version": 1,
        "name": "sb",
        "duration": duration,
        "frame_rate": frame_rate,
        "road": {"type": "opendrive", "file": str(road)},
        "ego": ego or {"road": "1", "lane": -3, "s": 10, "speed": 10},
        "actors": actors
        if actors is not None
        else [{"name": "car", "model": "sedan", "road": "1", "lane": -1, "s": 60, "speed": 10}],
        "storyboard": board,
    }
    path = tmp_path / "sb.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    instance = sample(load_scenario(path).scenario, 0)
    sim = Simulation(instance, RATE)
    states = []
    try:
        sim.act_storyboard(0.0)
        step = 0
        for frame in range(instance.scenario.frames):
            target = round(frame / frame_rate * RATE)
            while step < target:
                sim.step(step / RATE)
                step += 1
            states.append(sim.state(frame, step / RATE))
    finally:
        sim.physics.close()
    return Run(sim, states)
