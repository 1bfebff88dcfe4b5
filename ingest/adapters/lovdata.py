"""lovdata: Lovdata's public bulk archives (tar.bz2 of XML-compatible HTML), one document per §.

Keeps the law's title, chapter and § number and heading. Drops the metadata header, the table
of contents, footnotes and amendment-history notes (``changesToParent``). Documents that have
no § of their own (amendment laws in Lovtidend) become one document per part (I, II, ...).
Licence: NLOD 2.0; the source's ``attribution`` goes with every chunk.

A remote archive is downloaded by :meth:`LovdataAdapter.collect` itself (conditional GET, kept
under the raw folder with its validators beside it); offline (``eti index --rebuild``) it reads
the copy an earlier run downloaded.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import re
import tarfile
import zlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from eti.core import Document, RawDocument, Section
from ingest.adapters.base import CollectContext, ExtractionError, register
from ingest.hidden import remove_hidden
from ingest.sources import Source

log = logging.getLogger(__name__)

BASE = "https://lovdata.no/dokument/"
NOISE = [
    "header.documentHeader", "dl.data-document-key-info", ".table-of-contents", "footer.footnotes",
    ".footnotes", ".footnotereference", "article.changesToParent", ".a11yStatus", "script", "style",
]  # fmt: skip


def _text(el: Tag) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ")).strip()


MAX_MEMBER_BYTES = 64_000_000  # the largest law is a few MB; a bigger member is not a Lovdata document
BATCH = 64  # members read per step, so that a large archive is never held in memory whole


def iter_archive(data: bytes | Path) -> Iterator[tuple[str, bytes]]:
    """(member name, bytes) for every .xml/.html member of a tar.bz2 (or .tar.gz) archive (bytes or file)."""
    try:
        opened = tarfile.open(name=data, mode="r:*") if isinstance(data, Path) else tarfile.open(
            fileobj=io.BytesIO(data), mode="r:*")
        with opened as tar:
            for m in tar:
                if not (m.isfile() and m.name.endswith((".xml", ".html"))):
                    continue
                if m.size > MAX_MEMBER_BYTES:
                    log.warning("archive member %s is %d bytes (over %d); skipped", m.name, m.size, MAX_MEMBER_BYTES)
                    continue
                f = tar.extractfile(m)
                if f is not None:
                    yield m.name, f.read()
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise ExtractionError(f"not a readable tar archive: {exc}") from exc


def read_archive(data: bytes | Path) -> list[tuple[str, bytes]]:
    return list(iter_archive(data))


def _paragraphs(article: Tag) -> str:
    """The ledd of one §, one per line; list points stay inside their ledd."""
    parts = []
    for child in article.find_all("article", recursive=False):
        classes = child.get("class") or []
        if any(c in classes for c in ("legalP", "numberedLegalP", "defaultP", "marginIdArticle", "listArticle")):
            if t := _text(child):
                parts.append(t)
    if not parts:
        clone = BeautifulSoup(str(article), "lxml")
        for h in clone.select(".legalArticleHeader, .futureLegalArticleHeader, h2, h3, h4"):
            h.decompose()
        parts = [_text(clone)] if _text(clone) else []
    return "\n".join(parts)


@register("lovdata")
class LovdataAdapter:
    async def collect(self, source: Source, ctx: CollectContext | None = None) -> AsyncIterator[RawDocument]:
        where = source.archive or ""
        path = await local_archive(source, ctx or CollectContext())
        members = iter_archive(path)
        while batch := await asyncio.to_thread(lambda: list(itertools.islice(members, BATCH))):
            for name, content in batch:
                yield RawDocument(url=f"{where}#{name}", content=content, content_type="text/html")

    def extract(self, raw: RawDocument, source: Source) -> list[Document]:
        soup = BeautifulSoup(raw.content.decode("utf-8", errors="replace"), "lxml")
        remove_hidden(soup)
        key_info = {
            (dd.get("class") or [""])[0]: _text(dd) for dd in soup.select("dl.data-document-key-info dd")
        }
        main = soup.find("main")
        if main is None:
            raise ExtractionError(f"{raw.url}: no <main> document body")
        doc_ref = main.get("data-lovdata-url") or key_info.get("dokid", "")
        title = key_info.get("title") or (_text(soup.title) if soup.title else "") or doc_ref
        short = key_info.get("titleShort", "")
        for sel in NOISE:
            for el in soup.select(sel):
                el.decompose()
        meta = {"law_title": title, "law_short": short, "law_id": key_info.get("refid", doc_ref),
                "in_force": key_info.get("dateInForce", "")}
        updated = (key_info.get("dateOfPublication") or "")[:10] or None
        common = dict(language="nn" if "lova" in short.lower() or " kva " in title.lower() else "nb",
                      updated=updated, fetched_at=raw.fetched_at)

        docs: list[Document] = []
        for art in main.select("article.legalArticle"):
            if art.find_parent("article", class_="change") is not None:
                continue  # § text inside an amendment belongs to the part, not a § of this law
            header = art.find(class_="legalArticleHeader")
            number = _text(header.find(class_="legalArticleValue")) if header else art.get("data-name", "")
            heading = _text(header) if header else number
            chapter = art.find_parent("section")
            chapter_h = chapter.find(["h2", "h3"], recursive=False) if chapter else None
            path = [title] + ([_text(chapter_h)] if chapter_h else []) + [heading]
            body = _paragraphs(art)
            if not body:
                continue
            ref = art.get("data-lovdata-url") or f"{doc_ref}/{art.get('data-name', number)}"
            docs.append(Document(url=BASE + ref, title=f"{short or title} {number}".strip(),
                                 sections=[Section(path, body)], meta={**meta, "paragraph": number}, **common))
        if not docs:
            if (h1 := main.find("h1")) is not None:
                h1.decompose()
            parts = main.find_all("section", recursive=False)
            intro = "\n".join(_text(el) for el in main.find_all(recursive=False) if el.name != "section")
            if not parts:
                parts, intro = [main], ""
            for i, part in enumerate(parts, start=1):
                h = part.find(["h2", "h3"], recursive=False) if part is not main else None
                label = _text(h) if h is not None else ""
                if h is not None:
                    h.decompose()
                body = _text(part)
                if not body:
                    continue
                if intro and i == 1:
                    body = f"{intro}\n{body}"
                ref = part.get("data-lovdata-url") or (doc_ref if part is main else f"{doc_ref}/del-{i}")
                path = [title] + ([f"Del {label}"] if label else [])
                docs.append(Document(url=BASE + ref, title=title, sections=[Section(path, body)],
                                     meta={**meta, "paragraph": ""}, **common))
        if not docs:
            raise ExtractionError(f"{raw.url}: no text in Lovdata document")
        return docs


async def local_archive(source: Source, ctx: CollectContext) -> Path:
    """The archive as a local file: a path as given, or a URL downloaded (conditionally) under raw/."""
    where = source.archive or ""
    if not where.startswith(("http://", "https://")):
        return Path(where.removeprefix("file://"))
    if ctx.raw_dir is None:
        raise ValueError(f"lovdata: {source.id}: a raw folder is needed to keep the downloaded archive")
    local = ctx.raw_dir / source.id / Path(where.split("?")[0]).name
    validators = local.with_name(local.name + ".http.json")
    if ctx.offline or ctx.fetcher is None:
        if not local.exists():
            raise OSError(f"archive {where} was never downloaded (no {local})")
        return local
    known = json.loads(validators.read_text(encoding="utf-8")) if validators.exists() and local.exists() else {}
    res = await ctx.fetcher.download(where, local, max_bytes=ctx.max_download_bytes,
                                     deadline_s=ctx.download_deadline_s, etag=known.get("etag"),
                                     last_modified=known.get("last_modified"))
    if res.ok and res.raw is not None:
        validators.write_text(json.dumps({"etag": res.raw.etag, "last_modified": res.raw.last_modified}),
                              encoding="utf-8")
    elif not (res.not_modified and local.exists()):
        if not local.exists():
            raise OSError(f"archive {where} unavailable: {res.error or res.status}")
        log.warning("%s: archive unavailable (%s); using the copy from %s", source.id, res.error, local)
    return local
