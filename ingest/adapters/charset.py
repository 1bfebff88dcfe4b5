"""Decode an HTML response the way a browser does: BOM, then the HTTP header's charset, then <meta>.

A declared charset that is unknown or does not fit the bytes is skipped (and logged); then UTF-8,
then windows-1252. Bytes that decode only to control characters are refused rather than indexed
as mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re

from eti.core import RawDocument
from ingest.adapters.base import ExtractionError

log = logging.getLogger(__name__)

_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# what browsers actually use for these labels (WHATWG Encoding): latin-1 pages are windows-1252
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "windows-1252": "cp1252"}


def header_charset(content_type: str) -> str | None:
    m = _HEADER.search(content_type or "")
    return m[1].lower() if m else None


def meta_charset(content: bytes) -> str | None:
    m = _META.search(content[:4096])
    return m[1].decode("ascii", "ignore").lower() if m else None


def _codec(label: str) -> str | None:
    name = _ALIASES.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(raw: RawDocument) -> str:
    """The page's text, decoded by its declared charset (header, then meta) where that fits."""
    content = raw.content
    for bom, name in _BOMS:
        if content.startswith(bom):
            try:
                text = content.decode(name)
            except UnicodeDecodeError:
                break
            if "<" in text[:1024]:  # random bytes can start with a UTF-16 BOM; markup cannot hide
                return _checked(raw, text)
            break
    declared = [("HTTP header", header_charset(raw.content_type)), ("meta", meta_charset(content))]
    for where, label in declared:
        if not label:
            continue
        codec = _codec(label)
        if codec is None:
            log.warning("%s: unknown charset %r in the %s; ignoring it", raw.url, label, where)
            continue
        try:
            return _checked(raw, content.decode(codec))
        except UnicodeDecodeError:
            log.warning("%s: the bytes are not %s as the %s says; trying the next declaration", raw.url, label, where)
    try:
        return _checked(raw, content.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    return _checked(raw, text)


def _checked(raw: RawDocument, text: str) -> str:
    odd = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t\f") or 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd")
    if odd > 0.05 * max(1, len(text)):
        raise ExtractionError(f"{raw.url}: not text (undecodable bytes)")
    return text
