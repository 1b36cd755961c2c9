"""Words of the dashboard's own chrome in Chinese and English.

Labels of levers, parameters, outcomes and counties are not here: they come from
their declarations in `sim` (LEVERS, CLAUSES, OUTCOMES, county_label). This module
holds only what the model does not declare: buttons, headings, notes, and readable
names for units and option values (falling back to the raw value when unknown).
"""
from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

UI: dict[str, tuple[str, str]] = {
    "title": ("铁岭城镇化与户籍改革模拟", "Tieling urbanization and hukou-reform simulator"),
    "subtitle": ("规划决策看板", "Planner dashboard"),
    "language": ("语言", "Language"),
    # library
    "library": ("情景库", "Scenario library"),
    "library_help": ("选择一个情景，其政策杠杆会载入下方控件。", "Pick a scenario; its levers load into the controls below."),
    "from_file": ("文件", "file"),
    "from_session": ("本次会话", "this session"),
    "upload": ("上传情景 YAML（≤256 KB）", "Upload scenario YAML (≤256 KB)"),
    "upload_ok": ("已上传并通过校验：", "Uploaded and validated: "),
    "upload_bad": ("上传的情景有问题：", "The uploaded scenario has problems:"),
    "upload_too_big": ("文件超过 256 KB，已拒绝：", "File larger than 256 KB, refused: "),
    "upload_not_text": ("文件不是 UTF-8 文本：", "The file is not UTF-8 text: "),
    "upload_not_yaml": ("只接受 .yaml 或 .yml 情景文件：", "Only .yaml or .yml scenario files are accepted: "),
    "upload_unreadable": ("无法读取上传的文件：", "Could not read the uploaded file: "),
    "save": ("存入情景库（本次会话）", "Save to library (this session)"),
    "saved": ("已存入情景库：", "Saved to the library: "),
    "download_yaml": ("下载情景 YAML", "Download scenario YAML"),
    "reset": ("恢复为所选情景", "Reset to the selected scenario"),
    "name": ("情景名称", "Scenario name"),
    "end_year": ("模拟结束年份", "Last simulated year"),
    # levers
    "levers": ("政策杠杆（按文件条款）", "Policy levers (by clause of the document)"),
    "document_value": ("文件规定", "document"),
    "changed": ("已修改", "changed"),
    "advanced": ("高级：行为参数", "Advanced: behaviour parameters"),
    "advanced_help": ("模型的行为假设；数值来源见悬停提示。", "The model's behavioural assumptions; hover for each value's source."),
    "assumption": ("假设", "assumption"),
    "on": ("是", "yes"),
    "problems": ("情景有问题：", "The scenario has problems:"),
    # run
    "run_settings": ("运行设置", "Run settings"),
    "scale": ("抽样比例", "Sample scale"),
    "scale_help": ("模拟人口占实际人口的比例；结果按权重换算为实际人数。", "Share of the real population simulated; results are weighted to real persons."),
    "replicates": ("重复次数（随机种子）", "Replicates (random seeds)"),
    "replicates_help": ("各情景使用相同的种子，差异来自政策而非随机性。", "All scenarios use the same seeds, so differences come from policy, not noise."),
    "run": ("运行并加入比较", "Run and add to comparison"),
    "cancel": ("取消", "Cancel"),
    "running": ("正在运行", "Running"),
    "run_done": ("运行完成：", "Finished: "),
    "run_failed": ("运行失败：", "Run failed: "),
    "run_lost": ("运行进程意外结束，没有结果（可能被终止或内存不足）。请再运行一次。",
                 "The run's process ended without a result (stopped, or out of memory). Please run it again."),
    "too_many": ("最多比较 4 个情景，请先移除一个。", "At most 4 scenarios can be compared; remove one first."),
    "seconds": ("秒", "s"),
    # comparison
    "comparison": ("情景比较", "Comparison"),
    "no_runs": ("尚未运行任何情景。在左侧选择情景并点击“运行并加入比较”。",
                "No runs yet. Pick a scenario on the left and press “Run and add to comparison”."),
    "remove": ("移除", "Remove"),
    "clear": ("清空比较", "Clear comparison"),
    "baseline": ("基准情景", "Baseline"),
    "mode": ("显示", "Show"),
    "levels": ("水平值", "Levels"),
    "difference": ("与基准之差", "Difference from baseline"),
    "band": ("重复结果区间", "Replicate band"),
    "band_minmax": ("最小–最大", "min–max"),
    "band_p10p90": ("10%–90% 分位", "10th–90th percentile"),
    "area": ("地区", "Area"),
    "year": ("年份（分县图、地图、汇总表）", "Year (county views, map, table)"),
    "outcome": ("指标（地图、指标浏览）", "Outcome (map, explorer)"),
    "download_csv": ("下载结果 CSV", "Download results CSV"),
    "download_parquet": ("下载结果 Parquet", "Download results Parquet"),
    "replicates_short": ("次重复", "replicates"),
    "scale_short": ("比例", "scale"),
    "changed_levers": ("改动的杠杆", "levers changed"),
    # views
    "tab_urban": ("城镇化率", "Urbanization"),
    "tab_population": ("人口", "Population"),
    "tab_counties": ("分县", "Counties"),
    "tab_settle": ("落户", "Settlements"),
    "tab_permits": ("居住证", "Residence permits"),
    "tab_schools": ("随迁子女与学位", "Schools"),
    "tab_housing": ("公租房", "Public rental"),
    "tab_money": ("人地钱挂钩", "Transfers and land"),
    "tab_map": ("地图", "Map"),
    "tab_explore": ("指标浏览", "Explorer"),
    "tab_statistics": ("人口统计口径", "Population statistics"),
    "tab_table": ("汇总表", "Summary table"),
    "fig_rates": ("常住人口与户籍人口城镇化率", "Resident and hukou urbanization rates"),
    "fig_gap": ("两率差距", "Gap between the rates"),
    "fig_by_pathway": ("按落户途径", "by pathway"),
    "fig_by_kind": ("按人群类型", "by kind of agent"),
    "diff_suffix": ("（与基准之差）", " (difference from baseline)"),
    "mean_of": ("{n} 次重复的均值", "mean of {n} replicates"),
    "band_note": ("阴影：{band}", "shaded: {band}"),
    "not_in_results": ("此指标尚未出现在模型结果中：", "Not yet in the model's results: "),
    "no_group_breakdown": ("此指标尚无分组结果：", "No breakdown of this outcome yet: "),
    "map_credit": ("行政区划边界：阿里云 DataV.GeoAtlas（高德数据，GCJ-02），经 github.com/anzhou99/GeoJsons；见 sim/data/geo/SOURCE.md",
                   "Boundaries: Aliyun DataV.GeoAtlas (AMap data, GCJ-02) via github.com/anzhou99/GeoJsons; see sim/data/geo/SOURCE.md"),
    "map_custom": ("行政区划边界：", "Boundaries: "),
    "county": ("县区", "County"),
    "indicator": ("指标", "Outcome"),
    "unit": ("单位", "Unit"),
    "vs_baseline": ("较基准", "vs baseline"),
    "seeds_differ": ("注意：与基准使用的随机种子不同，差值按均值计算。",
                     "Note: seeds differ from the baseline's; differences are of means."),
    "expired": ("结果已过期，请重新运行：", "Results expired; run again: "),
    "scenario": ("情景", "Scenario"),
    "replicate": ("重复", "Replicate"),
}

UNITS: dict[str, tuple[str, str]] = {
    "persons": ("人", "persons"),
    "persons/year": ("人/年", "persons/year"),
    "fraction": ("%", "%"),
    "households": ("户", "households"),
    "persons/household": ("人/户", "persons/household"),
    "years": ("年", "years"),
    "months": ("月", "months"),
    "yuan": ("元", "yuan"),
    "yuan/year": ("元/年", "yuan/year"),
    "yuan/month": ("元/月", "yuan/month"),
    "share": ("比例", "share"),
    "share/year": ("比例/年", "share/year"),
    "per year": ("每年", "per year"),
    "m²": ("平方米", "m²"),
    "places": ("个学位", "places"),
    "flats": ("套", "flats"),
    "households/year": ("户/年", "households/year"),
    "0-1": ("0–1", "0–1"),
    "pp": ("百分点", "percentage points"),
}

# Readable names of option values and breakdown groups the model does not label itself.
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
}

BLOCKS: dict[str, tuple[str, str]] = {
    "demography": ("人口变动", "Demography"),
    "outside": ("市外迁移", "Moves to and from outside"),
    "migration": ("市内迁移", "Moves within Tieling"),
    "work": ("就业与收入", "Work and income"),
    "education": ("教育", "Education"),
    "settling": ("落户决策", "Settling"),
    "housing": ("住房", "Housing"),
    "services": ("公共服务与资金", "Services and funds"),
}


def t(key: str, lang: str) -> str:
    """A chrome string; unknown keys show themselves so a missing entry is visible, not fatal."""
    pair = UI.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def _pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    if pair is None:
        return key.replace("_", " ")
    return pair[0] if lang == "zh" else pair[1]


def unit(u: str, lang: str) -> str:
    return _pick(UNITS, u, lang) if u else ""


def option(value: str, lang: str) -> str:
    return _pick(OPTIONS, str(value), lang)


def block(name: str, lang: str) -> str:
    return _pick(BLOCKS, name, lang)
