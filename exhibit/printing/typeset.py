"""Typesetting the print HTML before WeasyPrint lays it out: what Pango's line breaking and the
fonts do not do by themselves.

- A citation mark ``[1]`` never starts a line: Unicode line breaking allows a break before an
  opening bracket, so the mark is kept with the character before it (and with the closing
  punctuation after it, ``。``, which WeasyPrint may otherwise carry across an element boundary).
- In Chinese, Latin letters and digits are set a quarter em apart from Han characters (W3C
  *Requirements for Chinese Text Layout*, 3.2.2): WeasyPrint has no ``text-autospace``, so a
  FOUR-PER-EM SPACE is put between them, in the text only (never in tags, styles or scripts).
- Never a slanted Chinese face: CJK fonts have no italic, and a synthetic oblique is not Chinese
  typography; emphasis is bold (print.css, ``:lang(zh) em``).
"""

from __future__ import annotations

import re

# Closing punctuation that must not start a line (GB/T 15834 and clreq 3.1.7), ASCII and wide.
CLOSING = "，。、；：？！）」』》〉】〕”’…—,.;:?!)]"
_CITATION = re.compile(
    r'([^\s<>])(\s*)(<sup class="cite">.*?</sup>)([' + re.escape(CLOSING) + r"]*)", re.S)
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_LATIN = r"[A-Za-z0-9]"
_HAN_LATIN = re.compile(f"({_HAN})({_LATIN})")
_LATIN_HAN = re.compile(f"({_LATIN})({_HAN})")
QUARTER_EM = "\u2005"
_SKIP = re.compile(r"(<style\b.*?</style>|<script\b.*?</script>|<[^>]*>)", re.S | re.I)


def keep_citations(html: str, chinese: bool = False) -> str:
    """Each citation mark in a no-break span with the character before it (and the space
    between, which Chinese drops: its text has no spaces)."""
    def keep(m: re.Match) -> str:
        space = "" if chinese else m.group(2)
        return f'<span class="p-nobr">{m.group(1)}{space}{m.group(3)}{m.group(4)}</span>'

    return _CITATION.sub(keep, html)


def space_han_latin(html: str) -> str:
    """A quarter em between Han characters and Latin letters or digits, in text only."""
    parts = _SKIP.split(html)
    for i in range(0, len(parts), 2):  # the even parts are text, the odd ones tags and styles
        text = _HAN_LATIN.sub(rf"\1{QUARTER_EM}\2", parts[i])
        parts[i] = _LATIN_HAN.sub(rf"\1{QUARTER_EM}\2", text)
    return "".join(parts)


def typeset(html: str, lang: str) -> str:
    chinese = lang.split("-")[0] == "zh"
    html = keep_citations(html, chinese)
    return space_han_latin(html) if chinese else html
