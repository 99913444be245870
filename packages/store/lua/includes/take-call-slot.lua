--[[
takeCallSlot(key, nowMs, perSecond, burst): one shared pace, a GCRA (generic cell rate algorithm,
a token bucket kept as one timestamp). Included by acquire-call-slot.lua (result polls, API
callers) and claim-batch.lua (a batch is claimed only together with the slot its call leaves in).

The state is the theoretical arrival time (TAT): when the next call would be due if calls came
exactly at the rate. A call is allowed when it is no more than (burst - 1) intervals ahead of the
TAT; each allowed call moves the TAT one interval on. Times are integer microseconds, and the
interval is rounded up, so rounding can only slow calls, never speed them up. A TAT in the past
means the same as no key; the key is kept a minute past its TAT so that replicas whose clocks
differ a little still share it.

Returns true, 0 when the slot is taken, or false, ms to wait before asking again.
]]
local function takeCallSlot(key, nowMs, perSecond, burst)
  local now = math.floor(nowMs * 1000)
  local interval = math.ceil(1000000 / perSecond)
  local ahead = (burst - 1) * interval
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local allowedAt = tat - ahead
  if now < allowedAt then
    return false, math.ceil((allowedAt - now) / 1000)
  end
  tat = tat + interval
  redis.call('SET', key, string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 60000)
  return true, 0
end
