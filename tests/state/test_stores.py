"""The state stores on every backend: memory, sqlite (a real file) and redis (a real redis-server).

Two ``State`` objects over the same file or server stand for two API workers. Time is a clock the
test moves (``support.clock.Clock``), never a sleep.
"""

from __future__ import annotations

import multiprocessing
import secrets

import pytest
from support.clock import Clock, fixed_time

from eti.settings import Settings
from eti.state import Turn, build_state
from eti.state.registry import backend_name

DAY = 86_400
FNR = "15081210281"


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request, tmp_path):
    """backend(clock) -> a new State on this backend; every call shares the same storage (not memory)."""
    overrides = {"data_dir": tmp_path / "data", "state_backend": request.param, "conversation_ttl_s": 3600,
                 "retention_days": 21}
    if request.param == "redis":
        overrides |= {"redis_url": request.getfixturevalue("redis_url"),
                      "redis_prefix": f"test-{secrets.token_hex(4)}:"}
    made = []

    def make(clock, **more):
        state = build_state(Settings(**(overrides | more)), now=clock)
        made.append(state)
        return state

    make.name = request.param
    yield make
    for s in made:
        s.close()


def two(backend, clock, **settings):
    """Two workers' views of one store; on the memory backend there is only one process, so one view."""
    a = backend(clock, **settings)
    return a, (a if backend.name == "memory" else backend(clock, **settings))


def test_a_conversation_started_on_one_worker_continues_on_the_other(backend):
    clock = Clock()
    a, b = two(backend, clock)
    conv = a.conversations.get_or_new(None)
    a.conversations.add(conv, Turn("Hva er pleiepenger?", "answered", ["kort:pleiepenger"]))
    clock.advance(60)
    again = b.conversations.get_or_new(conv.id)
    assert again.id == conv.id
    assert [(t.question, t.status, t.doc_ids) for t in again.turns] == [
        ("Hva er pleiepenger?", "answered", ["kort:pleiepenger"])]
    b.conversations.add(again, Turn("Hvordan søker jeg?", "answered", []))
    assert [t.question for t in a.conversations.get_or_new(conv.id).turns] == ["Hva er pleiepenger?",
                                                                               "Hvordan søker jeg?"]
    assert a.conversations.exists(conv.id) and b.conversations.exists(conv.id)


def test_follow_up_context_is_forgotten_after_the_ttl(backend):
    clock = Clock()
    a, b = two(backend, clock)
    conv = a.conversations.get_or_new(None)
    a.conversations.add(conv, Turn("Hva er pleiepenger?", "answered", []))
    clock.advance(3601)
    assert not b.conversations.exists(conv.id)
    late = b.conversations.get_or_new(conv.id)
    assert late.turns == []
    b.conversations.add(late, Turn("Hvordan søker jeg?", "answered", []))
    assert [t.question for t in a.conversations.get_or_new(conv.id).turns] == ["Hvordan søker jeg?"]


def test_only_the_last_turns_are_kept(backend):
    a, _ = two(backend, Clock())
    conv = a.conversations.get_or_new(None)
    for i in range(14):
        a.conversations.add(conv, Turn(f"spørsmål {i}", "answered", []))
    assert [t.question for t in a.conversations.get_or_new(conv.id).turns] == [f"spørsmål {i}" for i in range(4, 14)]


def test_a_conversation_id_that_holds_personal_data_is_never_used(backend):
    a, _ = two(backend, Clock())
    for bad in (FNR, "ring-41234567", "id_12345678901", "kort"):
        conv = a.conversations.get_or_new(bad)
        assert conv.id != bad and FNR not in conv.id
        a.conversations.add(conv, Turn("Hva er avlastning?", "answered", []))
        assert not a.conversations.exists(bad)


def test_the_rate_limit_is_one_bucket_for_every_worker(backend):
    clock = Clock()
    a, b = two(backend, clock)
    waits = [s.limits.take("ip:198.51.100.7", 3) for s in (a, b, a, b)]
    assert waits[:3] == [0, 0, 0]
    assert 19 <= waits[3] <= 20  # 3 a minute: the next token in 20 s
    assert b.limits.take("ip:198.51.100.8", 3) == 0  # another client has its own bucket
    clock.advance(20)
    assert a.limits.take("ip:198.51.100.7", 3) == 0
    assert b.limits.take("ip:198.51.100.7", 3) > 0


def test_feedback_is_redacted_and_its_comments_go_after_the_retention_but_counts_stay(backend):
    clock = Clock()
    a, b = two(backend, clock)
    a.feedback.add("k3J9xYz0abcd", "up", f"Nyttig! fnr {FNR}, ola@example.com")
    a.feedback.add("k3J9xYz0abcd", "down", None)
    clock.advance(10 * DAY)
    b.feedback.add("other-conv-1", "up", "Bra")
    rows = b.feedback.rows("k3J9xYz0abcd")
    assert [r["rating"] for r in rows] == ["up", "down"]
    assert FNR not in rows[0]["comment"] and "ola@example.com" not in rows[0]["comment"]
    assert rows[0]["comment"].startswith("Nyttig!") and rows[1]["comment"] is None
    clock.advance(12 * DAY)  # the first two are 22 days old, the third 12
    gone = b.purge()
    assert gone["feedback"] == 2
    assert [r["comment"] for r in a.feedback.rows()] == ["Bra"]
    counts = {(c.day, c.kind): c.n for c in a.feedback.daily_counts()}
    assert sum(counts.values()) == 3 and sum(n for (_, k), n in counts.items() if k == "up") == 2


def test_conversation_turns_are_purged_after_the_retention_days(backend):
    clock = Clock()
    a, b = two(backend, clock, conversation_ttl_s=60 * DAY)  # context kept long, so only retention removes it
    old = a.conversations.get_or_new(None)
    a.conversations.add(old, Turn("Gammelt spørsmål", "answered", []))
    clock.advance(15 * DAY)
    recent = a.conversations.get_or_new(None)
    a.conversations.add(recent, Turn("Nytt spørsmål", "no_answer", []))
    clock.advance(7 * DAY)  # old: 22 days, recent: 7 days
    assert b.purge()["conversation_turns"] == 1
    assert b.purge()["conversation_turns"] == 0  # idempotent: several workers may purge
    assert [t.question for t in a.conversations.get_or_new(recent.id).turns] == ["Nytt spørsmål"]
    assert a.conversations.get_or_new(old.id).turns == []
    counts = {c.kind: c.n for c in a.conversations.daily_counts()}
    assert counts == {"answered": 1, "no_answer": 1}  # the counts stay


def test_an_idempotency_key_makes_a_retry_count_once(backend):
    clock = Clock()
    a, b = two(backend, clock)
    assert a.idempotency.claim("key-hash-1", "body-1").state == "new"
    assert b.idempotency.claim("key-hash-1", "body-1").state == "pending"
    a.idempotency.complete("key-hash-1", "17")
    replay = b.idempotency.claim("key-hash-1", "body-1")
    assert (replay.state, replay.result) == ("replay", "17")
    assert b.idempotency.claim("key-hash-1", "body-2").state == "mismatch"
    assert a.idempotency.claim("key-hash-2", "body-1").state == "new"
    a.idempotency.release("key-hash-2")  # the request failed: a retry may go ahead
    assert b.idempotency.claim("key-hash-2", "body-1").state == "new"


def test_idempotency_keys_are_forgotten_after_their_ttl(tmp_path):
    clock = Clock()
    state = build_state(Settings(data_dir=tmp_path, idempotency_ttl_s=3600), now=clock)
    state.idempotency.claim("k", "f")
    state.idempotency.complete("k", "1")
    clock.advance(3601)
    assert state.purge()["idempotency_keys"] == 1
    assert state.idempotency.claim("k", "f").state == "new"
    state.close()


def _take_many(path: str, n: int, out) -> None:
    state = build_state(Settings(data_dir=path, state_backend="sqlite"), now=fixed_time)
    out.put(sum(1 for _ in range(n) if state.limits.take("ip:192.0.2.1", 10) == 0))
    state.close()


def test_sqlite_rate_limits_hold_across_processes(tmp_path):
    """Two real processes on one WAL file, 25 attempts each, at one instant: exactly 10 get through."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_take_many, args=(str(tmp_path), 25, out)) for _ in range(2)]
    for p in procs:
        p.start()
    allowed = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sum(allowed) == 10 and all(p.exitcode == 0 for p in procs)


def test_the_backend_is_chosen_by_settings(tmp_path, redis_url):
    assert backend_name(Settings(data_dir=tmp_path)) == "sqlite"
    assert backend_name(Settings(data_dir=tmp_path, redis_url=redis_url)) == "redis"
    assert backend_name(Settings(data_dir=tmp_path, redis_url=redis_url, state_backend="memory")) == "memory"
    state = build_state(Settings(data_dir=tmp_path))
    assert state.backend == "sqlite" and (tmp_path / "state.sqlite").exists()
    state.close()
    with pytest.raises(ValueError, match="registered: memory, redis, sqlite"):
        build_state(Settings(data_dir=tmp_path, state_backend="postgres"))
