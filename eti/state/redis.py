"""The ``redis`` backend (``ETI_REDIS_URL``): state shared by API replicas on several machines.

Each multi-step change is one Lua script, so replicas never interleave inside it. Keys carry a
prefix (``ETI_REDIS_PREFIX``) and expire by themselves after the retention period; ``purge``
removes what is older than the retention inside keys that are still alive.
"""

from __future__ import annotations

import json
import math
import time

from eti.pii import redact
from eti.state import ids
from eti.state.registry import register_backend
from eti.state.stores import Claim, Clock, Conversation, DailyCount, State, Turn, day_of

_ADD_TURN = """
local touched = tonumber(redis.call('GET', KEYS[1]))
if touched and tonumber(ARGV[1]) - touched > tonumber(ARGV[2]) then redis.call('DEL', KEYS[2]) end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[5])
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('HINCRBY', KEYS[3], ARGV[6], 1)
return 1
"""
_PURGE_TURNS = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local n = 0
for i, v in ipairs(items) do
  if cjson.decode(v)['created'] < tonumber(ARGV[1]) then n = i else break end
end
if n == #items then redis.call('DEL', KEYS[1]) elseif n > 0 then redis.call('LTRIM', KEYS[1], n, -1) end
return n
"""
_TAKE = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(b[1]) or capacity
local updated = tonumber(b[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return tostring(wait)
"""
_CLAIM = """
local f = redis.call('HGET', KEYS[1], 'fingerprint')
if not f then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'created', ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return {'new'}
end
if f ~= ARGV[1] then return {'mismatch'} end
local r = redis.call('HGET', KEYS[1], 'result')
if not r then return {'pending'} end
return {'replay', r}
"""


class RedisConversations:
    def __init__(self, client, prefix: str, ttl_s: float, retention_s: float, max_turns: int = 10,
                 now: Clock = time.time):
        self.r, self.p, self.ttl_s, self.max_turns, self.now = client, prefix, ttl_s, max_turns, now
        self.keep_s = max(1, math.ceil(retention_s))
        self._add = client.register_script(_ADD_TURN)
        self._purge = client.register_script(_PURGE_TURNS)

    def _live(self, cid: str) -> bool:
        touched = self.r.get(f"{self.p}conv:{cid}")
        return touched is not None and self.now() - float(touched) <= self.ttl_s

    def get_or_new(self, conversation_id: str | None) -> Conversation:
        if not ids.is_valid(conversation_id):
            return Conversation(ids.new_id(), touched=self.now())
        assert conversation_id is not None
        if not self._live(conversation_id):
            return Conversation(conversation_id, touched=self.now())
        raw = self.r.lrange(f"{self.p}turns:{conversation_id}", -self.max_turns, -1)
        turns = [Turn(t["question"], t["status"], t["doc_ids"], t["created"]) for t in map(json.loads, raw)]
        return Conversation(conversation_id, turns, self.now())

    def add(self, conv: Conversation, turn: Turn) -> None:
        now = self.now()
        turn.created = now
        payload = json.dumps({"question": turn.question, "status": turn.status, "doc_ids": turn.doc_ids,
                              "created": now}, ensure_ascii=False)
        self._add(keys=[f"{self.p}conv:{conv.id}", f"{self.p}turns:{conv.id}", f"{self.p}turn_counts"],
                  args=[repr(now), self.ttl_s, self.max_turns, payload, self.keep_s, f"{day_of(now)}|{turn.status}"])
        conv.turns = [*conv.turns, turn][-self.max_turns :]
        conv.touched = now

    def exists(self, conversation_id: str) -> bool:
        return self._live(conversation_id)

    def daily_counts(self) -> list[DailyCount]:
        counts = self.r.hgetall(f"{self.p}turn_counts")
        return sorted((DailyCount(*f.split("|", 1), int(n)) for f, n in counts.items()), key=lambda c: (c.day, c.kind))

    def purge(self, before: float) -> int:
        gone = 0
        for key in self.r.scan_iter(match=f"{self.p}turns:*", count=500):
            gone += int(self._purge(keys=[key], args=[repr(before)]))
        return gone


class RedisLimits:
    def __init__(self, client, prefix: str, now: Clock = time.time):
        self.r, self.p, self.now = client, prefix, now
        self._take = client.register_script(_TAKE)

    def take(self, key: str, per_minute: int) -> float:
        capacity, rate = max(1, per_minute), max(per_minute, 1e-9) / 60.0
        return float(self._take(keys=[f"{self.p}bucket:{key}"], args=[capacity, repr(rate), repr(self.now())]))

    def purge(self, before: float) -> int:
        return 0  # buckets expire by themselves once full again


class RedisFeedback:
    def __init__(self, client, prefix: str, now: Clock = time.time):
        self.r, self.p, self.now = client, prefix, now

    def add(self, conversation_id: str, rating: str, comment: str | None) -> int:
        now = self.now()
        fid = int(self.r.incr(f"{self.p}feedback:seq"))
        row = {"id": fid, "conversation_id": conversation_id, "rating": rating,
               "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now)), "created": repr(now)}
        if comment:
            row["comment"] = redact(comment).text
        with self.r.pipeline(transaction=True) as pipe:
            pipe.hset(f"{self.p}feedback:{fid}", mapping=row)
            pipe.zadd(f"{self.p}feedback:by_time", {str(fid): now})
            pipe.hincrby(f"{self.p}feedback:counts", f"{day_of(now)}|{rating}", 1)
            pipe.execute()
        return fid

    def rows(self, conversation_id: str | None = None) -> list[dict]:
        fids = self.r.zrange(f"{self.p}feedback:by_time", 0, -1)
        with self.r.pipeline(transaction=False) as pipe:
            for fid in fids:
                pipe.hgetall(f"{self.p}feedback:{fid}")
            found = pipe.execute()
        out = [{"id": int(h["id"]), "conversation_id": h["conversation_id"], "rating": h["rating"],
                "comment": h.get("comment"), "created_at": h["created_at"]} for h in found if h]
        out = [r for r in out if conversation_id is None or r["conversation_id"] == conversation_id]
        return sorted(out, key=lambda r: r["id"])

    def daily_counts(self) -> list[DailyCount]:
        counts = self.r.hgetall(f"{self.p}feedback:counts")
        return sorted((DailyCount(*f.split("|", 1), int(n)) for f, n in counts.items()), key=lambda c: (c.day, c.kind))

    def purge(self, before: float) -> int:
        fids = self.r.zrangebyscore(f"{self.p}feedback:by_time", "-inf", f"({before!r}")
        if fids:
            with self.r.pipeline(transaction=True) as pipe:
                pipe.delete(*[f"{self.p}feedback:{f}" for f in fids])
                pipe.zrem(f"{self.p}feedback:by_time", *fids)
                pipe.execute()
        return len(fids)

    def close(self) -> None:
        pass


class RedisIdempotency:
    def __init__(self, client, prefix: str, ttl_s: float, now: Clock = time.time):
        self.r, self.p, self.ttl_s, self.now = client, prefix, max(1, math.ceil(ttl_s)), now
        self._claim = client.register_script(_CLAIM)

    def claim(self, key: str, fingerprint: str) -> Claim:
        got = self._claim(keys=[f"{self.p}idem:{key}"], args=[fingerprint, self.ttl_s, repr(self.now())])
        return Claim(got[0], got[1] if len(got) > 1 else None)

    def complete(self, key: str, result: str) -> None:
        self.r.hset(f"{self.p}idem:{key}", "result", result)

    def release(self, key: str) -> None:
        if self.r.hget(f"{self.p}idem:{key}", "result") is None:
            self.r.delete(f"{self.p}idem:{key}")

    def purge(self, before: float) -> int:
        return 0  # keys expire after the idempotency TTL


def connect(url: str):
    import redis

    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=10, socket_connect_timeout=5,
                                health_check_interval=30)


@register_backend("redis")
def build(settings, now: Clock) -> State:
    if not settings.redis_url:
        raise ValueError("the redis state backend needs ETI_REDIS_URL")
    client, p = connect(settings.redis_url), settings.redis_prefix
    retention_s = settings.retention_days * 86_400
    return State("redis", RedisConversations(client, p, settings.conversation_ttl_s, retention_s, now=now),
                 RedisLimits(client, p, now), RedisFeedback(client, p, now),
                 RedisIdempotency(client, p, settings.idempotency_ttl_s, now), retention_s,
                 settings.idempotency_ttl_s, now, client.close)
