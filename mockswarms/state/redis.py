"""The Redis state store: one simulator shared by several workers (and hosts) through one Redis.

Why ~870 lines: each StateStore method is a Lua script next to its Python wrapper, so every atomic step
reads in one place; the scripts cannot move without separating them from their callers.

Every method of :class:`mockswarms.state.base.StateStore` is atomic on its own. Money and windows change
only inside Lua scripts (``settle``, ``hit``), so concurrent requests on any number of processes
can neither overspend nor overcount.

Key layout (all under ``<namespace>:``)::

    accounts            hash  key -> account JSON          account_order  list of keys (insertion order)
    bal:<user>          hash  credit / free_credit / referral_credits as integer micro-dollars
    win:<scope>         zset  one member per counted run, score = clock instant (trimmed to a day)
    logs:<user>         list  log rows as JSON, newest first, trimmed to ``logs_per_user``
    logs_order          list  "<id>\\n<logs key>" per row, oldest first, trimmed to ``logs_total`` (all users)
    met:<user>          hash  total / success counters     met_agents:<user> set of agent names
    met_times:<user>    zset  seconds with completions (trimmed to 7 days)
    met_counts:<user>   hash  second -> completions in it
    agents:<user>       hash  "<name>\\x00<model>" -> config JSON   agents_order:<user> list, LRU order
    journal             list  entries as JSON, oldest first, trimmed to the caller's limit
    violations          list  "<seq>\\n<json>" contract violations, oldest first, trimmed to the caller's
                              limit; violations_seq / violations_total integers
    val:<name>          string JSON value (counters from ``incr`` live here too, as JSON integers)
    seq / logseq        integers: unique window members / log row ids

Money is held as integer micro-dollars (6 dp, exact in Lua's doubles up to 9e9 dollars) and read
back as ``Decimal`` with 6 decimal places.

Failure handling (README "Reliability"): every command has a short timeout (``SOCKET_TIMEOUT``,
``CONNECT_TIMEOUT``, ``POOL_TIMEOUT``); a stale pooled connection (Redis restarted) is retried once
on a fresh one; anything else surfaces as :class:`~mockswarms.state.base.StoreUnavailable` (a 503).
:meth:`RedisStore.commit` is one Lua script (settle + log row + metrics + agents) that carries a
deadline and a charge id: a script Redis runs only after the caller gave up (a paused server) or a
second time (a retry) changes nothing, so a charge exists only if the caller saw it succeed.

More keys: ``auto_accounts`` zset (accounts made for unknown keys, capped), ``chg:<id>`` (commit
replay guard, expires after a minute). Rate-window keys expire a day after their last run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Coroutine, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, ParamSpec, TypeVar

import hiredis
import orjson
import redis.asyncio as aioredis
import redis.exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError

from mockswarms.state.base import (
    LOGS_TOTAL,
    MAX_AUTO_ACCOUNTS,
    UNIQUE_AGENTS_CAP,
    WINDOWS,
    AccountRecord,
    Balances,
    Charge,
    CommitOutcome,
    JournalEntry,
    Limits,
    SettleOutcome,
    StoreUnavailable,
    WindowState,
    entry_dict,
    window_states,
)

__all__ = ["CONNECT_TIMEOUT", "POOL_TIMEOUT", "SOCKET_TIMEOUT", "RedisStore"]

# Seconds. Short on purpose: a test server must answer 503 quickly, never hang, when Redis is down.
# Generous enough for a loaded 2-core CI box under a burst of hundreds of concurrent requests (an
# event loop that busy reads replies late), short enough that an outage is a 503, not a hang.
SOCKET_TIMEOUT = 5.0  # one command's reply
CONNECT_TIMEOUT = 3.0  # opening a connection
POOL_TIMEOUT = 10.0  # waiting for a free pooled connection (a burst queues here)
_CHARGE_ID_TTL = 60  # seconds a commit id is remembered (retries come within one timeout)
_FAILURES = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

_P = ParamSpec("_P")
_T = TypeVar("_T")


class _PackedByHiredis:
    """Mixed into the pool's connection class: commands packed by hiredis' C packer, as redis-py's
    sync client does with hiredis installed (its asyncio client packs in Python, one encode per
    argument: ~11 % of a Redis worker's CPU for the scripts' ~27 arguments). The same bytes, and
    the same ``DataError`` for an argument that is not str, bytes, int or float."""

    def pack_command(self, *args: Any) -> list[bytes]:
        first = args[0]
        # A command name given with literal arguments ("CONFIG GET") is sent as separate words.
        if isinstance(first, str):
            args = (*first.encode().split(), *args[1:])
        elif b" " in first:
            args = (*first.split(), *args[1:])
        try:
            return [hiredis.pack_command(args)]
        except TypeError as exc:
            raise redis_errors.DataError(str(exc)) from None


_PACKED: dict[type, type] = {}


def _packed_by_hiredis(connection_class: type) -> type:
    """``connection_class`` (plain, TLS or Unix socket: the URL picks it) packing with hiredis."""
    packed = _PACKED.get(connection_class)
    if packed is None:
        bases = (_PackedByHiredis, connection_class)
        packed = _PACKED[connection_class] = type(connection_class.__name__, bases, {})
    return packed


class _Script:
    """A Lua script called as ``EVALSHA`` straight through ``execute_command`` (``EVAL`` once when
    the server does not know it yet: a restarted Redis). redis-py's ``Script`` goes through three
    more layers of wrappers per call: a third of the client's cost on a completion."""

    __slots__ = ("_redis", "script", "sha")

    def __init__(self, redis: aioredis.Redis, script: str) -> None:
        self._redis = redis
        self.script = script
        self.sha = hashlib.sha1(script.encode("utf-8")).hexdigest()

    async def __call__(self, *, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
        try:
            return await self._redis.execute_command("EVALSHA", self.sha, len(keys), *keys, *args)
        except NoScriptError:
            return await self._redis.execute_command("EVAL", self.script, len(keys), *keys, *args)


def _guarded(method: Callable[_P, Coroutine[Any, Any, _T]]) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """Redis unreachable or too slow → :class:`StoreUnavailable` (the API answers 503)."""

    @functools.wraps(method)
    async def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await method(*args, **kwargs)
        except _FAILURES as exc:
            raise StoreUnavailable(f"{type(exc).__name__}: {exc}") from exc

    return wrapper


_MICRO = Decimal("0.000001")
_BUCKETS = ("free_credit", "credit", "referral_credits")  # deduction order
_DAY = max(WINDOWS.values())
_WEEK = 7 * 86400


def _to_micro(amount: Decimal) -> int:
    return int(amount.quantize(_MICRO, rounding=ROUND_HALF_EVEN).scaleb(6))


def _from_micro(value: Any) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-6).quantize(_MICRO)


def _num(value: float) -> str:
    # repr round-trips a float exactly; Lua's tonumber reads it back to the same double.
    return repr(float(value))


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=str)
    except orjson.JSONEncodeError:
        # orjson stops at 254 levels; the stdlib does not (the request parser bounds the depth).
        return json.dumps(value, default=str, ensure_ascii=False).encode()


def _loads(raw: Any) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


# Shared Lua: count runs of a window and the instant its oldest counted run leaves it.
_LUA_WINDOWS = """
local function window_states(wkey, now, lengths, limits)
  local out = {}
  for i = 1, #lengths do
    local len = lengths[i]
    local lo = '(' .. string.format('%.17g', now - len)
    local count = redis.call('ZCOUNT', wkey, lo, '+inf')
    local reset = now + len
    if count > 0 then
      local oldest = redis.call('ZRANGEBYSCORE', wkey, lo, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      reset = tonumber(oldest[2]) + len
    end
    out[i] = {count, string.format('%.17g', reset), limits[i]}
  end
  return out
end
-- The states after one more run at `now`, derived from those just before it instead of read again:
-- the run is inside every window, and the oldest counted run becomes the earlier of the old oldest
-- and `now` (the clock may have gone back); record's trim only drops runs outside every window.
local function after_one_more(states, now, lengths)
  local out = {}
  for i = 1, #states do
    local reset = math.min(tonumber(states[i][2]), now + lengths[i])
    out[i] = {states[i][1] + 1, string.format('%.17g', reset), states[i][3]}
  end
  return out
end
local function any_full(states)
  for i = 1, #states do
    local limit = tonumber(states[i][3])
    if limit >= 0 and states[i][1] >= limit then return true end
  end
  return false
end
local function record(wkey, seqkey, now, maxlen)
  local member = tostring(redis.call('INCR', seqkey))
  redis.call('ZADD', wkey, now, member)
  redis.call('ZREMRANGEBYSCORE', wkey, '-inf', string.format('%.17g', now - maxlen))
  redis.call('EXPIRE', wkey, maxlen)  -- one-off client addresses leave no key behind
end
"""

# settle_core(win, bal, seq, now, threshold, cost, count, maxlen, lengths, limits) -> status, bal, states
_LUA_SETTLE_CORE = """
local names = {'free_credit', 'credit', 'referral_credits'}
local function settle_core(wkey, bkey, seqkey, now, threshold, cost, count, maxlen, lengths, limits)
  local stored = redis.call('HMGET', bkey, names[1], names[2], names[3])
  local bal = {}
  for i = 1, 3 do bal[i] = tonumber(stored[i] or '0') end
  local function balances() return {string.format('%d', bal[1]), string.format('%d', bal[2]),
                                     string.format('%d', bal[3])} end
  local states = window_states(wkey, now, lengths, limits)
  if threshold ~= '' and (bal[1] + bal[2] + bal[3]) <= tonumber(threshold) then
    return 'insufficient_credits', balances(), states
  end
  if any_full(states) then
    return 'rate_limited', balances(), states
  end
  local remaining = cost
  if cost < 0 then  -- a refund goes to credit
    bal[2] = bal[2] - cost
    remaining = 0
  end
  for i = 1, 2 do
    if remaining > 0 and bal[i] > 0 then
      local take = math.min(bal[i], remaining)
      bal[i] = bal[i] - take
      remaining = remaining - take
    end
  end
  bal[3] = bal[3] - remaining
  if cost ~= 0 then
    local b = balances()
    redis.call('HSET', bkey, names[1], b[1], names[2], b[2], names[3], b[3])
  end
  if count then
    record(wkey, seqkey, now, maxlen)
    states = after_one_more(states, now, lengths)
  end
  return 'ok', balances(), states
end
"""

# KEYS: win, bal, seq.  ARGV: now, threshold_micro|'', cost_micro, count(0/1), maxlen, n, len1..n, lim1..n
_LUA_SETTLE = (
    _LUA_WINDOWS
    + _LUA_SETTLE_CORE
    + """
local n = tonumber(ARGV[6])
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[6 + i])
  limits[i] = ARGV[6 + n + i]
end
local status, bal, states = settle_core(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[1]), ARGV[2],
  tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5]), lengths, limits)
return {status, bal, states}
"""
)

# After a log row is pushed: note it in logs_order and drop the oldest rows of all users beyond
# ``total``. An entry whose row its user's own trim dropped already is skipped (ids differ).
_LUA_CAP_LOGS = """
local function cap_logs(order, logs_key, log_id, total)
  local length = redis.call('RPUSH', order, string.format('%d', log_id) .. '\\n' .. logs_key)
  while length > total do
    local entry = redis.call('LPOP', order)
    length = length - 1
    local cut = string.find(entry, '\\n', 1, true)
    local owner = string.sub(entry, cut + 1)
    local oldest = redis.call('LINDEX', owner, -1)
    if oldest and string.sub(oldest, 1, cut) == string.sub(entry, 1, cut) then
      redis.call('RPOP', owner)
    end
  end
end
"""

# A completion counted in its whole second (the 24 h / 7 d metrics): one zset member and one hash
# field per second, however many completions share it; seconds older than ``keep`` are forgotten.
_LUA_COUNT_COMPLETION = """
local function count_completion(times, counts, now, keep)
  local cutoff = string.format('%.17g', now - keep)
  local old = redis.call('ZRANGEBYSCORE', times, '-inf', cutoff)
  if #old > 0 then
    for i = 1, #old, 1000 do
      redis.call('HDEL', counts, unpack(old, i, math.min(i + 999, #old)))
    end
    redis.call('ZREMRANGEBYSCORE', times, '-inf', cutoff)
  end
  local second = math.floor(now)
  local member = string.format('%d', second)
  redis.call('ZADD', times, second, member)
  redis.call('HINCRBY', counts, member, 1)
end
"""

# KEYS: met, met_agents, met_times, met_counts.  ARGV: now, keep, success 0/1, agent names...
_LUA_RECORD_COMPLETION = (
    _LUA_COUNT_COMPLETION
    + """
redis.call('HINCRBY', KEYS[1], 'total', 1)
if ARGV[3] == '1' then redis.call('HINCRBY', KEYS[1], 'success', 1) end
if #ARGV > 3 then redis.call('SADD', KEYS[2], unpack(ARGV, 4)) end
count_completion(KEYS[3], KEYS[4], tonumber(ARGV[1]), tonumber(ARGV[2]))
return 1
"""
)

# KEYS: met_times, met_counts.  ARGV: cutoffs.  Completions in the seconds after each cutoff.
_LUA_COMPLETIONS_AFTER = """
local totals = {}
for c = 1, #ARGV do
  local seconds = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[c], '+inf')
  local sum = 0
  for i = 1, #seconds, 1000 do
    local counts = redis.call('HMGET', KEYS[2], unpack(seconds, i, math.min(i + 999, #seconds)))
    for _, n in ipairs(counts) do sum = sum + (tonumber(n) or 0) end
  end
  totals[c] = sum
end
return totals
"""

# KEYS: win, bal, seq, chg, logs, logseq, met, met_agents, met_times, agents, agents_order,
#       journal, journal_seq (the val: counter), epoch (resets seen; kept by reset), logs_order,
#       met_counts
# ARGV: now, threshold, cost, count, maxlen, deadline_ms|'', log_json|'', log_limit,
#       completion ''|'1'|'0', names_json, agents_json ([[field, json], …]), agent_cap,
#       unique_cap, week, n, len1..n, lim1..n, journal_json|'', journal_limit, epoch|'', logs_total
# Returns {status, balances, windows, log_id, journal_id, epoch}; 'stale' when a given epoch is
# not the store's (a refund of a charge made before a reset).
_LUA_COMMIT = (
    _LUA_WINDOWS
    + _LUA_SETTLE_CORE
    + _LUA_CAP_LOGS
    + _LUA_COUNT_COMPLETION
    + """
local now = tonumber(ARGV[1])
if ARGV[6] ~= '' then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > tonumber(ARGV[6]) then
    return {'expired', {'0', '0', '0'}, {}, 0}
  end
end
if redis.call('EXISTS', KEYS[4]) == 1 then
  return {'duplicate', {'0', '0', '0'}, {}, 0}
end
local n = tonumber(ARGV[15])
local epoch = redis.call('GET', KEYS[14]) or '0'
local want_epoch = ARGV[18 + 2 * n]
if want_epoch ~= nil and want_epoch ~= '' and want_epoch ~= epoch then
  return {'stale', {'0', '0', '0'}, {}, 0, 0, epoch}
end
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[15 + i])
  limits[i] = ARGV[15 + n + i]
end
local status, bal, states = settle_core(KEYS[1], KEYS[2], KEYS[3], now, ARGV[2], tonumber(ARGV[3]),
  ARGV[4] == '1', tonumber(ARGV[5]), lengths, limits)
if status ~= 'ok' then return {status, bal, states, 0} end
redis.call('SET', KEYS[4], '1', 'EX', 60)
local log_id = 0
if ARGV[7] ~= '' then
  log_id = redis.call('INCR', KEYS[6])
  redis.call('LPUSH', KEYS[5], string.format('%d', log_id) .. '\\n' .. ARGV[7])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
  cap_logs(KEYS[15], KEYS[5], log_id, tonumber(ARGV[19 + 2 * n]))
end
if ARGV[9] ~= '' then
  redis.call('HINCRBY', KEYS[7], 'total', 1)
  if ARGV[9] == '1' then redis.call('HINCRBY', KEYS[7], 'success', 1) end
  local unique_cap = tonumber(ARGV[13])
  for _, name in ipairs(cjson.decode(ARGV[10])) do
    if redis.call('SCARD', KEYS[8]) >= unique_cap then break end
    redis.call('SADD', KEYS[8], name)
  end
  count_completion(KEYS[9], KEYS[16], now, tonumber(ARGV[14]))
end
local cap = tonumber(ARGV[12])
for _, pair in ipairs(cjson.decode(ARGV[11])) do
  redis.call('HSET', KEYS[10], pair[1], pair[2])
  redis.call('LREM', KEYS[11], 0, pair[1])
  redis.call('RPUSH', KEYS[11], pair[1])
  while redis.call('LLEN', KEYS[11]) > cap do
    redis.call('HDEL', KEYS[10], redis.call('LPOP', KEYS[11]))
  end
end
local journal_id = 0
local journal = ARGV[16 + 2 * n]
if journal ~= nil and journal ~= '' then
  journal_id = redis.call('INCR', KEYS[13])
  redis.call('RPUSH', KEYS[12], string.format('%d', journal_id) .. '\\n' .. journal)
  redis.call('LTRIM', KEYS[12], -tonumber(ARGV[17 + 2 * n]), -1)
end
return {status, bal, states, log_id, journal_id, epoch}
"""
)

# KEYS: journal, journal_seq (the val: counter).  ARGV: entry JSON without id, limit.
_LUA_JOURNAL_ADD = """
local id = redis.call('INCR', KEYS[2])
redis.call('RPUSH', KEYS[1], string.format('%d', id) .. '\\n' .. ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
return id
"""

# KEYS: violations, violations_seq, violations_total.  ARGV: limit, entry JSONs (without seq).
# Stored as "<seq>\n<json>"; the seq outlives a clear, the total does not.
_LUA_VIOLATIONS_ADD = """
for i = 2, #ARGV do
  local seq = redis.call('INCR', KEYS[2])
  redis.call('RPUSH', KEYS[1], string.format('%d', seq) .. '\\n' .. ARGV[i])
end
redis.call('INCRBY', KEYS[3], #ARGV - 1)
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
return 1
"""

# KEYS: accounts.  ARGV: key, namespace, now, n, len1..n.  Account JSON ('' if none), balances, windows.
_LUA_LOAD_CALLER = (
    _LUA_WINDOWS
    + """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return {'', {'0', '0', '0'}, {}} end
local user = cjson.decode(raw)['user_id']
local bal = redis.call('HMGET', ARGV[2] .. ':bal:' .. user, 'free_credit', 'credit', 'referral_credits')
for i = 1, 3 do bal[i] = bal[i] or '0' end
local n = tonumber(ARGV[4])
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[4 + i])
  limits[i] = '-1'
end
return {raw, bal, window_states(ARGV[2] .. ':win:' .. user, tonumber(ARGV[3]), lengths, limits)}
"""
)

# KEYS: accounts.  ARGV: namespace, key|'', now, n, len1..n, m, name1..m.  The request's first round
# trip: shared values (JSON strings or nil) and, with a key, the caller as in _LUA_LOAD_CALLER.
_LUA_BEGIN_REQUEST = (
    _LUA_WINDOWS
    + """
local ns, key, now, n = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local m = tonumber(ARGV[5 + n])
local values = {}
for i = 1, m do values[i] = redis.call('GET', ns .. ':val:' .. ARGV[5 + n + i]) end
if key == '' then return {values} end
local raw = redis.call('HGET', KEYS[1], key)
if not raw then return {values, ''} end
local user = cjson.decode(raw)['user_id']
local bal = redis.call('HMGET', ns .. ':bal:' .. user, 'free_credit', 'credit', 'referral_credits')
for i = 1, 3 do bal[i] = bal[i] or '0' end
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[4 + i])
  limits[i] = '-1'
end
return {values, raw, bal, window_states(ns .. ':win:' .. user, now, lengths, limits)}
"""
)

# KEYS: accounts, account_order, auto_accounts, seq.  ARGV: key, account json, bal key, free, credit,
# referral, cap, namespace.  Beyond the cap the oldest auto account goes with its user's state.
_LUA_PUT_AUTO_ACCOUNT = """
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
redis.call('HSET', ARGV[3], 'free_credit', ARGV[4], 'credit', ARGV[5], 'referral_credits', ARGV[6])
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
local ns = ARGV[8]
while redis.call('ZCARD', KEYS[3]) > tonumber(ARGV[7]) do
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  redis.call('ZREM', KEYS[3], oldest)
  local raw = redis.call('HGET', KEYS[1], oldest)
  redis.call('HDEL', KEYS[1], oldest)
  redis.call('LREM', KEYS[2], 1, oldest)
  if raw then
    local user = cjson.decode(raw)['user_id']
    for _, part in ipairs({'bal', 'win', 'logs', 'met', 'met_agents', 'met_times', 'met_counts',
                           'agents', 'agents_order'}) do
      redis.call('DEL', ns .. ':' .. part .. ':' .. user)
    end
  end
end
"""

# KEYS: seeded marker, accounts, account_order.  ARGV: accounts json [[key, json]…],
# balances json [[bal key, free, credit, referral]…].  Only when the marker is missing.
_LUA_SEED_ONCE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for _, pair in ipairs(cjson.decode(ARGV[1])) do
  if redis.call('HSET', KEYS[2], pair[1], pair[2]) == 1 then redis.call('RPUSH', KEYS[3], pair[1]) end
end
for _, b in ipairs(cjson.decode(ARGV[2])) do
  redis.call('HSET', b[1], 'free_credit', b[2], 'credit', b[3], 'referral_credits', b[4])
end
redis.call('SET', KEYS[1], 'true')
return 1
"""

# KEYS: win, seq.  ARGV: now, maxlen, n, len1..n, lim1..n
_LUA_HIT = (
    _LUA_WINDOWS
    + """
local now = tonumber(ARGV[1])
local maxlen = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[3 + i])
  limits[i] = ARGV[3 + n + i]
end
local states = window_states(KEYS[1], now, lengths, limits)
if any_full(states) then
  return {0, states}
end
record(KEYS[1], KEYS[2], now, maxlen)
return {1, after_one_more(states, now, lengths)}
"""
)

# KEYS: win.  ARGV: now, n, len1..n, lim1..n
_LUA_READ_WINDOWS = (
    _LUA_WINDOWS
    + """
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local lengths, limits = {}, {}
for i = 1, n do
  lengths[i] = tonumber(ARGV[2 + i])
  limits[i] = ARGV[2 + n + i]
end
return window_states(KEYS[1], now, lengths, limits)
"""
)

# KEYS: accounts, account_order.  ARGV: key, json
_LUA_PUT_ACCOUNT = """
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) end
"""

# KEYS: agents, agents_order.  ARGV: cap, then (field, json) pairs.  Most recently used last; the
# least recently used config is dropped beyond the cap.
_LUA_REMEMBER_AGENTS = """
local cap = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('LREM', KEYS[2], 0, ARGV[i])
  redis.call('RPUSH', KEYS[2], ARGV[i])
  while redis.call('LLEN', KEYS[2]) > cap do
    redis.call('HDEL', KEYS[1], redis.call('LPOP', KEYS[2]))
  end
end
"""

# KEYS: logs, logseq, logs_order.  ARGV: row JSON, limit, total.  Stored as "<id>\\n<json>" (id
# assigned here).
_LUA_APPEND_LOG = (
    _LUA_CAP_LOGS
    + """
local id = redis.call('INCR', KEYS[2])
redis.call('LPUSH', KEYS[1], string.format('%d', id) .. '\\n' .. ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
cap_logs(KEYS[3], KEYS[1], id, tonumber(ARGV[3]))
return id
"""
)


def _limit_args(limits: Limits) -> tuple[list[str], list[str]]:
    lengths = [str(length) for length in WINDOWS.values()]
    values = [str(-1 if limits.get(name) is None else limits.get(name)) for name in WINDOWS]
    return lengths, values


def _window_states(raw: list[Any], limits: Limits) -> dict[str, WindowState]:
    counts = {name: (int(item[0]), float(item[1])) for name, item in zip(WINDOWS, raw, strict=True)}
    return window_states(counts, limits)


def _balances(raw: list[Any]) -> Balances:
    free, credit, referral = (_from_micro(v) for v in raw)
    return Balances(credit=credit, free_credit=free, referral_credits=referral)


class RedisStore:
    """:class:`~mockswarms.state.base.StateStore` on ``redis.asyncio``; safe to share across processes."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "mockswarms",
        logs_per_user: int = 1000,
        logs_total: int = LOGS_TOTAL,
        agents_per_user: int = 1000,
        max_connections: int = 128,
        max_auto_accounts: int = MAX_AUTO_ACCOUNTS,
        unique_agents_cap: int = UNIQUE_AGENTS_CAP,
    ) -> None:
        if logs_per_user < 1 or logs_total < 1:
            raise ValueError("logs_per_user and logs_total must be at least 1")
        self.url = url
        self.namespace = namespace
        self.logs_per_user = logs_per_user
        self.logs_total = logs_total
        self.agents_per_user = agents_per_user
        self.max_auto_accounts = max_auto_accounts
        self.unique_agents_cap = unique_agents_cap
        # A blocking pool: under a burst, requests wait (briefly) for a free connection instead of
        # failing with "Too many connections". One retry, on a fresh connection, only for connection
        # errors (a pooled connection left stale by a Redis restart), never for timeouts: a command
        # that timed out may still run, and must not run twice.
        retry = Retry(NoBackoff(), 1, supported_errors=(redis_errors.ConnectionError,))
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=POOL_TIMEOUT,
            decode_responses=True,
            socket_timeout=SOCKET_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            retry=retry,
        )
        pool.connection_class = _packed_by_hiredis(pool.connection_class)
        self._redis: aioredis.Redis = aioredis.Redis(connection_pool=pool, retry=retry)
        self._settle = _Script(self._redis, _LUA_SETTLE)
        self._hit = _Script(self._redis, _LUA_HIT)
        self._read_windows = _Script(self._redis, _LUA_READ_WINDOWS)
        self._put_account = _Script(self._redis, _LUA_PUT_ACCOUNT)
        self._remember = _Script(self._redis, _LUA_REMEMBER_AGENTS)
        self._append_log = _Script(self._redis, _LUA_APPEND_LOG)
        self._commit = _Script(self._redis, _LUA_COMMIT)
        self._put_auto_account = _Script(self._redis, _LUA_PUT_AUTO_ACCOUNT)
        self._seed_once = _Script(self._redis, _LUA_SEED_ONCE)
        self._journal_add = _Script(self._redis, _LUA_JOURNAL_ADD)
        self._load_caller = _Script(self._redis, _LUA_LOAD_CALLER)
        self._begin_request = _Script(self._redis, _LUA_BEGIN_REQUEST)
        self._violations_add = _Script(self._redis, _LUA_VIOLATIONS_ADD)
        self._record_completion = _Script(self._redis, _LUA_RECORD_COMPLETION)
        self._completions_after = _Script(self._redis, _LUA_COMPLETIONS_AFTER)

    def _k(self, *parts: str) -> str:
        return ":".join((self.namespace, *parts))

    @_guarded
    async def reset(self) -> None:
        epoch = self._k("epoch")
        keys = [key async for key in self._redis.scan_iter(match=self._k("*"), count=1000) if key != epoch]
        for start in range(0, len(keys), 500):
            await self._redis.delete(*keys[start : start + 500])
        await self._redis.incr(epoch)  # in-flight refunds of charges made before this reset do nothing

    # -- accounts and balances -----------------------------------------------------------------
    @_guarded
    async def get_account(self, key: str) -> AccountRecord | None:
        raw = await self._redis.hget(self._k("accounts"), key)
        return None if raw is None else AccountRecord.from_json(_loads(raw))

    @_guarded
    async def put_account(self, account: AccountRecord) -> None:
        await self._put_account(
            keys=[self._k("accounts"), self._k("account_order")], args=[account.key, _json(account.to_json())]
        )

    @_guarded
    async def list_accounts(self) -> list[AccountRecord]:
        order = await self._redis.lrange(self._k("account_order"), 0, -1)
        if not order:
            return []
        raws = await self._redis.hmget(self._k("accounts"), order)
        return [AccountRecord.from_json(_loads(raw)) for raw in raws if raw is not None]

    @_guarded
    async def get_balances(self, user_id: str) -> Balances:
        raw = await self._redis.hmget(self._k("bal", user_id), list(_BUCKETS))
        return _balances(raw)

    @_guarded
    async def set_balances(self, user_id: str, balances: Balances) -> None:
        mapping = {name: _to_micro(getattr(balances, name)) for name in _BUCKETS}
        await self._redis.hset(self._k("bal", user_id), mapping=mapping)  # type: ignore[arg-type]

    # -- rate windows and money ------------------------------------------------------------------
    @_guarded
    async def windows(self, scope: str, now: float, limits: Limits) -> dict[str, WindowState]:
        lengths, values = _limit_args(limits)
        raw = await self._read_windows(
            keys=[self._k("win", scope)], args=[_num(now), len(lengths), *lengths, *values]
        )
        return _window_states(raw, limits)

    @_guarded
    async def settle(
        self,
        scope: str,
        user_id: str,
        now: float,
        limits: Limits,
        cost: Decimal,
        threshold: Decimal | None,
        count: bool = True,
    ) -> SettleOutcome:
        lengths, values = _limit_args(limits)
        args = [
            _num(now),
            "" if threshold is None else str(_to_micro(threshold)),
            str(_to_micro(cost)),
            "1" if count else "0",
            str(_DAY),
            len(lengths),
            *lengths,
            *values,
        ]
        status, balances, states = await self._settle(
            keys=[self._k("win", scope), self._k("bal", user_id), self._k("seq")], args=args
        )
        return SettleOutcome(
            status=status, balances=_balances(balances), windows=_window_states(states, limits)
        )

    @_guarded
    async def commit(self, charge: Charge) -> CommitOutcome:
        lengths, values = _limit_args(charge.limits)
        pairs = [
            [f"{config.get('agent_name')}\x00{config.get('model_name')}", _json(config).decode()]
            for config in charge.agents
        ]
        log = b"" if charge.log is None else _json({k: v for k, v in charge.log.items() if k != "id"})
        # The script refuses to run after this instant: if Redis was paused and runs it late, the
        # caller has already answered 503, so nothing may be charged.
        deadline_ms = int((time.time() + SOCKET_TIMEOUT * 0.8) * 1000)
        user = charge.user_id
        keys = [
            self._k("win", charge.scope),
            self._k("bal", user),
            self._k("seq"),
            self._k("chg", charge.charge_id),
            self._k("logs", user),
            self._k("logseq"),
            self._k("met", user),
            self._k("met_agents", user),
            self._k("met_times", user),
            self._k("agents", user),
            self._k("agents_order", user),
            self._k("journal"),
            self._k("val", "journal_seq"),
            self._k("epoch"),
            self._k("logs_order"),
            self._k("met_counts", user),
        ]
        journal = b""
        if charge.journal is not None and charge.journal_limit > 0:
            journal = _json({k: v for k, v in entry_dict(charge.journal).items() if k != "id"})
        args = [
            _num(charge.now),
            "" if charge.threshold is None else str(_to_micro(charge.threshold)),
            str(_to_micro(charge.cost)),
            "1" if charge.count else "0",
            str(_DAY),
            str(deadline_ms),
            log,
            self.logs_per_user,
            "" if charge.completion is None else ("1" if charge.completion else "0"),
            _json(list(charge.agent_names)),
            _json(pairs) if pairs else b"[]",
            self.agents_per_user,
            self.unique_agents_cap,
            str(_WEEK),
            len(lengths),
            *lengths,
            *values,
            journal,
            max(1, charge.journal_limit),
            "" if charge.epoch is None else str(charge.epoch),
            self.logs_total,
        ]
        status, balances, states, log_id, *rest = await self._commit(keys=keys, args=args)
        if status == "expired":
            raise StoreUnavailable("the state store answered too late; nothing was charged")
        if status == "duplicate":  # a retry of a commit that already happened
            return CommitOutcome("ok", await self.get_balances(user), {}, None)
        if status == "stale":
            return CommitOutcome("stale", await self.get_balances(user), {}, epoch=int(rest[1]))
        return CommitOutcome(
            status=status,
            balances=_balances(balances),
            windows=_window_states(states, charge.limits),
            log_id=int(log_id) or None,
            journal_id=int(rest[0]) if rest and rest[0] else None,
            epoch=int(rest[1]) if len(rest) > 1 else 0,
        )

    @_guarded
    async def put_auto_account(self, account: AccountRecord, balances: Balances) -> None:
        await self._put_auto_account(
            keys=[self._k("accounts"), self._k("account_order"), self._k("auto_accounts"), self._k("seq")],
            args=[
                account.key,
                _json(account.to_json()),
                self._k("bal", account.user_id),
                *(_to_micro(getattr(balances, name)) for name in _BUCKETS),
                self.max_auto_accounts,
                self.namespace,
            ],
        )

    @_guarded
    async def seed_once(self, accounts: list[AccountRecord], balances: dict[str, Balances]) -> bool:
        account_pairs = [[a.key, _json(a.to_json()).decode()] for a in accounts]
        balance_rows = [
            [self._k("bal", user), *(_to_micro(getattr(b, name)) for name in _BUCKETS)]
            for user, b in balances.items()
        ]
        seeded = await self._seed_once(
            keys=[self._k("val", "seeded"), self._k("accounts"), self._k("account_order")],
            args=[_json(account_pairs), _json(balance_rows)],
        )
        return bool(int(seeded))

    @_guarded
    async def hit(self, scope: str, now: float, limits: Limits) -> tuple[bool, dict[str, WindowState]]:
        lengths, values = _limit_args(limits)
        ok, states = await self._hit(
            keys=[self._k("win", scope), self._k("seq")],
            args=[_num(now), str(_DAY), len(lengths), *lengths, *values],
        )
        return bool(int(ok)), _window_states(states, limits)

    # -- logs, metrics, journal ------------------------------------------------------------------
    @_guarded
    async def append_log(self, user_id: str, entry: dict[str, Any]) -> int:
        # The id is prefixed to the stored JSON ("<id>\n<json>") so it is assigned inside the script.
        row = {k: v for k, v in entry.items() if k != "id"}
        log_id = await self._append_log(
            keys=[self._k("logs", user_id), self._k("logseq"), self._k("logs_order")],
            args=[_json(row), self.logs_per_user, self.logs_total],
        )
        return int(log_id)

    @_guarded
    async def list_logs(self, user_id: str) -> list[dict[str, Any]]:
        rows = []
        for raw in await self._redis.lrange(self._k("logs", user_id), 0, -1):
            log_id, _, body = str(raw).partition("\n")
            rows.append({"id": int(log_id), **_loads(body)})
        return rows

    @_guarded
    async def record_completion(
        self, user_id: str, now: float, success: bool, agent_names: list[str]
    ) -> None:
        keys = [self._k(part, user_id) for part in ("met", "met_agents", "met_times", "met_counts")]
        await self._record_completion(
            keys=keys, args=[_num(now), str(_WEEK), "1" if success else "0", *agent_names]
        )

    @_guarded
    async def metrics(self, user_id: str, now: float) -> dict[str, int]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.scard(self._k("met_agents", user_id))
            pipe.hmget(self._k("met", user_id), ["total", "success"])
            unique, (total, success) = await pipe.execute()
        day, week = await self._completions_after(
            keys=[self._k("met_times", user_id), self._k("met_counts", user_id)],
            args=[_num(now - 86400), _num(now - _WEEK)],
        )
        return {
            "unique_agents": int(unique),
            "total_completion_calls": int(total or 0),
            "successful_completions": int(success or 0),
            "completions_last_24h": int(day),
            "completions_last_7d": int(week),
        }

    @_guarded
    async def remember_agents(self, user_id: str, configs: list[dict[str, Any]]) -> None:
        args: list[Any] = []
        for config in configs:
            field = f"{config.get('agent_name')}\x00{config.get('model_name')}"
            args += [field, _json(config)]
        if args:
            keys = [self._k("agents", user_id), self._k("agents_order", user_id)]
            await self._remember(keys=keys, args=[self.agents_per_user, *args])

    @_guarded
    async def list_agents(self, user_id: str) -> list[dict[str, Any]]:
        order = await self._redis.lrange(self._k("agents_order", user_id), 0, -1)
        if not order:
            return []
        raws = await self._redis.hmget(self._k("agents", user_id), order)
        return [_loads(raw) for raw in raws if raw is not None]

    @_guarded
    async def journal_append(self, entry: JournalEntry, limit: int) -> None:
        if limit <= 0:
            await self.journal_clear()
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(self._k("journal"), _json(entry_dict(entry)))
            pipe.ltrim(self._k("journal"), -limit, -1)
            await pipe.execute()

    @_guarded
    async def journal_add(self, entry: JournalEntry, limit: int) -> int:
        if limit <= 0:
            await self.journal_clear()
            return 0
        row = _json({k: v for k, v in entry_dict(entry).items() if k != "id"})
        keys = [self._k("journal"), self._k("val", "journal_seq")]
        return int(await self._journal_add(keys=keys, args=[row, limit]))

    @_guarded
    async def begin_request(
        self, names: list[str], key: str | None, now: float
    ) -> tuple[list[Any], tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]] | None]:
        lengths = [str(length) for length in WINDOWS.values()]
        args: list[str | int] = [self.namespace, key or "", _num(now), len(lengths), *lengths]
        args += [len(names), *names]
        reply = await self._begin_request(keys=[self._k("accounts")], args=args)
        raw_values = list(reply[0]) + [None] * (len(names) - len(reply[0]))  # trailing nils dropped
        values = [None if raw in (None, False) else _loads(raw) for raw in raw_values]
        if key is None:
            return values, None
        if len(reply) < 4 or not reply[1]:
            return values, (None, Balances(), {})
        states = reply[3]
        counts = {name: (int(item[0]), float(item[1])) for name, item in zip(WINDOWS, states, strict=True)}
        return values, (AccountRecord.from_json(_loads(reply[1])), _balances(reply[2]), counts)

    @_guarded
    async def load_caller(
        self, key: str, now: float
    ) -> tuple[AccountRecord | None, Balances, dict[str, tuple[int, float]]]:
        lengths = [str(length) for length in WINDOWS.values()]
        raw, balances, states = await self._load_caller(
            keys=[self._k("accounts")], args=[key, self.namespace, _num(now), len(lengths), *lengths]
        )
        if not raw:
            return None, Balances(), {}
        counts = {name: (int(item[0]), float(item[1])) for name, item in zip(WINDOWS, states, strict=True)}
        return AccountRecord.from_json(_loads(raw)), _balances(balances), counts

    @_guarded
    async def journal_list(self) -> list[dict[str, Any]]:
        entries = []
        for raw in await self._redis.lrange(self._k("journal"), 0, -1):
            text = str(raw)
            if text[:1].isdigit():  # "<id>\n<json>" (journal_add)
                entry_id, _, body = text.partition("\n")
                entries.append({"id": int(entry_id), **_loads(body)})
            else:
                entries.append(_loads(text))
        return entries

    @_guarded
    async def journal_clear(self) -> None:
        await self._redis.delete(self._k("journal"))

    @_guarded
    async def violations_add(self, entries: list[dict[str, Any]], limit: int) -> None:
        if not entries:
            return
        keys = [self._k("violations"), self._k("violations_seq"), self._k("violations_total")]
        rows = [_json({k: v for k, v in entry.items() if k != "seq"}) for entry in entries]
        await self._violations_add(keys=keys, args=[max(1, limit), *rows])

    @_guarded
    async def violations_list(self) -> tuple[int, list[dict[str, Any]]]:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._k("violations_total"))
            pipe.lrange(self._k("violations"), 0, -1)
            total, raws = await pipe.execute()
        entries = []
        for raw in raws:
            seq, _, body = str(raw).partition("\n")
            entries.append({"seq": int(seq), **_loads(body)})
        return int(total or 0), entries

    @_guarded
    async def violations_clear(self) -> None:
        await self._redis.delete(self._k("violations"), self._k("violations_total"))

    # -- small shared values -----------------------------------------------------------------------
    @_guarded
    async def get_value(self, name: str) -> Any:
        raw = await self._redis.get(self._k("val", name))
        return None if raw is None else _loads(raw)

    @_guarded
    async def get_values(self, names: list[str]) -> list[Any]:
        raws = await self._redis.mget([self._k("val", name) for name in names])
        return [None if raw is None else _loads(raw) for raw in raws]

    @_guarded
    async def set_value(self, name: str, value: Any) -> None:
        await self._redis.set(self._k("val", name), _json(value))

    @_guarded
    async def incr(self, name: str, amount: int = 1) -> int:
        # Same key as get_value/set_value (an integer is valid JSON), like the memory store.
        return int(await self._redis.incrby(self._k("val", name), amount))

    async def close(self) -> None:
        await self._redis.aclose()
