"""The Lua scripts of RedisStore: tfa_core's rules restated, one key (or slot) each.

Each script restates a pure function line by line (:func:`tfa_core.ratelimit.hit`
and its ``_window_retry``, :func:`tfa_core.ratelimit.hit_bucket`, the step guard of
:func:`tfa_core.otp.verify_totp`) with the same IEEE double arithmetic, so the
hypothesis tests can hold every decision and ``retry_after`` to the pure oracle.
Numbers travel as ``%.17g`` text (exact for doubles), never through Lua's
``tostring`` (14 digits).

Values: a window is ``w:`` and its event instants, oldest first, comma separated; a
GCRA state is ``b:`` and its arrival time; a step is ``s:`` and its decimal
digits (compared as digits, so any 64-bit counter is exact). Anything else under a
key raises an error reply starting ``TFACORRUPT``. Not here: calling them (redis.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["ADVANCE", "ATTEMPT", "HIT", "HIT_BUCKET", "Script"]

_PRELUDE = r"""
local function corrupt(key, what)
  error({err = 'TFACORRUPT ' .. key .. ': holds no ' .. what})
end

local function num(x) return string.format('%.17g', x) end

local function finite(x) return x == x and x ~= math.huge and x ~= -math.huge end

local function load_window(key)
  local raw = redis.call('GET', key)
  local events = {}
  if not raw then return events, raw end
  if string.sub(raw, 1, 2) ~= 'w:' then corrupt(key, 'sliding-window state') end
  local prev = -math.huge
  for text in string.gmatch(string.sub(raw, 3), '[^,]+') do
    local x = tonumber(text)
    if x == nil or not finite(x) or x < prev then
      corrupt(key, 'sliding-window state')
    end
    events[#events + 1] = x
    prev = x
  end
  if #events == 0 then corrupt(key, 'sliding-window state') end
  return events, raw
end

-- ratelimit._window_retry
local function window_retry(oldest, window, now)
  local r = math.max(1, math.ceil(oldest + window - now))
  for _ = 1, 4 do
    if oldest <= now + r - window then break end
    r = r + 1
  end
  for _ = 1, 4 do
    if r == 1 or oldest > now + (r - 1) - window then break end
    r = r - 1
  end
  return r
end

-- ratelimit.hit (its general path, _decide with keep): {allowed, retry, state}
local function window_hit(key, max, window, now, cost)
  local events, raw = load_window(key)
  local n = #events
  local lo = 0
  while lo < n and events[lo + 1] <= now - window do lo = lo + 1 end
  local hi = n
  if n > 0 and events[n] > now then
    hi = lo
    while hi < n and events[hi + 1] <= now do hi = hi + 1 end
  end
  local count = hi - lo
  if count + cost <= max then
    local parts = {}
    for i = lo + 1, hi do parts[#parts + 1] = num(events[i]) end
    for _ = 1, cost do parts[#parts + 1] = num(now) end
    for i = hi + 1, n do parts[#parts + 1] = num(events[i]) end
    local state = 'w:' .. table.concat(parts, ',')
    local newest = now
    if hi < n then newest = events[n] end
    local ttl = math.max(1000, math.ceil((newest + window - now) * 1000))
    redis.call('SET', key, state, 'PX', string.format('%d', ttl))
    return {1, 0, state}
  end
  local oldest = events[lo + count + cost - max]
  return {0, window_retry(oldest, window, now), raw}
end

-- the replay guard: true iff step (decimal text) is above the stored step
local function advance(key, step, ttl)
  local old = redis.call('GET', key)
  if old then
    if string.sub(old, 1, 2) ~= 's:' then corrupt(key, 'step') end
    old = string.sub(old, 3)
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
  redis.call('SET', key, 's:' .. step, 'PX', ttl)
  return true
end
"""

_HIT = r"""
local r = window_hit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
                     tonumber(ARGV[3]), tonumber(ARGV[4]))
return r
"""

# ratelimit.hit_bucket: {allowed, retry, tat}
_HIT_BUCKET = r"""
local key = KEYS[1]
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local now, cost = tonumber(ARGV[3]), tonumber(ARGV[4])
local raw = redis.call('GET', key)
local tat = nil
if raw then
  if string.sub(raw, 1, 2) == 'b:' then tat = tonumber(string.sub(raw, 3)) end
  if tat == nil or not finite(tat) then corrupt(key, 'bucket state') end
end
local slack = interval * (burst - cost)
local t = tat
if t == nil or t < now then t = now end
if t - now <= slack then
  local new = t + interval * cost
  local ttl = math.max(1000, math.ceil((new - now) * 1000))
  redis.call('SET', key, 'b:' .. num(new), 'PX', string.format('%d', ttl))
  return {1, 0, num(new)}
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
return {0, r, num(tat)}
"""

_ADVANCE = r"""
if advance(KEYS[1], ARGV[1], ARGV[2]) then return 1 end
return 0
"""

# Guard.verify_totp's one round trip: the attempt limit, then (unless throttled) the
# replay guard. {code, retry}: 0 throttled, 1 wrong, 2 accepted, 3 replayed.
_ATTEMPT = r"""
local r = window_hit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]),
                     tonumber(ARGV[3]), 1)
if r[1] == 0 then return {0, r[2]} end
if ARGV[4] == '' then return {1, 0} end
if advance(KEYS[2], ARGV[4], ARGV[5]) then return {2, 0} end
return {3, 0}
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class Script:
    """A script's source and the SHA1 that EVALSHA names it by."""

    name: str
    source: str
    sha: str


def _script(name: str, body: str) -> Script:
    source = _PRELUDE + body
    return Script(
        name=name,
        source=source,
        sha=hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest(),
    )


HIT = _script("hit", _HIT)
HIT_BUCKET = _script("hit_bucket", _HIT_BUCKET)
ADVANCE = _script("advance", _ADVANCE)
ATTEMPT = _script("attempt", _ATTEMPT)
