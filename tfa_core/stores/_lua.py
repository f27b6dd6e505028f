"""The Lua scripts of RedisStore: tfa_core's rules restated, one key (or slot) each.

Each script restates a pure function line by line (:func:`tfa_core.ratelimit.hit`
and its ``_window_retry``, :func:`tfa_core.ratelimit.hit_bucket`, the step guard of
:func:`tfa_core.otp.verify_totp`) with the same IEEE double arithmetic, so the
hypothesis tests can hold every decision and ``retry_after`` to the pure oracle.
Numbers come in packed as little-endian doubles in one argument (exact, one
``struct.unpack``, and the cheapest for redis-py to send) and are kept the same
way, never through Lua's ``tostring`` (14 digits); steps come as decimal text.

Values: a window is ``W`` and its event instants as doubles, oldest first; a GCRA
state is ``B`` and its arrival time as a double; a step is ``S`` and its decimal
digits (compared as digits, so any 64-bit counter is exact). The scripts return
states in the same binary form. Anything else under a key raises an error reply
starting ``TFACORRUPT``. Not here: calling them (redis.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["ADVANCE", "ATTEMPT", "HIT", "HIT_BUCKET", "Script"]

# The helpers, by name; each script carries only those it uses (a Lua closure is
# made on every call). Replies are one value (a state, or the retry before it, or
# an integer): a table reply costs Redis more than the rule itself.

_HELPERS = {
    "corrupt": r"""
local function corrupt(key, what)
  error({err = 'TFACORRUPT ' .. key .. ': holds no ' .. what})
end
""",
    "finite": r"""
local function finite(x) return x == x and x ~= math.huge and x ~= -math.huge end
""",
    "unpack_doubles": r"""
-- The n doubles after the tag, by struct, CHUNK per call (one call is far cheaper
-- than text in Lua; chunks keep the results within Lua's stack for any limit).
local CHUNK = 200
local function unpack_doubles(raw, n)
  if n <= CHUNK then
    local out = {struct.unpack('<' .. string.rep('d', n), raw, 2)}
    out[n + 1] = nil  -- struct.unpack also returns the next position
    return out
  end
  local out = {}
  for i = 1, n, CHUNK do
    local m = math.min(CHUNK, n - i + 1)
    local part = {struct.unpack('<' .. string.rep('d', m), raw, 2 + (i - 1) * 8)}
    for k = 1, m do out[i + k - 1] = part[k] end
  end
  return out
end
""",
    "window_hit": r"""
-- ratelimit.hit (its general path, _decide with keep): new state or nil, retry, old.
-- The new state is cut from the old one's bytes (events are never re-packed).
local function window_hit(key, max, window, now, cost)
  -- 'W' and the events as little-endian doubles, oldest first; none when absent.
  local raw = redis.call('GET', key)
  local events, n = nil, 0
  if raw then
    n = (#raw - 1) / 8
    if string.byte(raw, 1) ~= 87 --[[ 'W' ]] or n < 1 or n % 1 ~= 0 then
      corrupt(key, 'sliding-window state')
    end
    events = unpack_doubles(raw, n)
    local prev = -math.huge
    for i = 1, n do
      local x = events[i]
      if x ~= x or x == math.huge or x == -math.huge or x < prev then
        corrupt(key, 'sliding-window state')
      end
      prev = x
    end
  end
  local floor = now - window
  local lo = 0
  while lo < n and events[lo + 1] <= floor do lo = lo + 1 end
  local hi = n
  if n > 0 and events[n] > now then
    hi = lo
    while hi < n and events[hi + 1] <= now do hi = hi + 1 end
  end
  local count = hi - lo
  if count + cost <= max then
    local added = struct.pack('<d', now)
    if cost > 1 then added = string.rep(added, cost) end
    local state, last = 'W' .. added, now
    if n > 0 then
      state = 'W' .. string.sub(raw, 2 + 8 * lo, 1 + 8 * hi) .. added
        .. string.sub(raw, 2 + 8 * hi)
      if hi < n then last = events[n] end
    end
    local ttl = math.ceil((last + window - now) * 1000)
    if ttl < 1000 then ttl = 1000 end
    redis.call('SET', key, state, 'PX', ttl)
    return state, 0, raw
  end
  -- ratelimit._window_retry for the (count + cost - max)-th oldest counted event
  local oldest = events[lo + count + cost - max]
  local r = math.max(1, math.ceil(oldest + window - now))
  for _ = 1, 4 do
    if oldest <= now + r - window then break end
    r = r + 1
  end
  for _ = 1, 4 do
    if r == 1 or oldest > now + (r - 1) - window then break end
    r = r - 1
  end
  return nil, r, raw
end
""",
    "advance": r"""
-- the replay guard: true iff step (decimal text) is above the stored step
local function advance(key, step, ttl)
  local old = redis.call('GET', key)
  if old then
    if string.sub(old, 1, 1) ~= 'S' then corrupt(key, 'step') end
    old = string.sub(old, 2)
    if not (old == '0' or string.match(old, '^[1-9]%d*$')) then
      corrupt(key, 'step')
    end
    if #old > #step then return false end
    if #old == #step then
      for i = 1, #step do
        local a, b = string.byte(old, i), string.byte(step, i)
        if a ~= b then
          if a > b then return false end
          break
        end
        if i == #step then return false end
      end
    end
  end
  redis.call('SET', key, 'S' .. step, 'PX', ttl)
  return true
end
""",
}

# ratelimit.hit: the new state when allowed, else the retry and the old state.
_HIT = r"""
-- ARGV[1]: max, window, now, cost as doubles
local max, window, now, cost = struct.unpack('<dddd', ARGV[1])
local state, retry, raw = window_hit(KEYS[1], max, window, now, cost)
if state then return state end
return string.format('%d', retry) .. raw
"""

# ratelimit.hit_bucket: the new state when allowed, else the retry and the old state.
_HIT_BUCKET = r"""
local key = KEYS[1]
-- ARGV[1]: interval, burst, now, cost as doubles
local interval, burst, now, cost = struct.unpack('<dddd', ARGV[1])
local raw = redis.call('GET', key)
local tat = nil
if raw then
  if #raw == 9 and string.sub(raw, 1, 1) == 'B' then
    tat = struct.unpack('<d', raw, 2)
  end
  if tat == nil or not finite(tat) then corrupt(key, 'bucket state') end
end
local slack = interval * (burst - cost)
local t = tat
if t == nil or t < now then t = now end
if t - now <= slack then
  local new = t + interval * cost
  local ttl = math.max(1000, math.ceil((new - now) * 1000))
  local state = 'B' .. struct.pack('<d', new)
  redis.call('SET', key, state, 'PX', ttl)
  return state
end
local r = math.max(1, math.ceil(t - slack - now))
for _ = 1, 4 do
  if t - (now + r) <= slack then break end
  r = r + 1
end
for _ = 1, 4 do
  if r == 1 or t - (now + (r - 1)) > slack then break end
  r = r - 1
end
return string.format('%d', r) .. raw
"""

_ADVANCE = r"""
if advance(KEYS[1], ARGV[1], ARGV[2]) then return 1 end
return 0
"""

# Guard.verify_totp's one round trip: the attempt limit, then (unless throttled) the
# replay guard. -retry_after when throttled, else 1 wrong, 2 accepted, 3 replayed.
_ATTEMPT = r"""
-- ARGV[1]: max, window, now and the step's TTL in ms as doubles; ARGV[2]: the step
local max, window, now, ttl = struct.unpack('<dddd', ARGV[1])
local state, retry = window_hit(KEYS[1], max, window, now, 1)
if not state then return -retry end
if ARGV[2] == '' then return 1 end
if advance(KEYS[2], ARGV[2], ttl) then return 2 end
return 3
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Script:
    """A script's source and the SHA1 that EVALSHA names it by."""

    name: str
    source: str
    sha: bytes  # hex digits, as bytes: redis-py sends bytes as they are


def _script(name: str, body: str, helpers: tuple[str, ...]) -> Script:
    source = "\n".join([*(_HELPERS[h] for h in helpers), body])
    sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest().encode()
    return Script(name=name, source=source, sha=sha)


_WINDOW = ("corrupt", "unpack_doubles", "window_hit")
HIT = _script("hit", _HIT, _WINDOW)
HIT_BUCKET = _script("hit_bucket", _HIT_BUCKET, ("corrupt", "finite"))
ADVANCE = _script("advance", _ADVANCE, ("corrupt", "advance"))
ATTEMPT = _script("attempt", _ATTEMPT, (*_WINDOW, "advance"))
