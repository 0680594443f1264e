"""Pinyin keys for Chinese names, so that lists sort as a Chinese office expects and 'zs' finds 张三."""

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's most common one.
_SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "覃": "qin",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "尉": "yu",
    "乐": "yue",
    "秘": "bi",
    "黑": "he",
    "种": "chong",
    "长": "chang",
    "重": "chong",
    "华": "hua",
}


def name_to_pinyin(name: str) -> tuple[str, str, str]:
    """Return (syllables separated by spaces for sorting, compact pinyin for search, initials)."""
    name = (name or "").strip()
    if not name:
        return "", "", ""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    if name[0] in _SURNAMES:
        syllables[0] = _SURNAMES[name[0]]
    syllables = [s for s in (part.strip() for part in syllables) if s]
    return " ".join(syllables), "".join(syllables), "".join(s[0] for s in syllables)


def search_key(text: str) -> str:
    """Normalise what a user typed for a pinyin search: lower case, no spaces."""
    return "".join((text or "").lower().split())
