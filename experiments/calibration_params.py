"""The parameters a calibration varies, their search bounds and why, and the parsing of
`--params` and `--targets` (docs/calibration.md, "Parameters and bounds")."""
from __future__ import annotations

from dataclasses import dataclass

from sim import iter_parameters

from .calibration_data import FIT_MEASURES, MEASURES

# The target of the registered population between the censuses (sim.observed.register_points: city
# 2017-2019, Tieling County 2018-2019, the city's 2018 town share).
REGISTER = "register"


class CalibrationError(ValueError):
    """A problem with a calibration request; `problems` holds one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# --- parameters and their search bounds -------------------------------------------

@dataclass(frozen=True)
class Parameter:
    path: str
    lo: float
    hi: float
    why: str = ""

    def value_at(self, u: float) -> float:
        return float(self.lo + (self.hi - self.lo) * min(max(u, 0.0), 1.0))

    def unit_of(self, v: float) -> float:
        return (v - self.lo) / (self.hi - self.lo)


# What identifies the fit targets (residents and urban share by county), with search bounds
# inside each parameter's declared bounds.
DEFAULT_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("behaviour.outside.out_rate_peak", 0.01, 0.15,
              "level of leaving Tieling: the city's resident decline"),
    Parameter("behaviour.outside.rural_multiplier", 0.5, 4.0,
              "village vs town residents leaving: decline of rural counties vs towns"),
    Parameter("behaviour.outside.return_rate", 0.0, 0.10,
              "returns of registered people living outside: the decline net of returns"),
    Parameter("behaviour.migration.reconsider_rate", 0.02, 0.6,
              "how many households weigh a move within Tieling: urban shares, growth of the centre"),
    Parameter("behaviour.migration.nearby_preference", 0.0, 5.0,
              "own county town vs the central districts and other towns: the centre's share of movers"),
    # Upper bound: central wages no higher than outside wages (figures.csv, 2020: out-migrating migrant
    # workers earn 4,549 yuan/month, local ones 3,606, a ratio of 1.26). Unbounded, the fit pushes the
    # premium to ~1.9, central wages far above Shenyang's: the premium then stands in for a pull of the
    # centre the model lacks (docs/calibration.md).
    Parameter("behaviour.work.central_wage_premium", 1.0, 1.25,
              "pull of the central districts' labour market: growth of the centre against the county towns"),
    Parameter("behaviour.education.graduate_return_rate", 0.1, 0.8,
              "graduates who come back work in the towns, mostly the centre: growth of the centre"),
)
# Parameters whose effect is mostly on held-out targets (listed in docs/calibration.md); they can
# be fitted with `--params` together with `--targets` that include what identifies them.
OTHER_SUGGESTED: tuple[Parameter, ...] = (
    Parameter("behaviour.demography.leave_home_rate", 0.0, 0.3, "family-household size"),
    Parameter("behaviour.outside.in_rate", 0.0, 0.04, "residents registered outside Tieling"),
    Parameter("behaviour.outside.in_leave_rate", 0.0, 0.5, "residents registered outside Tieling"),
    Parameter("behaviour.migration.moving_cost", 0.0, 8.0, "internal mobility (an alternative to reconsider_rate)"),
    # With --targets register (docs/calibration.md, "The registered population").
    Parameter("behaviour.registry.settle_out_rate", 0.0, 0.1, "registered population 2017-2019: hukou moved out"),
    Parameter("behaviour.registry.conversion_rate", 0.0, 0.05, "registered town share 2018: conversions in place"),
    Parameter("behaviour.settling.outside_land_share", 0.0, 1.0,
              "registered population 2017-2019: people registered elsewhere settling in Tieling"),
)


def declared_bounds() -> dict[str, tuple[float, float, float]]:
    """(lower, upper, default) of every behavioural parameter, from the schema."""
    out = {}
    for path, info in iter_parameters():
        lo = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        hi = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        out[path] = (lo, hi, info.default)
    return out


def parse_parameters(text: str | None) -> list[Parameter]:
    """'behaviour.outside.return_rate,outside.in_rate:0:0.05' -> Parameters. A name may leave out
    the `behaviour.` prefix; bounds default to the suggested search bounds or the declared ones."""
    if not text:
        return list(DEFAULT_PARAMETERS)
    known = declared_bounds()
    suggested = {p.path: p for p in DEFAULT_PARAMETERS + OTHER_SUGGESTED}
    out, problems = [], []
    for item in [s.strip() for s in text.split(",") if s.strip()]:
        name, *bounds = item.split(":")
        path = name if name.startswith("behaviour.") else f"behaviour.{name}"
        if path not in known:
            close = [k for k in known if k.endswith("." + name.split(".")[-1])]
            problems.append(f"--params {name}: no behavioural parameter {path}"
                            + (f"; did you mean {', '.join(close)}?" if close else ""))
            continue
        lo_decl, hi_decl, default = known[path]
        if not isinstance(default, float):
            problems.append(f"--params {name}: {path} is not a continuous parameter")
            continue
        if bounds:
            try:
                lo, hi = (float(b) for b in bounds)
            except ValueError:
                problems.append(f"--params {item}: expected NAME or NAME:LOW:HIGH with numbers")
                continue
        elif path in suggested:
            lo, hi = suggested[path].lo, suggested[path].hi
        else:
            lo, hi = lo_decl, hi_decl
        if not (lo_decl <= lo < hi <= hi_decl):
            problems.append(f"--params {item}: bounds must satisfy {lo_decl} <= low < high <= {hi_decl}")
            continue
        out.append(Parameter(path, lo, hi, suggested[path].why if path in suggested else ""))
    if len({p.path for p in out}) != len(out):
        problems.append("--params: a parameter is named twice")
    if problems:
        raise CalibrationError(problems)
    return out


def parse_targets(text: str | None) -> tuple[str, ...]:
    if not text:
        return FIT_MEASURES
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    known = MEASURES + (REGISTER,)
    bad = [n for n in names if n not in known]
    if bad:
        raise CalibrationError(f"--targets: unknown {', '.join(bad)}; expected some of {', '.join(known)}")
    return names



# What the ensemble varies (`urbsim ensemble build`, docs/calibration.md "Ensemble"): the ten
# calibrated parameters within the bounds of their fits (calibration.json's provenance: narrower than
# the schema's sanity limits, each for a stated reason, docs/calibration.md), and the two
# assumptions that move the forecast's registered population most directly, within their
# declared bounds (sim/parameters.py): whether people registered elsewhere keep land at home
# (chosen by hand from 0, 0.5, 1: the 2021-2023 fall of the register ranged from 13,000 to 28,000 a
# year across them) and the settlement choice's constant (how many eligible people settle at all).
ENSEMBLE_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("behaviour.outside.out_rate_peak", 0.04, 0.15, "the city's resident decline"),
    *DEFAULT_PARAMETERS[1:],
    Parameter("behaviour.registry.settle_out_rate", 0.01, 0.3, "registered population 2017-2019: hukou moved out"),
    Parameter("behaviour.registry.openness_before_2018", 0.2, 1.5,
              "registered population 2017-2019: settling under the rules before 2018"),
    Parameter("behaviour.registry.conversion_rate", 0.0, 0.03, "registered town share 2018: conversions in place"),
    Parameter("behaviour.settling.outside_land_share", 0.0, 1.0,
              "assumption (declared bounds): people registered elsewhere settling in Tieling"),
    Parameter("behaviour.settling.asc", -10.0, 5.0,
              "assumption: the settlement choice's constant, how many of those who may settle do"),
)
