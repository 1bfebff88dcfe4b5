"""Remove what a reader of the page never sees, before any adapter extracts text from it.

Hidden text is a way to put words into an index that the publisher's readers cannot check:
a ``<p hidden>`` promise, white text on a white box, a screen-reader-only "instruction". Every
HTML adapter (generic included, before trafilatura) parses pages through :func:`remove_hidden`.

Removed: HTML comments; elements with the ``hidden`` attribute (not ``hidden=until-found``,
which find-in-page reveals), ``aria-hidden=true`` or a screen-reader-only / hidden class;
``display:none``, ``opacity:0``, zero-size boxes that clip their content, off-screen positioning
and large negative ``text-indent`` (inline styles and top-level ``<style>`` rules). Text nodes are
removed where ``visibility`` is hidden, the font size is (nearly) zero, the colour is transparent or
the same as the nearest background behind it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from soupsieve import SelectorSyntaxError

from ingest.css import (
    FONT_KEYWORDS,
    Rgba,
    background_colour,
    colour,
    declarations,
    length_px,
    same_colour,
    style_rules,
)

log = logging.getLogger(__name__)

HIDING_CLASSES = {"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "hidden", "d-none",
                  "invisible", "hide"}
# "d-none d-md-block" / "hidden md:block" are shown on wider screens: not hidden text
_REVEALS = re.compile(r"^(d-(sm|md|lg|xl|xxl)-(?!none)[a-z-]+|(sm|md|lg|xl|2xl):(?!hidden)[a-z-]+)$")
# a selector list of tags, classes and ids, compound or descendant (no pseudo-classes, no attributes)
_SIMPLE_SELECTOR = re.compile(r"^[\w\s.#>,*-]+$")
_RELEVANT = {"display", "visibility", "opacity", "font-size", "color", "background", "background-color",
             "width", "height", "max-width", "max-height", "overflow", "overflow-x", "overflow-y", "clip",
             "clip-path", "text-indent", "position", "left", "top", "right"}
_PAGE = {"html", "head", "body"}
OFFSCREEN_PX = -200.0
MAX_RULES = 500
_UNKNOWN = (-1.0, -1.0, -1.0, -1.0)  # a background image: we cannot tell what is behind the text


def remove_hidden(soup: BeautifulSoup) -> int:
    """Remove hidden elements and hidden text from ``soup`` in place; returns how many were removed."""
    removed = 0
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
        removed += 1
    styles = _declared_styles(soup)
    stack: list[Tag] = [soup]
    while stack:  # depth first; a removed element's subtree is not visited
        for child in list(stack.pop().children):
            if not isinstance(child, Tag):
                continue
            hideable = child.name not in _PAGE  # a page that hides itself until a script runs is still shown
            if hideable and (child.attrs or id(child) in styles) and _element_hidden(child, styles.get(id(child), {})):
                child.decompose()
                removed += 1
            else:
                stack.append(child)
    computed: dict[int, _Computed] = {}
    for node in soup.find_all(string=True):
        if type(node) is not NavigableString or not node.strip() or node.parent is None:
            continue
        if node.parent.name in ("script", "style", "title", "head", "html", "[document]"):
            continue
        if _text_hidden(_computed(node.parent, styles, computed)):
            node.extract()
            removed += 1
    return removed


def _declared_styles(soup: BeautifulSoup) -> dict[int, dict[str, str]]:
    """Per element (by id): declarations from simple ``<style>`` rules, then its inline style."""
    styles: dict[int, dict[str, str]] = {}
    rules = []
    for sheet in soup.find_all("style"):
        if (sheet.get("media") or "all").lower() not in ("all", "screen"):
            continue
        rules.extend((sel, d) for sel, d in style_rules(sheet.get_text()) if _RELEVANT & d.keys())
    for selector, decl in rules[:MAX_RULES]:
        if not _SIMPLE_SELECTOR.match(selector):
            continue
        try:
            matched = soup.select(selector)
        except (SelectorSyntaxError, ValueError, NotImplementedError):
            continue
        for el in matched:
            styles.setdefault(id(el), {}).update(decl)
    for el in soup.find_all(lambda t: bool(t.attrs) and ("style" in t.attrs or "bgcolor" in t.attrs
                                                         or (t.name == "font" and "color" in t.attrs))):
        legacy = {}
        if el.name == "font" and el.get("color"):
            legacy["color"] = str(el["color"]).lower()
        if el.get("bgcolor"):
            legacy["background-color"] = str(el["bgcolor"]).lower()
        inline = declarations(str(el["style"])) if el.get("style") else {}
        if legacy or inline:
            styles.setdefault(id(el), {}).update(legacy | inline)
    return styles


def _element_hidden(el: Tag, d: dict[str, str]) -> bool:
    if el.has_attr("hidden") and str(el.get("hidden")).lower() != "until-found":
        return True
    if str(el.get("aria-hidden", "")).strip().lower() == "true":
        return True
    classes = [str(c) for c in el.get("class") or []]
    if HIDING_CLASSES.intersection(classes) and not any(_REVEALS.match(c) for c in classes):
        return True
    if not d:
        return False
    if d.get("display") == "none":
        return True
    opacity = d.get("opacity", "")
    try:
        if opacity and (float(opacity.rstrip("%")) / (100 if opacity.endswith("%") else 1)) <= 0.05:
            return True
    except ValueError:
        pass
    clips = any(d.get(k) in ("hidden", "clip") for k in ("overflow", "overflow-x", "overflow-y"))
    sizes = [length_px(d.get(k)) for k in ("width", "height", "max-width", "max-height")]
    if clips and any(s is not None and s <= 1 for s in sizes):
        return True
    if _clip_empty(d.get("clip", "")) or re.match(r"inset\(\s*(50|100)%", d.get("clip-path", "")):
        return True
    indent = length_px(d.get("text-indent"))
    if indent is not None and indent <= OFFSCREEN_PX:
        return True
    if d.get("position") in ("absolute", "fixed"):
        offsets = [length_px(d.get(k)) for k in ("left", "top", "right")]
        if any(o is not None and o <= OFFSCREEN_PX for o in offsets):
            return True
    return False


def _clip_empty(value: str) -> bool:
    """``clip: rect(0 0 0 0)`` / ``rect(1px, 1px, 1px, 1px)``: nothing of the box is shown."""
    m = re.match(r"rect\((.*)\)", value)
    if not m:
        return False
    parts = [length_px(p) for p in re.split(r"[\s,]+", m[1].strip()) if p]
    if len(parts) != 4 or any(p is None for p in parts):
        return False
    top, right, bottom, left = parts  # type: ignore[misc]
    return bottom - top <= 1 or right - left <= 1


@dataclass(frozen=True)
class _Computed:
    colour: Rgba | None = None
    background: Rgba | None = None
    font_px: float = 16.0
    visible: bool = True


def _computed(el: Tag, styles: dict[int, dict[str, str]], memo: dict[int, _Computed]) -> _Computed:
    """Inherited colour, font size and visibility, and the nearest background, for one element."""
    chain: list[Tag] = []
    cur: Tag | None = el
    while cur is not None and id(cur) not in memo:
        chain.append(cur)
        cur = cur.parent
    base = memo[id(cur)] if cur is not None else _Computed()
    for node in reversed(chain):
        d = styles.get(id(node))
        if d:
            base = _inherit(base, d)
        memo[id(node)] = base
    return memo[id(el)]


def _inherit(parent: _Computed, d: dict[str, str]) -> _Computed:
    fg = colour(d.get("color")) if d.get("color") not in (None, "inherit", "currentcolor") else None
    bg_value = d.get("background-color") or d.get("background")
    bg = background_colour(bg_value)
    if bg_value and bg is None and ("url(" in bg_value or "gradient" in bg_value):
        bg = _UNKNOWN
    if bg is not None and bg != _UNKNOWN and bg[3] <= 0.05:
        bg = None  # a transparent box shows what is behind it
    size = d.get("font-size")
    font = FONT_KEYWORDS.get(size or "") or length_px(size, parent.font_px)
    visibility = d.get("visibility")
    return _Computed(
        colour=fg if fg is not None else parent.colour,
        background=bg if bg is not None else parent.background,
        font_px=font if font is not None else parent.font_px,
        visible=parent.visible if visibility not in ("hidden", "collapse", "visible") else visibility == "visible",
    )


def _text_hidden(c: _Computed) -> bool:
    if not c.visible or c.font_px <= 1:
        return True
    if c.colour is None:
        return False
    if c.colour[3] <= 0.05:
        return True
    return c.background is not None and c.background != _UNKNOWN and same_colour(c.colour, c.background)
