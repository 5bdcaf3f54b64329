"""File-level operations the CLI (and notebooks) call: each turns every failure into Issues."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simgen.scenario.errors import Issue, ScenarioError
from simgen.scenario.limits import Limits
from simgen.scenario.load import LoadedScenario, load_scenario
from simgen.scenario.sample import SamplingError, ScenarioInstance, sample


@dataclass(frozen=True)
class CheckResult:
    file: str
    loaded: LoadedScenario | None
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues


def _sample_or_issue(loaded: LoadedScenario, variant: int) -> ScenarioInstance:
    try:
        return sample(loaded.scenario, variant)
    except SamplingError as exc:
        raise ScenarioError([loaded.issue(exc.path, exc.message)]) from None


def check_file(
    path: str | Path, limits: Limits | None = None, all_variants: bool = False
) -> CheckResult:
    """Validate a file and prove it samples: variant 0, or every variant with ``all_variants``."""
    try:
        loaded = load_scenario(path, limits)
        for variant in range(loaded.scenario.variants if all_variants else 1):
            _sample_or_issue(loaded, variant)
    except ScenarioError as exc:
        return CheckResult(str(path), None, exc.issues)
    return CheckResult(str(path), loaded, [])


def sample_file(
    path: str | Path, variant: int, limits: Limits | None = None
) -> tuple[LoadedScenario, ScenarioInstance]:
    """Load a file and draw one variant; raises ScenarioError with positioned issues."""
    loaded = load_scenario(path, limits)
    return loaded, _sample_or_issue(loaded, variant)
