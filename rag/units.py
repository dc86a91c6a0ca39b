"""Responsible-unit lists: split, restore left-out prefixes, map aliases.

Plans write unit lists tersely. Hohhot groups units by level and writes the prefix
once per group (`市委网信办、老干部局，市科技局、公安局` is 市委网信办, 市委老干部局,
市科技局, 市公安局); every plan abbreviates some names (县卫体局 for 县卫生健康和体育局).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

# Level prefixes a unit name can start with, longest first.
LEVEL_PREFIXES = ("自治区", "市委", "县委", "区委", "省", "市", "县", "区")

# Names that stand on their own: they never take a group's left-out prefix.
_SELF_CONTAINED = re.compile(
    r"^(团[市县区]委|老科协|.+[镇乡]|.+街道|.+学院.*|.+大学|.+分局|.*[市县]委.+|[^市县区省]{2,}[市县区].+)$"
)

# Alias groups, written without the level prefix; within one plan every member of a
# group is written as the form that plan itself uses most (the full name on a tie).
ALIAS_GROUPS: tuple[tuple[str, ...], ...] = (
    ("卫生健康委", "卫健委"),
    ("卫生健康局", "卫健局"),
    ("卫生健康和体育局", "卫体局"),
    ("应急管理局", "应急局"),
    ("工业和信息化局", "工信局"),
    ("人力资源和社会保障局", "人力资源社会保障局", "人社局"),
    ("发展和改革委员会", "发改委"),
    ("文化和旅游局", "文旅局"),
    ("市场监督管理局", "市场监管局"),
    ("自然资源和规划局", "自然资源规划局"),
    ("农业农村局", "农业农村委"),
)
_ALIAS_OF = {name: group for group in ALIAS_GROUPS for name in group}

_NOTE_NOISE = re.compile(r"\*\*|\s+")
# A doubled suffix is a typo in the source (晋城市生态环境局局泽州分局).
_DOUBLED = re.compile(r"([局委部办])\1")
_TRAILING_ETC = re.compile(r"(等(有关)?(单位|部门))+$|等$")


@dataclass(frozen=True)
class UnitNote:
    """The units a 牵头 / 责任 note names, raw and normalised."""

    raw: str
    lead_raw: str = ""
    responsible_raw: str = ""
    lead: tuple[str, ...] = field(default_factory=tuple)
    responsible: tuple[str, ...] = field(default_factory=tuple)


def level_prefix(unit: str) -> str:
    """The level prefix a group's first unit carries (市委, 市, 县 …), or ''."""
    for prefix in LEVEL_PREFIXES:
        rest = unit[len(prefix):]
        if unit.startswith(prefix) and len(rest) > 1 and not unit.startswith("市场"):
            return prefix
    return ""


def split_units(text: str) -> list[str]:
    """Split a unit list and restore the prefix a group leaves out.

    Groups are separated by ，or ；, units inside a group by 、. A unit with no level
    prefix of its own takes the prefix of the first unit of its group.
    """
    text = _TRAILING_ETC.sub("", _NOTE_NOISE.sub("", text).strip("，,；;。、"))
    units: list[str] = []
    for group in re.split(r"[，,；;]", text):
        names = [_DOUBLED.sub(r"\1", _TRAILING_ETC.sub("", n)) for n in re.split(r"[、/]", group)]
        names = [n for n in names if n]
        if not names:
            continue
        prefix = level_prefix(names[0])
        for name in names:
            if prefix and not level_prefix(name) and not _SELF_CONTAINED.match(name):
                name = prefix + name
            units.append(name)
    return _dedupe(units)


def _dedupe(items):
    return list(dict.fromkeys(items))


def _split_level(unit: str) -> tuple[str, str]:
    prefix = level_prefix(unit)
    return prefix, unit[len(prefix):]


def canonical_forms(units: list[str]) -> dict[str, str]:
    """Map every unit of one plan to that plan's own canonical spelling of it."""
    usage: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for unit in units:
        prefix, rest = _split_level(unit)
        if rest in _ALIAS_OF:
            usage[(prefix + rest, (prefix,) + _ALIAS_OF[rest])] += 1
    mapping: dict[str, str] = {}
    for unit in units:
        prefix, rest = _split_level(unit)
        group = _ALIAS_OF.get(rest)
        if not group:
            mapping[unit] = unit
            continue
        members = [prefix + name for name in group]
        key = (prefix,) + group
        mapping[unit] = max(members, key=lambda m: (usage[(m, key)], -members.index(m)))
    return mapping


_LABELLED = re.compile(r"(牵头单位|责任单位|配合单位)[:：]")
_VERB_FORM = re.compile(r"^(?P<lead>.+?)牵头(?:[，,、；;](?P<resp>.*?)(?:配合|参与|负责))?$")


def parse_note(inner: str) -> UnitNote | None:
    """Read the units of a note's inner text, or None if it names no units.

    Accepts the labelled form (牵头单位：…；责任单位：…) and the verb form
    (县教育局牵头，县科协、团县委等单位配合).
    """
    clean = _NOTE_NOISE.sub("", inner)
    labels = list(_LABELLED.finditer(clean))
    lead_raw = responsible_raw = ""
    if labels:
        for i, match in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(clean)
            value = clean[match.end():end].strip("，,；; ")
            if match.group(1) == "牵头单位":
                lead_raw = value
            else:
                responsible_raw = (responsible_raw + "、" + value).strip("、")
    else:
        verb = _VERB_FORM.match(clean)
        if not verb:
            return None
        lead_raw, responsible_raw = verb.group("lead"), verb.group("resp") or ""
    return UnitNote(
        raw=inner,
        lead_raw=lead_raw,
        responsible_raw=responsible_raw,
        lead=tuple(split_units(lead_raw)),
        responsible=tuple(split_units(responsible_raw)),
    )
