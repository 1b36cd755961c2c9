"""Words of the time charts' target lines and of the derived shares drawn beside the outcomes."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "target_prefix": ("目标：", "Target: "),
    "target_source": ("来源：", "Source: "),
    "derived_migrant_public_school_share": ("在公办学校就读的随迁子女占比",
                                            "Share of migrant children in public school"),
}
UI.update({
    # why the scenarios differ, part by part (dashboard/figures/explain.py)
    "explain_fig_title": ("{b} 与 {a} 的差异分解（{start}–{end} 年，{n} 次配对种子重复的均值；误差线为 {level} 区间；"
                          "各部分之和等于合计）",
                          "Why {b} differs from {a}, part by part ({start}–{end}; mean over {n} paired-seed "
                          "replicates; error bars: {level} interval; parts add up to the total)"),
    "explain_panel_settlements": ("落户人数之差", "Settlements, difference"),
    "explain_panel_hukou_holders": ("户籍人口变化之差", "Change of hukou holders, difference"),
    "explain_panel_budget_net": ("财政净额之差", "Net budget, difference"),
    "explain_total": ("合计", "Total"),
    "explain_by_total": ("合计", "Total"),
    "explain_by_pathway": ("按途径", "By pathway"),
    "explain_by_kind": ("按人员类型", "By kind of person"),
    "explain_by_county": ("按县区", "By county"),
    "explain_by_flow": ("按户籍变动", "By register flow"),
    "explain_by_item": ("按收入项目", "By income item"),
    "explain_by_spending_item": ("按支出项目（计为负）", "By spending item (counted negative)"),
    "explain_short_pathway": ("途径", "Pathway"),
    "explain_short_kind": ("类型", "Kind"),
    "explain_short_county": ("县区", "County"),
    "explain_short_flow": ("户籍", "Register"),
    "explain_short_item": ("收入", "Income"),
    "explain_short_spending_item": ("支出", "Spending"),
})
