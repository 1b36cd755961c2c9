"""Readable names of option values, breakdown groups and parameter blocks the model does not label itself."""
from __future__ import annotations

import sim

from .budget import TERMS as _BUDGET

OPTIONS: dict[str, tuple[str, str]] = {
    "open": ("放开", "open"),
    "three_dependents_only": ("仅限“三投靠”", "three dependents only"),
    "closed": ("关闭", "closed"),
    "free": ("来去自由", "free both ways"),
    "one_way": ("单向（毕业后回原籍）", "one way (back to origin after graduation)"),
    "none": ("不迁移", "none"),
    "unrestricted": ("全面放开", "unrestricted"),
    "conditional": ("有条件（需本地就业）", "conditional (local job required)"),
    "spouse": ("配偶", "spouse"),
    "children": ("子女", "children"),
    "parents": ("父母", "parents"),
    "medical": ("职工医疗保险", "employee medical insurance"),
    "pension": ("职工养老保险", "employee pension insurance"),
    "equal": ("平等入学", "equal"),
    "permit_only": ("凭居住证", "with a residence permit"),
    "hukou_only": ("仅限户籍", "hukou holders only"),
    "new_employees": ("新就业无房职工", "newly employed without housing"),
    "migrant_workers": ("稳定就业外来务工人员", "stably employed migrant workers"),
    "low_income_hukou": ("城镇户籍低收入家庭", "low-income urban hukou households"),
    # settlement pathways
    "graduate": ("高校毕业生", "graduates"),
    "purchase": ("购房", "home purchase"),
    "insurance": ("缴纳保险", "insurance"),
    "residence_years": ("居住年限", "years of residence"),
    "three_dependents": ("三投靠", "three dependents"),
    "student": ("学生", "students"),
    # kinds of agent
    "migrant_worker": ("农业转移人口", "agricultural migrant workers"),
    "household": ("家庭成员（其他居民）", "household members (other residents)"),
    "kind_migrant_worker": ("农业转移人口", "agricultural migrant workers"),
    "kind_graduate": ("高校毕业生", "graduates"),
    "kind_household": ("家庭成员（其他居民）", "household members (other residents)"),
    # services
    "school": ("学校", "schools"),
    "clinic": ("医疗机构", "clinics"),
    # age groups
    "age_0_14": ("0–14 岁", "aged 0–14"),
    "age_15_64": ("15–64 岁", "aged 15–64"),
    "age_65_plus": ("65 岁及以上", "aged 65+"),
    "all": ("合计", "all"),
    # hukou moves in and out
    "settlement": ("落户", "settlement"),
    "student_return": ("学生回迁", "students returning"),
    "settled_elsewhere": ("在外地落户", "settled elsewhere"),
    "marriage": ("婚迁", "marriage"),
}

# Groups of the budget outcomes (sim.OUTCOMES budget_spending, budget_income), named as the budget tab
# names them (dashboard/i18n/budget.py).
for _g in sim.SPENDING_ITEMS + sim.INCOME_ITEMS:
    OPTIONS.setdefault(_g, _BUDGET[_g])

BLOCKS: dict[str, tuple[str, str]] = {
    "demography": ("人口变动", "Demography"),
    "outside": ("市外迁移", "Moves to and from outside"),
    "migration": ("市内迁移", "Moves within Tieling"),
    "work": ("就业与收入", "Work and income"),
    "education": ("教育", "Education"),
    "settling": ("落户决策", "Settling"),
    "housing": ("住房", "Housing"),
    "services": ("公共服务与资金", "Services and funds"),
    "registry": ("户籍登记变动", "The register"),
}


