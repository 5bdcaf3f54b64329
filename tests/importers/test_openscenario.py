# ruff: noqa: E501 - the XML fixtures read best on one line each
"""OpenSCENARIO import: the esmini corpus, placements by hand, catalogs, distributions, errors
with file:line, and the round trip through YAML."""

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simgen.cli import app
from simgen.importers.openscenario import XoscError, import_xosc
from simgen.importers.openscenario.files import load_xosc
from simgen.scenario import storyboard as sb
from simgen.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "openscenario" / "town_cut_in.xosc"
MAP = ROOT / "scenarios" / "maps" / "town_junction.xodr"
CORPUS = Path("/work/shared/standards/esmini/xosc")
CORPUS_FILES = sorted(CORPUS.glob("*.xosc")) if CORPUS.is_dir() else []
corpus = pytest.mark.skipif(not CORPUS_FILES, reason="the esmini corpus is not on this machine")


@corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_corpus_imports_strictly_and_loads_back(path):
    result = import_xosc(path)
    assert result.warnings == []
    loaded = load_xosc(path)  # through YAML: model checks and map checks
    assert loaded.scenario.model_dump() == load_xosc(path).scenario.model_dump()
    assert loaded.scenario.storyboard is not None and loaded.scenario.storyboard.stories


@corpus
def test_cut_in_placements_by_hand():
    sc = import_xosc(CORPUS / "cut-in.xosc").scenario
    # Ego: LanePosition road 0 lane -3 s $EgoStartS = 50, speed ${108 / 3.6} = 30 m/s. The
    # position is its reference point's; car_white's box centre lies Center x = 1.4 m ahead of
    # it and lane -3 runs along +s, so simgen's origin (the box's bottom centre) is at s = 51.4
    assert (sc.ego.road, sc.ego.lane, sc.ego.speed) == ("0", -3, 30.0)
    assert sc.ego.s == pytest.approx(50.0 + 1.4)
    # the catalog's BoundingBox: Dimensions 5.04 x 2.0 x 1.5, kept as the size
    assert sc.ego.size == (5.04, 2.0, 1.5) and sc.ego.reference_point == (-1.4, 0.0)
    (overtaker,) = sc.actors
    assert (overtaker.name, overtaker.road, overtaker.lane) == ("overtaker", "0", -2)
    assert overtaker.s == pytest.approx(25.0 + 1.45)  # car_red: Center x = 1.45
    assert overtaker.size == (5.04, 2.0, 1.5) and overtaker.reference_point == (-1.45, 0.0)
    assert overtaker.speed == 0.0  # no init speed: the act's first event gives it one
    event = sc.storyboard.stories[0].acts[0].maneuver_groups[0].maneuvers[0].events
    start, cut_in, brake = (e.actions[0].do for e in event)
    assert start.relative == sb.RelativeTarget(entity="ego", value=1.2, value_type="factor",
                                               continuous=True)  # fmt: skip
    assert cut_in.relative.entity == "ego" and cut_in.relative.value == 0
    assert (cut_in.dynamics.shape, cut_in.dynamics.value) == ("sinusoidal", 3.0)
    assert (brake.absolute, brake.dynamics.dimension, brake.dynamics.value) == (0.0, "rate", 4.0)
    headway = event[1].start_trigger[0].conditions[0]
    assert headway.edge == "rising" and headway.check.value == 0.4
    assert headway.check.entities == ["ego"] and headway.check.entity == "overtaker"
    stop = sc.storyboard.stop_trigger[0].conditions[0]
    assert stop.delay == 5.0 and stop.check.element == "CutInManeuver"


@corpus
def test_relative_road_start_by_hand():
    sc = import_xosc(CORPUS / "cut-in_simple.xosc").scenario
    (overtaker,) = sc.actors
    # RelativeRoadPosition Ego ds -20 dt 3.1 from the ego's reference point (s = 50): its own
    # reference point at s = 30, its box centre 1.45 m further on (car_red's Center x)
    assert overtaker.s == pytest.approx(30.0 + 1.45) and overtaker.speed == 25.0


@corpus
def test_traffic_light_states_from_lamp_lists():
    sc = import_xosc(CORPUS / "traffic_lights.xosc").scenario
    assert [(a.signal, a.state) for a in sc.storyboard.global_init] == [
        ("1", "green"), ("2", "red"), ("3", "red"),  # off;off;on, on;off, on;off
    ]  # fmt: skip


def test_example_by_hand():
    result = import_xosc(EXAMPLE, duration=8)
    sc = result.scenario
    assert result.names == {"Ego": "ego", "Lead Car": "lead_car", "Walker": "walker"}
    # LanePosition s 70 places its reference point; the box centre is Center x = 1.4 m ahead,
    # and lane 1 (left of the reference line) runs towards -s: the origin is at s = 70 - 1.4
    assert (sc.ego.road, sc.ego.lane, sc.ego.speed) == ("4", 1, 10.0)  # 36 km/h
    assert sc.ego.s == pytest.approx(68.6)
    lead, walker = sc.actors
    # RelativeLanePosition ds = -$LeadGap = -22 from the ego's reference point at s 70: its
    # reference point at s 48, its origin at 48 - 1.4; speed: ego's 10 m/s - 2
    assert (lead.road, lead.lane, lead.speed) == ("4", 1, 8.0)
    assert lead.s == pytest.approx(46.6)
    assert lead.size == (5.4, 2.0, 1.8) and walker.reference_point is None
    assert lead.model == "pickup"  # the catalog entry with Length 5.4, Height 1.8 assigned
    assert sc.ego.model == "sedan"  # the same entry at its defaults (4.6 x 2.0 x 1.45)
    assert (walker.model, walker.road, walker.lane, walker.s) == ("pedestrian", "4", 2, 30.0)
    assert walker.heading == pytest.approx(-90.0)  # relative h = -pi/2, in degrees
    assert sc.duration == 8.0 and sc.frame_rate == 10.0


def _write(tmp_path: Path, body: str, init: str = "", name: str = "s.xosc") -> Path:
    text = f"""<?xml version="1.0"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="t" author="t"/>
  <ParameterDeclarations>
    <ParameterDeclaration name="Speed" parameterType="double" value="10"/>
  </ParameterDeclarations>
  <CatalogLocations/>
  <RoadNetwork><LogicFile filepath="{MAP}"/></RoadNetwork>
  <Entities>
    <ScenarioObject name="hero">
      <Vehicle name="v" vehicleCategory="car">
        <BoundingBox><Center x="1" y="0" z="0.7"/><Dimensions width="2" length="4.6" height="1.4"/></BoundingBox>
      </Vehicle>
    </ScenarioObject>
  </Entities>
  <Storyboard>
    <Init><Actions>
      <Private entityRef="hero">
        <PrivateAction><TeleportAction><Position><LanePosition roadId="4" laneId="1" s="60"/></Position></TeleportAction></PrivateAction>
        <PrivateAction><LongitudinalAction><SpeedAction>
          <SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>
          <SpeedActionTarget><AbsoluteTargetSpeed value="$Speed"/></SpeedActionTarget>
        </SpeedAction></LongitudinalAction></PrivateAction>
        {init}
      </Private>
    </Actions></Init>
    <Story name="S"><Act name="A"><ManeuverGroup name="G" maximumExecutionCount="1">
      <Actors selectTriggeringEntities="false"><EntityRef entityRef="hero"/></Actors>
      <Maneuver name="M">
        <Event name="E" priority="overwrite">
          {body}
          <StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none">
            <ByValueCondition><SimulationTimeCondition value="1" rule="greaterThan"/></ByValueCondition>
          </Condition></ConditionGroup></StartTrigger>
        </Event>
      </Maneuver>
    </ManeuverGroup></Act></Story>
  </Storyboard>
</OpenSCENARIO>
"""
    path = tmp_path / name
    path.write_text(text)
    return path


SPEED = """<Action name="go"><PrivateAction><LongitudinalAction><SpeedAction>
  <SpeedActionDynamics dynamicsShape="linear" dynamicsDimension="time" value="2"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${$Speed * 1.5}"/></SpeedActionTarget>
</SpeedAction></LongitudinalAction></PrivateAction></Action>"""
UNSUPPORTED = """<Action name="lights"><PrivateAction><AppearanceAction><LightStateAction transitionTime="0">
  <LightType><VehicleLight vehicleLightType="headLight"/></LightType><LightState mode="on"/>
</LightStateAction></AppearanceAction></PrivateAction></Action>"""


def test_hero_is_the_ego_and_expressions_resolve(tmp_path):
    sc = import_xosc(_write(tmp_path, SPEED)).scenario
    assert sc.ego.speed == 10.0 and sc.actors == []
    action = sc.storyboard.stories[0].acts[0].maneuver_groups[0].maneuvers[0].events[0].actions[0]
    assert action.do.absolute == 15.0 and action.do.dynamics.shape == "linear"


def test_unsupported_element_names_file_and_line(tmp_path):
    path = _write(tmp_path, SPEED + UNSUPPORTED)
    line = next(
        i for i, t in enumerate(path.read_text().splitlines(), 1) if "<AppearanceAction>" in t
    )
    with pytest.raises(XoscError) as err:
        import_xosc(path)
    assert str(err.value) == f"{path}:{line}: <LightStateAction>: not supported (private actions: " \
        "Speed, LongitudinalDistance, LaneChange, LaneOffset, Teleport, AssignRoute, " \
        "FollowTrajectory, Synchronize, ActivateController)"  # fmt: skip
    lenient = import_xosc(path, lenient=True)
    assert (
        len(lenient.warnings) == 1 and f"{path}:{line}: <LightStateAction>" in lenient.warnings[0]
    )
    event = lenient.scenario.storyboard.stories[0].acts[0].maneuver_groups[0].maneuvers[0].events[0]
    assert [a.name for a in event.actions] == ["go"]  # the unsupported action alone is dropped


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("</OpenSCENARIO>", ""), "not well-formed XML"),
        (lambda t: t.replace('value="$Speed"', 'value="$Sped"'), "unknown parameter 'Sped'"),
        (lambda t: t.replace('value="${$Speed * 1.5}"', 'value="${$Speed * }"'), "ends too early"),
        (
            lambda t: t.replace(' roadId="4" laneId="1"', ' laneId="1"'),
            "missing attribute 'roadId'",
        ),
        (lambda t: t.replace(str(MAP), "nowhere.xodr"), "no such OpenDRIVE file"),
        (lambda t: t.replace('laneId="1" s="60"', 'laneId="7" s="60"'), "has no lane 7"),
        (
            lambda t: t.replace('entityRef="hero"/></Actors>', 'entityRef="nobody"/></Actors>'),
            "entityRef 'nobody' is no entity",
        ),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path, edit, message):
    path = _write(tmp_path, SPEED)
    path.write_text(edit(path.read_text()))
    with pytest.raises(XoscError, match=message) as err:
        import_xosc(path)
    assert str(err.value).startswith(f"{path}:") and err.value.line is not None


def test_cli_writes_nothing_on_error(tmp_path):
    path = _write(tmp_path, SPEED + UNSUPPORTED)
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(app, ["import", str(path), "--out", str(out)])
    assert result.exit_code == 1 and "<LightStateAction>: not supported" in result.output
    assert not out.exists()
    result = CliRunner().invoke(app, ["import", str(path), "--out", str(out), "--lenient"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and out.is_file()
    assert (
        load_scenario(out).scenario.model_dump()
        == load_xosc(path, _lenient()).scenario.model_dump()
    )


def _lenient():
    from simgen.importers.openscenario import ImportOptions

    return ImportOptions(lenient=True)


def _catalog(tmp_path: Path) -> None:
    (tmp_path / "cat").mkdir()
    (tmp_path / "cat" / "v.xosc").write_text("""<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="c" author="t"/>
<Catalog name="Cars"><Vehicle name="box" vehicleCategory="$Cat">
  <ParameterDeclarations>
    <ParameterDeclaration name="Cat" parameterType="string" value="car"/>
    <ParameterDeclaration name="L" parameterType="double" value="4.0"/>
  </ParameterDeclarations>
  <BoundingBox><Center x="1" y="0" z="1"/><Dimensions width="${$L / 2}" length="$L" height="1.5"/></BoundingBox>
</Vehicle></Catalog></OpenSCENARIO>""")


@pytest.mark.parametrize(
    ("assign", "model"),
    [
        ("", "hatchback"),  # 4.0 x 2.0 x 1.5: nearest the hatchback's 4.02 x 1.94 x 1.46
        ('<ParameterAssignment parameterRef="L" value="5.4"/>', "pickup"),
        (
            '<ParameterAssignment parameterRef="Cat" value="bus"/>'
            '<ParameterAssignment parameterRef="L" value="${12.5}"/>',
            "bus",
        ),
        # 12.5 x 6.25 x 1.5 against the bus (12.07 x 2.93 x 3.18): 0.18 + 11.0 + 2.8 = 14.0,
        # the coach (12.57 x 2.93 x 3.58): 0.005 + 11.0 + 4.3 = 15.3
    ],
)
def test_catalog_reference_with_parameter_assignment(tmp_path, assign, model):
    _catalog(tmp_path)
    path = _write(tmp_path, SPEED)
    text = path.read_text().replace("<CatalogLocations/>",
                                    '<CatalogLocations><VehicleCatalog><Directory path="cat"/>'
                                    "</VehicleCatalog></CatalogLocations>")  # fmt: skip
    ref = f'<CatalogReference catalogName="Cars" entryName="box"><ParameterAssignments>{assign}' \
        "</ParameterAssignments></CatalogReference>"  # fmt: skip
    start, end = text.index("<Vehicle name"), text.index("</Vehicle>") + len("</Vehicle>")
    path.write_text(text[:start] + ref + text[end:])
    assert import_xosc(path).scenario.ego.model == model


def test_missing_catalog_entry(tmp_path):
    _catalog(tmp_path)
    path = _write(tmp_path, SPEED)
    text = path.read_text().replace("<CatalogLocations/>",
                                    '<CatalogLocations><VehicleCatalog><Directory path="cat"/>'
                                    "</VehicleCatalog></CatalogLocations>")  # fmt: skip
    start, end = text.index("<Vehicle name"), text.index("</Vehicle>") + len("</Vehicle>")
    path.write_text(
        text[:start] + '<CatalogReference catalogName="Cars" entryName="bux"/>' + text[end:]
    )
    with pytest.raises(XoscError, match="catalog 'Cars' has no entry 'bux' \\(entries: box\\)"):
        import_xosc(path)


def _distribution(tmp_path: Path, inner: str) -> Path:
    _write(tmp_path, SPEED, name="base.xosc")
    path = tmp_path / "dist.xosc"
    path.write_text(f"""<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="d" author="t"/>
<ParameterValueDistribution><ScenarioFile filepath="base.xosc"/>{inner}</ParameterValueDistribution>
</OpenSCENARIO>""")
    return path


def test_deterministic_distribution_gives_one_scenario_per_set(tmp_path):
    path = _distribution(
        tmp_path,
        """<Deterministic>
      <DeterministicSingleParameterDistribution parameterName="Speed">
        <DistributionRange stepWidth="5"><Range lowerLimit="5" upperLimit="15"/></DistributionRange>
      </DeterministicSingleParameterDistribution></Deterministic>""",
    )
    result = import_xosc(path)
    assert result.distribution and [s.ego.speed for s in result.scenarios] == [5.0, 10.0, 15.0]
    assert [s.name for s in result.scenarios] == ["base_0", "base_1", "base_2"]
    assert len({s.seed for s in result.scenarios}) == 3
    assert [s.seed for s in import_xosc(path).scenarios] == [s.seed for s in result.scenarios]


def test_stochastic_distribution_draws_from_its_seed(tmp_path):
    path = _distribution(
        tmp_path,
        """<Stochastic numberOfTestRuns="4" randomSeed="7">
      <StochasticDistribution parameterName="Speed">
        <UniformDistribution><Range lowerLimit="8" upperLimit="12"/></UniformDistribution>
      </StochasticDistribution></Stochastic>""",
    )
    speeds = [s.ego.speed for s in import_xosc(path).scenarios]
    assert speeds == pytest.approx(np.random.default_rng(7).uniform(8, 12, size=4))
    out = tmp_path / "suite.yaml"
    result = CliRunner().invoke(app, ["import", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    from simgen.scenario.suite import load_suite

    _, loaded = load_suite(out)
    assert [one.scenario.ego.speed for one in loaded] == pytest.approx(speeds)


def test_round_trip_yaml_equals_direct(tmp_path):
    out = tmp_path / "sub" / "town.yaml"
    result = CliRunner().invoke(app, ["import", str(EXAMPLE), "--out", str(out), "--duration", "8"])
    assert result.exit_code == 0, result.output
    assert "Imported from town_cut_in.xosc" in out.read_text()
    from simgen.importers.openscenario import ImportOptions

    direct = load_xosc(EXAMPLE, ImportOptions(duration=8)).scenario
    assert load_scenario(out).scenario.model_dump() == direct.model_dump()
    committed = load_scenario(ROOT / "scenarios" / "imported_town_cut_in.yaml").scenario
    assert committed.model_dump() == direct.model_dump()  # the example is the import of today


def test_render_of_the_import_is_byte_identical_to_the_xosc(tmp_path):
    """simgen import then simgen render of the YAML gives the files rendering the .xosc gives
    (the manifest differs only in where the scenario came from)."""
    import json

    out = tmp_path / "town.yaml"
    args = ["import", str(EXAMPLE), "--out", str(out), "--rig", "tiny"]
    assert CliRunner().invoke(app, args).exit_code == 0
    runs = {}
    for name, source in (("yaml", out), ("xosc", EXAMPLE)):
        dest = tmp_path / name
        result = CliRunner().invoke(app, [
            "render", str(source), "--out", str(dest), "--frames", "2", "--workers", "1",
            "--rig", "tiny", "--quiet",
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        runs[name] = dest / "town_cut_in" / "0000"
    manifests = {k: json.loads((v / "manifest.json").read_text()) for k, v in runs.items()}
    assert manifests["yaml"]["files"] == manifests["xosc"]["files"]  # every file's hash
    assert len(manifests["xosc"]["files"]) > 5
    for rel in manifests["xosc"]["files"]:
        assert (runs["yaml"] / rel).read_bytes() == (runs["xosc"] / rel).read_bytes()
