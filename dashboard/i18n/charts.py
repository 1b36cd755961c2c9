"""Words of the time charts' target lines and of the derived shares drawn beside the outcomes."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "target_prefix": ("目标：", "Target: "),
    "target_source": ("来源：", "Source: "),
    "derived_migrant_public_school_share": ("在公办学校就读的随迁子女占比",
                                            "Share of migrant children in public school"),
}
