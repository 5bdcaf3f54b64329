"""``ParameterValueDistribution`` files: the parameter sets a scenario runs with, one simgen
scenario (a variant of the suite) per set.

Deterministic distributions combine as the standard says, every value of one with every value
of the others (multi-parameter value sets count as one distribution); stochastic ones draw
``numberOfTestRuns`` sets from a numpy Generator seeded with ``randomSeed`` (0 when unset), run
by run and parameter by parameter in file order, so that a file always gives the same sets.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from simgen.importers.openscenario.context import Ctx, Element, children
from simgen.importers.openscenario.expressions import Value

ParameterSet = dict[str, tuple[Element, Value]]
MAX_SETS = 10_000
REDRAWS = 100  # a truncated normal draws again this often before it clips to the range


def parameter_sets(ctx: Ctx, dist: Element) -> tuple[list[ParameterSet], int]:
    """The sets and the seed the stochastic draws used (0 for deterministic ones)."""
    det = ctx.maybe(dist, "Deterministic")
    sto = ctx.maybe(dist, "Stochastic")
    if det is not None:
        return _deterministic(ctx, det), 0
    if sto is not None:
        return _stochastic(ctx, sto)
    raise ctx.error(dist, "<ParameterValueDistribution>: needs <Deterministic> or <Stochastic>")


def _range(ctx: Ctx, el: Element) -> tuple[float, float]:
    r = ctx.one(el, "Range")
    low, high = ctx.num(r, "lowerLimit"), ctx.num(r, "upperLimit")
    if low > high:
        raise ctx.error(r, f"<Range>: lowerLimit {low:g} > upperLimit {high:g}")
    return low, high


def _deterministic(ctx: Ctx, el: Element) -> list[ParameterSet]:
    axes: list[list[ParameterSet]] = []
    for d in children(el):
        if d.tag == "DeterministicMultiParameterDistribution":
            sets = ctx.one(d, "ValueSetDistribution")
            axis = []
            for value_set in ctx.all(sets, "ParameterValueSet"):
                axis.append({
                    str(ctx.text(a, "parameterRef")): (a, ctx.value(a, "value"))
                    for a in ctx.all(value_set, "ParameterAssignment")
                })  # fmt: skip
            axes.append(axis)
        elif d.tag == "DeterministicSingleParameterDistribution":
            name = str(ctx.text(d, "parameterName"))
            kind = ctx.one(d)
            if kind.tag == "DistributionSet":
                axes.append([{name: (e, ctx.value(e, "value"))} for e in ctx.all(kind, "Element")])
            elif kind.tag == "DistributionRange":
                step = ctx.num(kind, "stepWidth")
                low, high = _range(ctx, kind)
                if step <= 0:
                    raise ctx.error(
                        kind, f"<DistributionRange>: stepWidth must be > 0, got {step:g}"
                    )
                count = math.floor((high - low) / step + 1e-9) + 1
                if count > MAX_SETS:
                    raise ctx.error(
                        kind, f"<DistributionRange>: {count} values (at most {MAX_SETS})"
                    )
                axes.append([{name: (kind, low + i * step)} for i in range(count)])
            else:
                raise ctx.unsupported(kind, "DistributionSet and DistributionRange only")
        else:
            raise ctx.unsupported(d)
    if not axes or any(not a for a in axes):
        raise ctx.error(el, "<Deterministic>: no values")
    total = math.prod(len(a) for a in axes)
    if total > MAX_SETS:
        raise ctx.error(el, f"<Deterministic>: {total} combinations (at most {MAX_SETS})")
    out = []
    for combo in itertools.product(*axes):
        merged: ParameterSet = {}
        for part in combo:
            merged.update(part)
        out.append(merged)
    return out


def _stochastic(ctx: Ctx, el: Element) -> tuple[list[ParameterSet], int]:
    runs = ctx.int(el, "numberOfTestRuns")
    seed = ctx.int(el, "randomSeed", 0)
    if not 1 <= runs <= MAX_SETS:
        raise ctx.error(el, f"<Stochastic>: numberOfTestRuns must be 1..{MAX_SETS}, got {runs}")
    if seed < 0:
        raise ctx.error(el, f"<Stochastic>: randomSeed must be >= 0, got {seed}")
    rng = np.random.default_rng(seed)
    dists = ctx.all(el, "StochasticDistribution")
    if not dists:
        raise ctx.error(el, "<Stochastic>: no StochasticDistribution")
    out: list[ParameterSet] = []
    for _ in range(runs):
        drawn: ParameterSet = {}
        for d in dists:
            drawn[str(ctx.text(d, "parameterName"))] = (d, _draw(ctx, ctx.one(d), rng))
        out.append(drawn)
    return out, seed


def _draw(ctx: Ctx, el: Element, rng: np.random.Generator) -> Value:
    if el.tag == "UniformDistribution":
        low, high = _range(ctx, el)
        return float(rng.uniform(low, high))
    if el.tag == "NormalDistribution":
        mean, variance = ctx.num(el, "expectedValue"), ctx.num(el, "variance")
        if variance < 0:
            raise ctx.error(el, f"<NormalDistribution>: variance must be >= 0, got {variance:g}")
        limits = _range(ctx, el) if ctx.maybe(el, "Range") is not None else None
        value = float(rng.normal(mean, math.sqrt(variance)))
        for _ in range(REDRAWS):
            if limits is None or limits[0] <= value <= limits[1]:
                return value
            value = float(rng.normal(mean, math.sqrt(variance)))
        assert limits is not None
        return min(max(value, limits[0]), limits[1])
    if el.tag == "ProbabilityDistributionSet":
        elements = ctx.all(el, "Element")
        weights = np.array([ctx.num(e, "weight") for e in elements], dtype=float)
        if not elements or weights.min() < 0 or weights.sum() <= 0:
            raise ctx.error(el, "<ProbabilityDistributionSet>: needs elements of weight >= 0")
        pick = int(rng.choice(len(elements), p=weights / weights.sum()))
        return ctx.value(elements[pick], "value")
    raise ctx.unsupported(
        el, "stochastic distributions: Uniform, Normal, ProbabilityDistributionSet"
    )
