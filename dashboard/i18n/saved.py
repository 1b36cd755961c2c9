"""Words of the scenarios saved on the server and shared by link (dashboard/saved_panel.py)."""
from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "saved_heading": ("服务器上的情景（可分享链接）", "Scenarios on the server (shared by link)"),
    "saved_help": ("以上方“名称”把当前情景保存到服务器，得到一个链接；任何人打开链接即载入同样的政策杠杆。名称可用中文。",
                   "Save the current scenario on the server under the name above and get a link; anyone who "
                   "opens the link gets the same levers. Names may be Chinese."),
    "save_server": ("保存到服务器", "Save on the server"),
    "saved_pick": ("打开已保存的情景…", "Open a saved scenario…"),
    "saved_none": ("服务器上还没有保存的情景", "No scenario saved on the server yet"),
    "saved_link": ("分享链接：", "Link to share: "),
    "saved_server_ok": ("已保存到服务器：{name}（编号 {id}）", "Saved on the server: {name} (no. {id})"),
    "saved_overwritten": ("已覆盖服务器上的情景：{name}（编号 {id}）", "Overwrote the saved scenario {name} (no. {id})"),
    "saved_overwrite_ask": ("服务器上已有名为“{name}”的情景。要用当前设置覆盖它吗？",
                            "A scenario named \u201c{name}\u201d is saved on the server already. Overwrite it with "
                            "the current settings?"),
    "saved_not_overwritten": ("未覆盖：{name} 保持原样。可改名后再保存。",
                              "Not overwritten: {name} is unchanged. Rename to save it separately."),
    "saved_opened": ("已从链接打开：{name}（{saved_at} 保存）", "Opened from the link: {name} (saved {saved_at})"),
    "saved_not_found": ("找不到链接所指的情景：{ref}。请检查编号或名称，或从下拉列表中选择。",
                        "No saved scenario {ref}: check the number or name in the link, or pick one from the list."),
    "saved_invalid": ("链接所指的情景不再有效", "The linked scenario is no longer valid"),
    "saved_db_failed": ("服务器的情景数据库不可用，未能完成操作。", "The server's scenario database is unavailable; "
                        "nothing was done."),
}
