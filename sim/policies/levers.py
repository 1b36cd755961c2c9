"""Every policy lever, declared once.

Each lever is a typed, bounded field of the scenario's `policy:` block, with its
default (the document as written, `docs/policy/tieling-hukou-reform-opinions.zh.txt`),
bounds, unit, Chinese and English label and the clause of the document it comes
from. The dashboard builds its controls from `iter_levers()`; nothing restates a
default or a bound elsewhere. The model reads levers only through `sim.policies`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Iterator, get_args, get_origin

from pydantic import BaseModel, Field, model_validator

from ..blocks import Block, problem_at

# Clause of the document -> (Chinese heading, English summary). Shown on hover.
CLAUSES: dict[str, tuple[str, str]] = {
    "一": ("(一)指导思想：积极引导广大农业人口就地就近转移", "Guiding idea: guide the agricultural population to move to nearby towns"),
    "二": ("(二)基本原则：进城就业生活2年以上和举家迁徙的农业转移人口……重点人群落户", "Principles: settle migrants who lived and worked in town 2+ years, whole families, new-generation workers, students"),
    "四": ("(四)农村籍学生来去自由的落户政策；除“三投靠”外严格控制城镇居民迁往农村", "Students move hukou freely to school and back; urban-to-rural moves only for the three dependents"),
    "五": ("(五)全面取消高校毕业生落户限制；在房屋登记地或集体户登记户口", "Remove all settlement restrictions for graduates; register at the home or in a collective household"),
    "六": ("(六)完善购房落户政策：购房者及共同生活的配偶、子女、父母可以落户", "Home purchase: buyer with spouse, children and parents may settle"),
    "七": ("(七)缴纳职工医疗保险或养老保险的灵活就业人员可以在城镇落户", "Flexibly employed paying employee medical or pension insurance may settle"),
    "八": ("(八)全面落实居住证制度；随迁子女平等接受义务教育", "Residence permits with attached services; equal schooling for migrant children"),
    "九": ("(九)人地钱挂钩；住房保障；维护进城落户农民的农村权益", "People-land-money transfers; public rental housing; settled farmers keep rural rights"),
    "十": ("(十)做好人口统计工作：年度人口变动抽样调查", "Population statistics: annual sample survey, resident estimates"),
    "十一": ("(十一)加强组织领导，防止急功近利、急于求成", "Leadership: implement fully, avoid rushing (start year, phase-in)"),
    "十二": ("(十二)强化宣传引导", "Publicity: explain the policy through many channels"),
}


def lever(default: Any, *, zh: str, en: str, clause: str, read_by: str, unit: str = "",
          lo: float | None = None, hi: float | None = None, note: str = "") -> Any:
    """A policy field with its planner-facing metadata. `note` says where the
    default comes from when the document gives no number (an assumption); `read_by` names
    the submodel of docs/model.md §7 that uses the lever's value."""
    extra = {"lever": True, "zh": zh, "en": en, "clause": clause, "unit": unit, "note": note, "read_by": read_by}
    factory = isinstance(default, (list, dict))
    kw: dict[str, Any] = {"json_schema_extra": extra}
    if lo is not None:
        kw["ge"] = lo
    if hi is not None:
        kw["le"] = hi
    if factory:
        return Field(default_factory=lambda d=default: list(d), **kw)
    return Field(default, **kw)


PERMIT_MEAN = "acts through the mean of the seven permit service shares (permit access)"


def _service(default: float, zh: str, en: str, note: str = "") -> Any:
    """One of the seven permit service shares (clause 八); the model reads only their mean."""
    return lever(default, lo=0, hi=1, clause="八", zh=zh, en=en, note="; ".join(filter(None, (note, PERMIT_MEAN))),
                 read_by="mean → 7.7 permit uptake, 7.6 service term, 7.9 service gain")


# --- options ---------------------------------------------------------------

class HukouMobility(StrEnum):
    free = "free"          # to the school's collective household and back, or to the job town
    one_way = "one_way"    # to the school only; back to origin after graduation
    none = "none"          # students keep their origin hukou


class UrbanToRural(StrEnum):
    open = "open"
    three_dependents_only = "three_dependents_only"
    closed = "closed"


class GraduateSettlement(StrEnum):
    unrestricted = "unrestricted"
    conditional = "conditional"   # pre-reform: a local employment contract is required
    closed = "closed"


class Dependent(StrEnum):
    spouse = "spouse"
    children = "children"
    parents = "parents"


class Scheme(StrEnum):
    medical = "medical"
    pension = "pension"


class SchoolAdmission(StrEnum):
    equal = "equal"
    permit_only = "permit_only"
    hukou_only = "hukou_only"


class HousingGroup(StrEnum):
    new_employees = "new_employees"        # 新就业无房职工
    migrant_workers = "migrant_workers"    # 稳定就业的外来务工人员
    low_income_hukou = "low_income_hukou"  # the long-standing urban-hukou low-income group


# --- blocks ------------------------------------------------------------------

class Settlement(Block):
    residence_years_required: int = lever(
        2, lo=0, hi=10, unit="years", clause="二", read_by="7.9 settlement eligibility (residence_years)",
        zh="居住年限落户：在城镇就业生活年限", en="Residence pathway: years lived and worked in town")
    three_dependents: bool = lever(
        True, clause="四", read_by="7.9 settlement eligibility (three_dependents)", zh="“三投靠”落户（配偶、子女、父母投靠）",
        en="Three-dependents pathway (spouse, children, parents join a relative)")


class Students(Block):
    hukou_mobility: HukouMobility = lever(
        HukouMobility.free, clause="四",
        read_by="7.3 college entry and graduation", zh="农村籍学生户口迁移", en="Rural students' hukou moves")


class Graduates(Block):
    settlement: GraduateSettlement = lever(
        GraduateSettlement.unrestricted, clause="五",
        read_by="7.9 settlement eligibility (graduate)", zh="高校毕业生落户", en="Graduates' settlement")
    include_non_regular_degrees: bool = lever(
        True, clause="五", read_by="7.9 settlement eligibility (graduate)", zh="含成人高校、自学考试、远程和开放教育",
        en="Include adult, self-study, distance and open-education degrees")
    collective_registration: bool = lever(
        True, clause="五", read_by="7.9 settlement eligibility (graduate)", zh="无自有住房可在单位、人才、社区集体户登记",
        en="Graduates without own home may register in a collective household")


class Purchase(Block):
    enabled: bool = lever(True, clause="六",
        read_by="7.9 eligibility (purchase); 7.11 purchase motive", zh="购房落户", en="Home-purchase pathway")
    dependents: list[Dependent] = lever(
        [Dependent.spouse, Dependent.children, Dependent.parents], clause="六",
        read_by="7.9 settlement eligibility (purchase)",
        zh="随迁家属", en="Family members who may settle with the buyer")
    min_floor_area_m2: float = lever(
        0.0, lo=0, hi=150, unit="m²", clause="六",
        read_by="7.9 settlement eligibility (purchase)", zh="购房面积下限", en="Minimum floor area of the home",
        note="document sets none (0); pre-reform rules in many cities asked 50–90 m²: assumption")


class Insurance(Block):
    enabled: bool = lever(True, clause="七",
        read_by="7.9 settlement eligibility (insurance)", zh="缴纳保险落户", en="Insurance pathway")
    schemes: list[Scheme] = lever(
        [Scheme.medical, Scheme.pension], clause="七",
        read_by="7.9 settlement eligibility (insurance)", zh="认可的职工保险", en="Employee insurance schemes that count")
    min_contribution_years: float = lever(
        0.0, lo=0, hi=15, unit="years", clause="七",
        read_by="7.9 settlement eligibility (insurance)", zh="最低缴费年限", en="Minimum years of contributions",
        note="document sets none (0)")

    @model_validator(mode="after")
    def _schemes_when_enabled(self) -> "Insurance":
        if self.enabled and not self.schemes:
            raise problem_at("schemes", "at least one scheme while the pathway is enabled (or enabled: false)",
                             [])
        return self


class PermitServices(Block):
    """Access of a residence-permit holder to each service, relative to a hukou holder. The model
    reads only their mean (`Rules.permit_access`): raising one share by 0.07 does what raising
    another by 0.07 does."""
    employment: float = _service(0.9, "居住证：就业服务", "Permit: employment services",
                                 "assumption: the document asks for near-equal access")
    education: float = _service(0.9, "居住证：教育", "Permit: education")
    health: float = _service(0.9, "居住证：医疗", "Permit: health care")
    culture: float = _service(0.9, "居住证：文化", "Permit: culture")
    social_security: float = _service(0.8, "居住证：社保", "Permit: social security")
    elderly_care: float = _service(0.8, "居住证：养老", "Permit: elderly care")
    housing: float = _service(0.7, "居住证：住房保障", "Permit: housing security")


class ResidencePermit(Block):
    min_residence_months: int = lever(
        6, lo=0, hi=36, unit="months", clause="八",
        read_by="7.7 residence permits", zh="申领居住证居住时间", en="Months of residence before a permit",
        note="national Interim Regulation on Residence Permits (2016): half a year")
    services: PermitServices = Field(default_factory=PermitServices)


class Schools(Block):
    migrant_children_admission: SchoolAdmission = lever(
        SchoolAdmission.equal, clause="八",
        read_by="7.12 school admission", zh="随迁子女入学", en="School admission of migrant children")
    capacity_growth_per_year: float = lever(
        0.0, lo=0, hi=0.1, unit="share/year", clause="八", read_by="7.12 county capacity", zh="学位年增长（转移支付之外）",
        en="School places added each year beyond transfers",
        note="document gives no rate: assumption 0 (capacity grows only from transfers)")


class Transfers(Block):
    yuan_per_settler: float = lever(
        10_000, lo=0, hi=100_000, unit="yuan", clause="九",
        read_by="7.12 city transfers", zh="每落户一人转移支付", en="Transfer per settler",
        note="document gives no amount: assumption")
    yuan_per_permit: float = lever(
        2_000, lo=0, hi=20_000, unit="yuan", clause="九",
        read_by="7.12 city transfers", zh="每发一张居住证转移支付", en="Transfer per residence permit",
        note="document gives no amount: assumption")
    pool_share: float = lever(
        0.5, lo=0, hi=1, unit="share", clause="九", read_by="7.12 city transfers", zh="挂钩资金占转移支付池比例",
        en="Share of the transfer pool tied to people", note="assumption")


class Land(Block):
    m2_per_settler: float = lever(
        100, lo=0, hi=150, unit="m²", clause="九",
        read_by="7.12 land quota", zh="每落户一人新增建设用地", en="New construction land per settler",
        note="national urban land standard of about 100 m² per person (GB 50137-2011): assumption")


class PublicHousing(Block):
    eligible_groups: list[HousingGroup] = lever(
        [HousingGroup.new_employees, HousingGroup.migrant_workers, HousingGroup.low_income_hukou], clause="九",
        read_by="7.11 public rental eligibility",
        zh="公租房保障对象", en="Groups eligible for public rental housing")
    income_threshold: float = lever(
        3_000, lo=0, hi=10_000, unit="yuan/month", clause="九",
        read_by="7.11 public rental eligibility", zh="公租房收入线（月人均）",
        en="Income limit for public rental (per person per month)", note="assumption")
    stock_growth_per_year: float = lever(
        0.03, lo=0, hi=0.2, unit="share/year", clause="九",
        read_by="7.12 county capacity", zh="公租房年增长", en="Public rental stock growth",
        note="assumption")


class RuralRights(Block):
    kept_after_settling: bool = lever(
        True, clause="九",
        read_by="7.9 settlement choice and effects", zh="进城落户农民保留承包地", en="Settled farmers keep their land contract")


class Statistics(Block):
    survey_sample_rate: float = lever(
        0.001, lo=0.0001, hi=0.1, unit="share", clause="十", read_by="7.13 sample survey", zh="年度人口抽样调查比例",
        en="Annual population sample survey rate", note="China's annual change survey samples about 1‰")


class Publicity(Block):
    reach_per_year: float = lever(
        0.3, lo=0, hi=1, unit="share/year", clause="十二", read_by="7.8 awareness", zh="政策宣传年覆盖率",
        en="Share of the eligible who learn of a pathway each year", note="assumption")


class Policy(Block):
    start_year: int = lever(2020, lo=2000, hi=2050, clause="十一",
        read_by="7.1 rules in force (every submodel)", zh="政策起始年份", en="Year the policy starts")
    phase_in_years: int = lever(
        0, lo=0, hi=10, unit="years", clause="十一",
        read_by="7.1 rules in force (every submodel)", zh="逐步实施年数", en="Years to phase the policy in",
        note="document sets none: assumption 0 (in full from the start year)")
    urban_to_rural_moves: UrbanToRural = lever(
        UrbanToRural.three_dependents_only, clause="四",
        read_by="7.10 urban-to-rural moves", zh="城镇居民迁往农村落户", en="Urban residents moving hukou to villages")
    settlement: Settlement = Field(default_factory=Settlement)
    students: Students = Field(default_factory=Students)
    graduates: Graduates = Field(default_factory=Graduates)
    purchase: Purchase = Field(default_factory=Purchase)
    insurance: Insurance = Field(default_factory=Insurance)
    residence_permit: ResidencePermit = Field(default_factory=ResidencePermit)
    schools: Schools = Field(default_factory=Schools)
    transfers: Transfers = Field(default_factory=Transfers)
    land: Land = Field(default_factory=Land)
    public_housing: PublicHousing = Field(default_factory=PublicHousing)
    rural_rights: RuralRights = Field(default_factory=RuralRights)
    statistics: Statistics = Field(default_factory=Statistics)
    publicity: Publicity = Field(default_factory=Publicity)


# --- the registry ---------------------------------------------------------

@dataclass(frozen=True)
class LeverInfo:
    path: str                   # "policy.graduates.settlement"
    kind: str                   # "bool" | "int" | "float" | "choice" | "multi"
    default: Any
    lo: Any                     # low end: number, False, first option, or []
    hi: Any                     # high end: number, True, last option, or all options
    options: tuple[str, ...]    # for choice / multi
    unit: str
    zh: str
    en: str
    clause: str
    note: str
    read_by: str

    @property
    def clause_text(self) -> tuple[str, str]:
        return CLAUSES[self.clause]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _bounds(info) -> tuple[Any, Any]:
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def iter_levers(model: type[BaseModel] = Policy, prefix: str = "policy") -> Iterator[LeverInfo]:
    """Walk the Policy model and yield every lever, in declaration order."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}.{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_levers(ann, path)
            continue
        extra = info.json_schema_extra or {}
        default = info.get_default(call_default_factory=True)
        lo, hi = _bounds(info)
        options: tuple[str, ...] = ()
        if ann is bool:
            kind, lo, hi = "bool", False, True
        elif ann is int:
            kind = "int"
        elif ann is float:
            kind = "float"
        elif isinstance(ann, type) and issubclass(ann, StrEnum):
            kind, options = "choice", tuple(m.value for m in ann)
            lo, hi = options[-1], options[0]   # declared most-open first
        elif get_origin(ann) is list:
            (member,) = get_args(ann)
            kind, options = "multi", tuple(m.value for m in member)
            lo, hi = [], list(options)
        else:  # pragma: no cover - a new field type must be handled here
            raise TypeError(f"lever {path} has unsupported type {ann}")
        if isinstance(default, StrEnum):
            default = default.value
        if isinstance(default, list):
            default = [getattr(d, "value", d) for d in default]
        yield LeverInfo(path, kind, default, lo, hi, options, extra.get("unit", ""),
                        extra["zh"], extra["en"], extra["clause"], extra.get("note", ""),
                        extra["read_by"])


LEVERS: tuple[LeverInfo, ...] = tuple(iter_levers())
