"""Problems with a scenario (from `sim.ScenarioError` and the dashboard's own checks) in
Chinese. The model writes them in English, one line each: `where: field.path: expected
X, found Y`. Here each known phrase has a Chinese template; field paths, file names,
line numbers and the values found are kept as they are, so a planner can still find
the field in the file. A phrase without a template stays in English (visible, not fatal).
"""
from __future__ import annotations

import ast
import re
from typing import Callable

from .options import OPTIONS
from .ui import UI
from .units import UNITS

Rule = tuple[re.Pattern, str | Callable[[re.Match], str]]


def _choices(text: str) -> str:
    """"'a', 'b' or 'c'" -> "'a'（甲）、'b'（乙）或 'c'（丙）之一": the values as the file writes them,
    each with its Chinese name where the option table has one."""
    def named(m: re.Match) -> str:
        pair = OPTIONS.get(m[1])
        return f"'{m[1]}'" + (f"（{pair[0]}）" if pair else "")
    text = re.sub(r"'([^']*)'", named, text)
    return text.replace(", ", "、").replace(" or ", " 或 ") + " 之一"


def _unit(u: str | None) -> str:
    if not u:
        return ""
    pair = UNITS.get(u.strip())
    return " " + (pair[0] if pair else u.strip())


# What a field expects (the part between "expected " and ", found "), most specific first.
EXPECTED: list[Rule] = [
    (re.compile(r"^one of the known fields \((?P<f>.*)\)$"),
     lambda m: "已知字段之一（" + "、".join(f"'{f}'" for f in m["f"].split(", ") if f) + "）"),
    (re.compile(r"^less than or equal to (?P<v>\S+)$"), r"不大于 \g<v>"),
    (re.compile(r"^greater than or equal to (?P<v>\S+)$"), r"不小于 \g<v>"),
    (re.compile(r"^greater than (?P<v>\S+)$"), r"大于 \g<v>"),
    (re.compile(r"^less than (?P<v>\S+)$"), r"小于 \g<v>"),
    # sim/blocks.py: values taken as typed
    (re.compile(r"^a whole number \(not true/false or quoted text\)$"), "整数（不能是 'true'/'false' 或带引号的文本）"),
    (re.compile(r"^a number \(not true/false or quoted text\)$"), "数值（不能是 'true'/'false' 或带引号的文本）"),
    (re.compile(r"^each option at most once \((?P<o>.*) is repeated\)$"), r"每个选项至多出现一次（'\g<o>' 重复）"),
    (re.compile(r"^text that can be written as UTF-8 \(a lone surrogate (?P<c>.*) at character (?P<n>\d+)\)$"),
     r"可写成 UTF-8 的文本（第 \g<n> 个字符是孤立的代理字符 \g<c>）"),
    # cross-field rules of sim/scenario.py and sim/policies/levers.py
    (re.compile(r"^at least one scheme while the pathway is enabled \(or enabled: false\)$"),
     "途径开启时至少选择一种保险（或设为 enabled: 'false'）"),
    (re.compile(r"^at least (?P<n>[\d,]+) \(the residents registered in (?P<c>\d+) in the (?P<y>\d+) census; "
                r"the rest of its holders live outside Tieling\)$"),
     r"至少 \g<n>（\g<y> 年普查中户籍在 \g<c> 的常住人口；其余户籍人口居住在市外）"),
    (re.compile(r"^a valid integer.*$"), "整数"),
    (re.compile(r"^a valid number.*$"), "数值"),
    (re.compile(r"^a valid boolean.*$"), "是或否（'true' 或 'false'）"),
    (re.compile(r"^a valid list.*$"), "列表"),
    (re.compile(r"^a valid dictionary.*$"), "映射（字段: 值）"),
    (re.compile(r"^a valid string.*$"), "文本"),
    (re.compile(r"^String should match pattern '(?P<p>.*)'$"),
     r"由字母、数字、汉字、“_”或“-”组成的名称（模式 \g<p>）"),
    (re.compile(r"^String should have at least (?P<n>\d+) characters?$"), r"至少 \g<n> 个字符"),
    (re.compile(r"^String should have at most (?P<n>\d+) characters?$"), r"至多 \g<n> 个字符"),
    (re.compile(r"^a year after base_year (?P<y>\d+)$"), r"base_year（\g<y>）之后的年份"),
    (re.compile(r"^at most (?P<v>\S+) \(1 - (?P<o>\w+) = 1 - (?P<w>\S+)\)$"), r"至多 \g<v>（1 − \g<o> = 1 − \g<w>）"),
    (re.compile(r"^a number from (?P<lo>\S+) to (?P<hi>\S+)(?: (?P<u>.+))?$"),
     lambda m: f"{m['lo']} 到 {m['hi']}{_unit(m['u'])} 之间的数值"),
    (re.compile(r"^(?P<lo>\d+) to (?P<hi>\d+)$"), r"\g<lo> 到 \g<hi>"),
    (re.compile(r"^one of (?P<v>.*)$"), lambda m: _choices(m["v"].replace(", ", " or ", 0))),
    (re.compile(r"^(?P<v>(?:'[^']*'|\d+)(?:, (?:'[^']*'|\d+))* or (?:'[^']*'|\d+))$"), lambda m: _choices(m["v"])),
    (re.compile(r"^at most (?P<n>[\d,]+) levels$"), r"至多 \g<n> 层"),
    (re.compile(r"^at most (?P<n>[\d,]+)$"), r"至多 \g<n> 字节"),
    (re.compile(r"^each key once$"), "每个键只出现一次"),
    (re.compile(r"^a plain scenario$"), "不含自我引用的普通情景"),
    (re.compile(r"^a mapping of scenario fields at the top$"), "顶层为情景字段的映射"),
    (re.compile(r"^PATH=VALUE$"), "路径=值"),
    (re.compile(r"^an? \.yaml or \.yml file$"), ".yaml 或 .yml 文件"),
]

FOUND: dict[str, str] = {
    "an empty or out-of-range entry": "空值或超出范围的值",
    # type names, for a file whose top level is not a mapping
    "list": "列表", "str": "文本", "int": "整数", "float": "数值", "bool": "是或否", "NoneType": "空文件",
    # booleans and nothing, as Python writes them
    "True": "'true'", "False": "'false'", "None": "空值",
}

# Whole problems or their tails, applied in order to the text after "where: path: ".
def _lead_rule(key: str) -> Rule:
    """The dashboard's own lines (upload checks in dashboard/data.py and uploads.py, a lost run in
    dashboard/jobs.py): the English text of UI[key], then perhaps a file name and its size in bytes."""
    zh, en = UI[key]
    return (re.compile("^" + re.escape(en) + r"(?P<rest>.*)$"),
            lambda m: zh + re.sub(r" \(([\d,]+) B\)$", r"（\1 字节）", m["rest"]))


PHRASES: list[Rule] = [_lead_rule(k) for k in ("upload_too_big", "upload_not_text", "upload_not_yaml",
                                               "upload_unreadable", "run_lost")] + [
    (re.compile(r"unknown field; expected (?P<e>.*), found (?P<x>.*)$"),
     lambda m: f"未知字段；应为{expected(m['e'])}，实际为 {m['x']}"),
    (re.compile(r"required field is missing$"), "缺少必填字段"),
    (re.compile(r"the file is (?P<n>[\d,]+) bytes; expected (?P<e>.*)$"),
     lambda m: f"文件大小为 {m['n']} 字节；应为{expected(m['e'])}"),
    (re.compile(r"nesting too deep; expected (?P<e>.*)$"), lambda m: f"嵌套过深；应为{expected(m['e'])}"),
    (re.compile(r"the file expands to more than (?P<n>[\d,]+) values.*$"),
     r"文件展开后超过 \g<n> 个值（别名重复展开）；应为普通情景"),
    (re.compile(r"an alias refers to the value that contains it; expected (?P<e>.*)$"),
     lambda m: f"别名引用了包含它的值；应为{expected(m['e'])}"),
    (re.compile(r"the key (?P<k>.*) appears twice \(first on line (?P<l>\d+)\); expected (?P<e>.*)$"),
     lambda m: f"键 {m['k']} 出现两次（首次在第 {m['l']} 行）；应为{expected(m['e'])}"),
    (re.compile(r"expected (?P<e>.*), found (?P<x>.*)$"),
     lambda m: f"应为{expected(m['e'])}，实际为 {found(m['x'])}"),
    (re.compile(r"invalid YAML: (?P<p>.*)$"), r"YAML 格式错误（解析器：\g<p>）"),
    (re.compile(r"file not found$"), "文件不存在"),
    (re.compile(r"cannot read: (?P<p>.*)$"), r"无法读取（\g<p>）"),
    (re.compile(r"not in the scenario library$"), "不在情景库中"),
    (re.compile(r"^no scenario selected in the library$"), "尚未在情景库中选择情景"),
    (re.compile(r"could not read the upload$"), "无法读取上传的文件"),
    (re.compile(r"(?P<n>[\d,]+) bytes; at most (?P<m>[\d,]+) bytes are accepted$"),
     r"\g<n> 字节；最多接受 \g<m> 字节"),
    (re.compile(r"not UTF-8 text$"), "不是 UTF-8 文本"),
    (re.compile(r"\.\.\. and (?P<n>[\d,]+) more problems$"), r"……另有 \g<n> 个问题"),
    (re.compile(r"^override (?P<p>\S+): no field (?P<f>\S+)$"), r"覆盖 \g<p>：没有字段 \g<f>"),
    (re.compile(r"the value is not valid YAML$"), "值不是有效的 YAML"),
]


def found(text: str) -> str:
    """A found value as the file has it; a value cut short says how long it was in Chinese."""
    text = FOUND.get(text, text)
    return re.sub(r"… \((?P<n>[\d,]+) characters\)$", r"…（共 \g<n> 个字符）", text)


def _apply(rules: list[Rule], text: str) -> str | None:
    for pattern, repl in rules:
        m = pattern.search(text)
        if m:
            new = repl(m) if callable(repl) else m.expand(repl)
            return text[:m.start()] + new + text[m.end():]
    return None


def _unquote(text: str) -> str:
    """`sim` quotes what it expects (repr of a string); the Chinese text quotes nothing."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return value if isinstance(value, str) else text
    return text


def expected(text: str) -> str:
    """What a field expects, in Chinese (unchanged when no template fits)."""
    out = _apply(EXPECTED, _unquote(text.strip()))
    return out if out is not None else text


def problem(text: str, lang: str) -> str:
    """One problem line in `lang`; English lines are returned as they are."""
    if lang != "zh":
        return text
    # a scenario edited in the controls is validated under the source name "override"
    text = re.sub(r"^override: ", "控件取值：", text)
    out = _apply(PHRASES, text)
    return out if out is not None else text
