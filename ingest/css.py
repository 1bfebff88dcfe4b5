"""Just enough CSS to tell whether text is shown: declarations, top-level style rules, colours, lengths.

No cascade or specificity: later rules win, inline styles win over rules. That is enough to see
the tricks used to hide text from people while leaving it in the HTML.
"""

from __future__ import annotations

import colorsys
import re

Rgba = tuple[float, float, float, float]

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_NUMBER = re.compile(r"^(-?(?:\d+\.?\d*|\.\d+))([a-z%]*)$")
_FUNC = re.compile(r"^(rgba?|hsla?)\((.*)\)$")
# CSS colour keywords that crawled pages use for text and backgrounds (others compare by name)
NAMED: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "whitesmoke": (245, 245, 245), "snow": (255, 250, 250),
    "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255), "floralwhite": (255, 250, 240),
    "linen": (250, 240, 230), "seashell": (255, 245, 238), "mintcream": (245, 255, 250),
    "azure": (240, 255, 255), "aliceblue": (240, 248, 255), "honeydew": (240, 255, 240),
    "beige": (245, 245, 220), "lightgray": (211, 211, 211), "lightgrey": (211, 211, 211),
    "gainsboro": (220, 220, 220), "navy": (0, 0, 128), "maroon": (128, 0, 0), "purple": (128, 0, 128),
    "teal": (0, 128, 128), "olive": (128, 128, 0), "orange": (255, 165, 0), "lime": (0, 255, 0),
    "aqua": (0, 255, 255), "cyan": (0, 255, 255), "fuchsia": (255, 0, 255), "magenta": (255, 0, 255),
}  # fmt: skip
FONT_KEYWORDS = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
                 "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}


def declarations(style: str) -> dict[str, str]:
    """``"color: #FFF; display:none !important"`` -> ``{"color": "#fff", "display": "none"}``."""
    out: dict[str, str] = {}
    for part in _COMMENT.sub("", style).split(";"):
        name, sep, value = part.partition(":")
        value = value.replace("!important", "").strip().lower()
        if sep and name.strip() and value:
            out[name.strip().lower()] = " ".join(value.split())
    return out


def style_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """The top-level rules of a style sheet as (selector list, declarations).

    At-rules with a block (``@media print {...}``, ``@font-face``) are skipped: what they hide
    depends on the medium, and a print-only rule hides nothing on screen.
    """
    css = _COMMENT.sub("", css)
    rules: list[tuple[str, dict[str, str]]] = []
    depth, head_start, body_start, selector = 0, 0, 0, ""
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                selector = css[head_start:i].rsplit(";", 1)[-1].strip()  # after an @import ...;
                body_start = i + 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                if selector and not selector.startswith("@"):
                    rules.append((selector, declarations(css[body_start:i])))
                head_start = i + 1
    return rules


def length_px(value: str | None, parent_px: float = 16.0) -> float | None:
    """A CSS length in pixels (em and % relative to ``parent_px``); None when it is not a length."""
    if not value:
        return None
    m = _NUMBER.match(value.strip())
    if not m:
        return None
    n, unit = float(m[1]), m[2]
    scale = {"": 1.0 if n == 0 else None, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
             "mm": 9.6 / 2.54, "q": 2.4 / 2.54, "rem": 16.0, "em": parent_px, "%": parent_px / 100,
             "ch": 8.0, "ex": 8.0}.get(unit)
    return n * scale if scale is not None else None


def _channel(text: str, top: float) -> float:
    text = text.strip()
    return float(text[:-1]) * top / 100 if text.endswith("%") else float(text)


def colour(value: str | None) -> Rgba | None:
    """Normalise a CSS colour (name, #hex, rgb(), rgba(), hsl(), transparent) to (r, g, b, alpha)."""
    if not value:
        return None
    v = value.strip().lower()
    if v == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if v in NAMED:
        return (*map(float, NAMED[v]), 1.0)
    if v.startswith("#") and len(v) in (4, 5, 7, 9) and all(c in "0123456789abcdef" for c in v[1:]):
        digits = v[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        parts = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = parts[3] / 255 if len(parts) == 4 else 1.0
        return (float(parts[0]), float(parts[1]), float(parts[2]), alpha)
    if m := _FUNC.match(v):
        args = [a for a in re.split(r"[\s,/]+", m[2].strip()) if a]
        try:
            alpha = _channel(args[3], 1.0) if len(args) > 3 else 1.0
            if m[1].startswith("rgb"):
                r, g, b = (_channel(a, 255) for a in args[:3])
            else:
                h = float(args[0].removesuffix("deg")) / 360
                lum, sat = _channel(args[2], 1.0), _channel(args[1], 1.0)
                r, g, b = (c * 255 for c in colorsys.hls_to_rgb(h % 1, lum, sat))
        except (ValueError, IndexError):
            return None
        return (r, g, b, alpha)
    return None


def background_colour(value: str | None) -> Rgba | None:
    """The colour in a ``background`` or ``background-color`` value; None when there is an image."""
    if not value or "url(" in value or "gradient" in value:
        return None
    for token in re.findall(r"[a-z]+\([^)]*\)|#[0-9a-f]+|[a-z]+", value):
        if (c := colour(token)) is not None:
            return c
    return None


def same_colour(a: Rgba, b: Rgba, tolerance: float = 8.0) -> bool:
    """Colours a reader cannot tell apart (every channel within ``tolerance`` of 255)."""
    return all(abs(x - y) <= tolerance for x, y in zip(a[:3], b[:3], strict=True))
