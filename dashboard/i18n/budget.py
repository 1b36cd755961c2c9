"""Words of the budget tab, the scorecard and the report, in Chinese and English (merged into
the dashboard's translation table, `dashboard.i18n`)."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "tab_budget": ("财政收支与目标", "Budget and targets"),
    "fig_budget_years": ("与人口挂钩的财政收支（逐年）", "People-linked budget by year"),
    "fig_budget_items": ("{start}–{end} 年合计，按项目", "Totals {start}–{end} by item"),
    "spending": ("支出", "Spending"),
    "income": ("收入", "Income"),
    "yi_yuan": ("亿元", "100 million yuan"),
    "scorecard": ("记分卡", "Scorecard"),
    "scorecard_note": ("{start}–{end} 年合计（全市）；{n} 次重复（各情景使用相同随机种子）的均值，方括号内为 {level} 区间；"
                       "“较基准”按种子配对计算。",
                       "Totals {start}–{end} (whole city); mean of {n} replicates (the same seeds in every scenario) "
                       "with the {level} interval in brackets; “vs baseline” is paired by seed."),
    "measure": ("指标", "Measure"),
    "targets": ("文件及规划目标", "Targets of the document and the plans"),
    "targets_note": ("达标：达到目标的重复次数占比；年份：首次达到目标的年份（重复的中位数）。",
                     "Met: share of replicates that meet the target; year: first year it is met (median of replicates)."),
    "target": ("目标", "Target"),
    "basis": ("依据", "Basis"),
    "met_cell": ("{share} 达标；首次 {year} 年", "{share} met; first in {year}"),
    "met_share": ("{share} 达标", "{share} met"),
    "met_never": ("{share} 达标；期内未达到", "{share} met; not reached in the run"),
    "explain_title": ("差异来源：{b} 相对于 {a}（{start}–{end} 年，全市）", "Why {b} differs from {a} ({start}–{end}, city)"),
    "explain_note": ("各项流量之差（配对种子的均值与 {level} 区间）；户籍人口与常住人口两部分各项之和等于其变化合计。",
                     "Differences of each flow (mean of paired seeds with the {level} interval); in the hukou-holder "
                     "and resident sections the items add up to the change."),
    "explain_needs_two": ("比较至少两个情景后显示差异来源。", "Run at least two scenarios to see why they differ."),
    "section": ("类别", "Section"),
    "component": ("构成", "Component"),
    "report": ("会议报告", "Report for the meeting"),
    "report_help": ("下载所比较情景的报告：情景与政策杠杆、记分卡、目标、差异来源、主要图表和模型局限。",
                    "Download a report of the compared runs: scenarios and levers, scorecard, targets, why they "
                    "differ, key charts and the model's limits."),
    "report_html": ("下载报告（网页版，可打印）", "Download report (HTML, printable)"),
    "report_pdf": ("下载报告（PDF）", "Download report (PDF)"),
    "report_xlsx": ("下载工作簿（电子表格）", "Download workbook (Excel)"),
    "report_no_runs": ("请先运行至少一个情景。", "Run at least one scenario first."),
    "report_pdf_failed": ("无法生成 PDF（服务器上未找到浏览器）；请下载网页版并打印。",
                          "Could not make the PDF (no Chromium on the server); download the HTML and print it."),
    "report_title": ("铁岭户籍制度改革情景报告", "Tieling hukou-reform scenario report"),
    "report_made": ("生成时间", "Made"),
    "report_scenarios": ("情景与政策杠杆", "Scenarios and their levers"),
    "report_levers_changed": ("与基准不同的杠杆", "Levers that differ from the baseline"),
    "report_no_lever_changes": ("与基准相同", "same as the baseline"),
    "report_charts": ("主要图表", "Key charts"),
    "report_limits": ("模型的已知局限", "The model's known limits"),
    "report_run_info": ("抽样比例 {scale}；{n} 次重复；种子 {seeds}", "sample scale {scale}; {n} replicates; seeds {seeds}"),
    "value_col": ("数值", "Value"),
    "baseline_col": ("基准", "baseline"),
    "lever": ("杠杆", "Lever"),
    "sheet_scorecard": ("记分卡", "Scorecard"),
    "sheet_targets": ("目标", "Targets"),
    "sheet_explain": ("差异来源", "Explanation"),
    "sheet_breakdown": ("差异分解", "Breakdown"),
    "sheet_budget": ("逐年收支", "Budget"),
    "sheet_scenarios": ("情景", "Scenarios"),
    "mean": ("均值", "mean"),
    "low": ("区间下限", "low"),
    "high": ("区间上限", "high"),
    "diff": ("较基准", "vs baseline"),
    "replicates_n": ("重复次数", "replicates"),
}

# The scorecard's measures, budget items and the explanation's flows.
TERMS: dict[str, tuple[str, str]] = {
    "settlements": ("落户人数", "Settlements"),
    "budget_spending": ("支出合计", "Spending, total"),
    "budget_income": ("收入合计", "Income, total"),
    "budget_net": ("收支差额（收入减支出）", "Net (income minus spending)"),
    "spending_per_settler": ("每落户一人支出", "Spending per settler"),
    "income_per_settler": ("每落户一人收入", "Income per settler"),
    "net_per_settler": ("每落户一人收支差额", "Net per settler"),
    "school_build": ("新建义务教育学位", "School places built"),
    "school_running": ("随迁子女在校经费", "Migrant pupils' running cost"),
    "clinic_build": ("医疗服务能力建设", "Clinic capacity built"),
    "public_rental_build": ("公租房建设", "Public rental flats built"),
    "medical_insurance": ("居民医保财政补助", "Residents' medical-insurance subsidy"),
    "pension": ("城乡居民基础养老金", "Residents' basic pension"),
    "employment_services": ("就业服务", "Employment services"),
    "general_transfers": ("市对县一般转移支付", "City's general transfers"),
    "linked_transfers": ("与人口挂钩的转移支付", "People-linked transfers"),
    "central_reward": ("中央农业转移人口市民化奖励资金", "Central reward fund for settlers"),
    "land_quota": ("新增建设用地指标", "Construction-land quota"),
    "hukou_holders": ("户籍人口", "Hukou holders"),
    "residents": ("常住人口", "Residents"),
    "urban_hukou_holders": ("城镇户籍人口", "Urban hukou holders"),
    "hukou_births": ("户籍出生", "Births to the register"),
    "hukou_deaths": ("户籍死亡", "Deaths on the register"),
    "hukou_moved_in.settlement": ("落户迁入", "Settled from outside"),
    "hukou_moved_in.student_return": ("学生户口迁回", "Students' hukou back"),
    "hukou_moved_out.settled_elsewhere": ("在市外落户迁出", "Settled outside Tieling"),
    "hukou_moved_out.marriage": ("婚嫁迁出", "Moved out by marriage"),
    "hukou_moved_out.student": ("升学迁出", "Moved out to college"),
    "hukou_moved_out.settlement": ("落户他县迁出", "Settled in another county"),
    "births": ("出生", "Births"),
    "deaths": ("死亡", "Deaths"),
    "moved_in": ("迁入", "Moved in"),
    "moved_out": ("迁出", "Moved out"),
    "other": ("其他（未分解）", "Other (not broken down)"),
    "change": ("变化合计", "Change"),
}

UNITS: dict[str, tuple[str, str]] = {
    "yuan": ("亿元", "100 million yuan"),
    "yuan/person": ("元/人", "yuan per settler"),
    "persons": ("人", "persons"),
}

LIMITS: tuple[tuple[str, str], ...] = (
    ("结果为抽样模拟（按权重换算为实际人数），区间反映随机种子间的差异，不包括参数本身的不确定性。",
     "Results are a sampled simulation weighted to real persons; intervals show the spread between random seeds, "
     "not the uncertainty of the parameters themselves."),
    ("财政部分只计与人口挂钩的收支（学位、公租房、居民医保和养老金补助、就业服务；转移支付、奖励资金、用地指标），"
     "不是县区财政的全部；价格按不变价，不贴现。",
     "The budget counts only people-linked items (school places, public rental, residents' insurance subsidies, "
     "employment services; transfers, the reward fund, land quota), not the counties' whole budgets; constant "
     "prices, no discounting."),
    ("多项单位成本缺少铁岭本地数据，为标明来源的假设（见 docs/budget.md），可在情景中修改。",
     "Several unit costs have no Tieling figure and are labelled assumptions (docs/budget.md) a scenario can change."),
    ("2020 年起的户籍人口下降慢于 2017–2019 年的登记数据（校准仍在进行）。",
     "The registered population falls more slowly from 2020 than in the 2017–2019 record (calibration is open)."),
)


def term(key: str, lang: str) -> str:
    pair = TERMS.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[0] if lang == "zh" else pair[1]
