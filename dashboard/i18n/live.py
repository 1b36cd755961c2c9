"""Words of automatic re-runs: the switch, the out-of-date note and the automatic run's tag."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "auto_rerun": ("改动杠杆后自动重新运行", "Re-run automatically when a lever changes"),
    "auto_rerun_help": ("杠杆停止改动约 {pause:.1f} 秒后按当前设置重新运行；新结果替换上一个自动结果，"
                        "新结果到来之前旧结果保持可见。点击“运行并加入比较”则保留结果。",
                        "About {pause:.1f} s after the last change of a lever the scenario is run again with the "
                        "current settings; the new result replaces the previous automatic one, which stays "
                        "visible until it arrives. “Run and add to comparison” keeps a result."),
    "stale": ("结果已过时：正在按改动后的杠杆重新运行……", "Out of date: running again with the changed levers …"),
    "auto_tag": ("自动", "automatic"),
}
