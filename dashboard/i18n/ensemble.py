"""Words of the parameter-ensemble panel, in Chinese and English (merged into the dashboard's
translation table, `dashboard.i18n`)."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "ens_title": ("参数不确定性（参数集合）", "Parameter uncertainty (parameter ensemble)"),
    "ens_help": ("用参数集合中的若干组参数（均与 2020 年普查和 2017–2019 年户籍人口相符）各以 2 个随机种子重新运行所选情景："
                 "阴影为参数与随机性合计的 {level} 区间，表中为方差中参数与随机种子各占的份额。",
                 "Run the chosen scenario again with K parameter sets of the ensemble (each fits the 2020 census "
                 "and the registered population 2017–2019), 2 seeds each: the band is the {level} range from "
                 "parameters and seeds together; the table gives the shares of the variance due to each."),
    "ens_k": ("参数集合组数", "Parameter ensemble K"),
    "ens_run_of": ("情景", "Scenario"),
    "ens_go": ("运行参数集合", "Run the ensemble"),
    "ens_no_runs": ("请先运行至少一个情景。", "Run at least one scenario first."),
    "ens_bad_k": ("组数须为 2 至 {n} 之间的整数。", "K must be a whole number from 2 to {n}."),
    "ens_band": ("{level} 区间（参数与随机性）", "{level} band (parameters and seeds)"),
    "ens_mean": ("均值", "Mean"),
    "ens_year": ("年份", "Year"),
    "ens_outcome": ("指标", "Outcome"),
    "ens_sd": ("标准差", "Standard deviation"),
    "ens_pp": ("个百分点", "pp"),
    "ens_params_share": ("参数所占份额", "Share due to parameters"),
    "ens_seeds_share": ("随机种子所占份额", "Share due to seeds"),
    "ens_table_note": ("{year} 年，全市；{k} 组参数 × 2 个种子，共 {runs} 次运行。",
                       "{year}, whole city; {k} parameter sets × 2 seeds, {runs} runs."),
    "ens_failed": ("参数集合未能运行", "The ensemble did not run"),
    "ens_lost": ("参数集合的运行进程意外结束（可能内存不足），没有结果；请再试一次。",
                 "The ensemble's process ended without a result (perhaps out of memory); please try again."),
    "ens_cancelled": ("参数集合的运行已取消。", "The ensemble run was cancelled."),
    "ens_done": ("参数集合运行完成：{label}，{k} 组参数 × 2 个种子，共 {runs} 次运行（{seconds:.1f} 秒）",
                 "Ensemble finished: {label}, {k} parameter sets × 2 seeds, {runs} runs ({seconds:.1f} s)"),
    "ens_progress_label": ("{label} 的参数集合（{k} 组 × 2 个种子）", "the ensemble of {label} ({k} sets × 2 seeds)"),
    "ens_result_of": ("情景 {label} 在参数集合上的结果：", "Scenario {label} over the parameter ensemble:"),
    "ens_expired": ("参数集合的结果已过期，请重新运行。", "The ensemble's result has expired; please run it again."),
}
