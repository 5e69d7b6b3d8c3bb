"""A small, valid exhibition written into a folder, for tests to break one thing at a time."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

EXHIBITION = """\
title:
  zh: 测试展览
  en: Test exhibition
  fr: Exposition d’essai
subtitle:
  zh: 用于测试
  en: For tests
  fr: Pour les tests
languages: [zh, en, fr]
organisations:
  - id: feco
    name: {zh: 对外合作中心, en: FECO, fr: FECO}
  - id: unido
    name: {zh: 工发组织, en: UNIDO, fr: ONUDI}
review:
  enabled: true
  organisations: [feco, unido]
sections:
  - id: basics
    title: {zh: 基础, en: Basics, fr: Bases}
    intro: {zh: 介绍, en: An introduction, fr: Une introduction}
  - id: data
    title: {zh: 数据, en: Data, fr: Données}
"""

STORY_PANEL = """\
slug: story
section: basics
order: 10
kind: text
title: {zh: 故事, en: A story, fr: Une histoire}
summary: {zh: 一个故事, en: A short story, fr: Une courte histoire}
images:
  - file: images/photo.png
    alt: {zh: 一张照片, en: A photo, fr: Une photo}
    credit: "Test image, CC0"
sources:
  - id: treaty
    title: "UN Treaty Collection, chapter XXVII-17"
    url: https://treaties.un.org/
"""

STORY_TEXT = {
    "zh": "## 开头\n\n公约于2017年生效 [@treaty]。\n\n没有数字的段落。\n",
    "en": "## Start\n\nThe convention entered into force in 2017 [@treaty].\n\n"
          "A paragraph with no numbers.\n",
    "fr": "## Début\n\nLa convention est entrée en vigueur en 2017 [@treaty].\n\n"
          "Un paragraphe sans nombre.\n",
}

FIGURE_PANEL = """\
slug: output
section: data
order: 10
kind: figure
title: {zh: 产量, en: Output, fr: Production}
summary: {zh: 产量图, en: An output chart, fr: Un graphique}
key_figures:
  - value: "5.80"
    unit: {zh: 百万吨, en: Mt, fr: Mt}
    label: {zh: 电石法产量, en: Carbide-route output, fr: Production filière carbure}
    source: miit
figures:
  - data: output.csv
    chart: bar
    title: {zh: 产量, en: Output, fr: Production}
    unit: {zh: 百万吨, en: Mt, fr: Mt}
    source: miit
sources:
  - id: miit
    title: "MIIT plan, 2010"
"""

FIGURE_CSV = """\
label.zh,label.en,label.fr,value
全部,All routes,Toutes filières,9.15
电石法,Carbide route,Filière carbure,5.80
"""

FIGURE_TEXT = {
    "zh": "电石法产量为5.80百万吨 [@miit]。\n",
    "en": "Carbide-route output was 5.80 Mt [@miit].\n",
    "fr": "La production de la filière carbure était de 5,80 Mt [@miit].\n",
}


def write_exhibition(root: Path) -> Path:
    """Write the scratch exhibition under ``root`` (``panels/`` and ``media/``); return panels/."""
    panels = root / "panels"
    media = root / "media"
    (media / "images").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1200, 800), (46, 157, 91)).save(media / "images" / "photo.png")
    (panels / "story").mkdir(parents=True, exist_ok=True)
    (panels / "output").mkdir(parents=True, exist_ok=True)
    (panels / "exhibition.yaml").write_text(EXHIBITION, encoding="utf-8")
    (panels / "story" / "panel.yaml").write_text(STORY_PANEL, encoding="utf-8")
    for lang, text in STORY_TEXT.items():
        (panels / "story" / f"text.{lang}.md").write_text(text, encoding="utf-8")
    (panels / "output" / "panel.yaml").write_text(FIGURE_PANEL, encoding="utf-8")
    (panels / "output" / "output.csv").write_text(FIGURE_CSV, encoding="utf-8")
    for lang, text in FIGURE_TEXT.items():
        (panels / "output" / f"text.{lang}.md").write_text(text, encoding="utf-8")
    return panels


def turn_review_off(panels: Path) -> None:
    """``review: enabled: false`` in the scratch exhibition: its files are public as they are."""
    path = panels / "exhibition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  enabled: true\n",
                                                             "  enabled: false\n"),
                    encoding="utf-8")


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


# The smallest MP4 with the structure of one (ftyp, a video track, data): the checker reads a
# video's container (exhibit/content/mediafiles.py), so a test video cannot be a few zero bytes.
MINIMAL_MP4 = (_box(b"ftyp", b"mp42\0\0\0\0mp42isom")
               + _box(b"moov", _box(b"trak", _box(b"mdia", _box(b"hdlr", b"\0" * 8 + b"vide"
                                                                 + b"\0" * 12))))
               + _box(b"mdat", b"\0" * 16))
