"""The top-level API: ``import simgen`` stays light, and load, sample, render, open_dataset and
evaluate work end to end from a plain Python process."""

import subprocess
import sys
import textwrap

import pytest

import simgen
from tests.cli.test_cli import TINY
from tests.conftest import ROOT

HEAVY = ("open3d", "pyrender", "pybullet", "trimesh", "OpenGL")


def run_python(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout.strip()


def test_import_simgen_loads_no_simulator_or_renderer():
    code = f"""
        import sys
        import simgen
        simgen.open_dataset, simgen.Dataset, simgen.evaluate, simgen.render
        print(sorted(m for m in {HEAVY!r} if m in sys.modules))
    """
    assert run_python(code) == "[]"


def test_render_then_open_dataset_from_a_plain_process(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    code = f"""
        import simgen
        result = simgen.render({str(scenario)!r}, out={str(tmp_path / "out")!r}, frames=1,
                               variants=1, workers=1)
        data = simgen.open_dataset(result.out)
        print(result.ok, len(data), [len(v.manifest.frames) for v in data], data.scenarios())
        print(result.first_overview.is_file())
    """
    assert run_python(code).splitlines() == ["True 1 [1] ['tiny']", "True"]


def test_load_and_sample_are_the_scenario_layer(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    loaded = simgen.load(scenario)
    assert loaded.name == "tiny" and loaded.variants == 2
    instance = simgen.sample(loaded, 1)
    assert isinstance(instance, simgen.ScenarioInstance) and instance.variant == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("speed: 5\n  sensors", "speed: fast\n  sensors"))
    with pytest.raises(simgen.ScenarioError) as caught:
        simgen.load(bad)
    assert str(caught.value.issues[0]).startswith(f"{bad}:")


def test_render_refuses_an_unknown_executor_before_running(tmp_path):
    from simgen.batch.executors import ExecutorError

    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    with pytest.raises(ExecutorError, match="unknown executor 'slurm'"):
        simgen.render(scenario, tmp_path / "out", executor="slurm")
    assert not list((tmp_path / "out").iterdir())  # planned (the folder exists), nothing run


def test_the_package_is_typed():
    assert (ROOT / "simgen" / "py.typed").is_file()
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["tool"]["setuptools"]["package-data"]["simgen"] == ["py.typed"]


def test_python_m_simgen_cli_runs():
    out = subprocess.run(
        [sys.executable, "-m", "simgen.cli", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0 and out.stdout.strip() == f"simgen {simgen.__version__}"


def test_render_refuses_an_unknown_keyword_before_any_work(tmp_path):
    with pytest.raises(TypeError, match="frame"):
        simgen.render("scenarios/default.yaml", tmp_path / "out", frame=1)  # type: ignore[call-arg]
    assert not (tmp_path / "out").exists()
