--[[
acquire-call-slot: one shared pace, a GCRA (generic cell rate algorithm, a token bucket kept
as one timestamp). It paces a tenant's calls to VOD (every worker replica asks here before
each call) and an API caller's requests (every API replica asks here before answering one):
together they never go faster than the rate, with at most `burst` at once after a quiet
spell. The clock is the caller's (ARGV[1]), so tests can drive it.

The state is the theoretical arrival time (TAT): when the next call would be due if calls
came exactly at the rate. A call is allowed when it is no more than (burst - 1) intervals
ahead of the TAT; each allowed call moves the TAT one interval on. Times are integer
microseconds, and the interval is rounded up, so rounding can only slow calls, never speed
them up. A TAT in the past means the same as no key; the key is kept a minute past its TAT
so that replicas whose clocks differ a little still share it.

KEYS[1] the pace (a tenant's calls or a caller's requests)   STRING TAT (epoch µs)
ARGV[1] now (epoch ms)   ARGV[2] calls per second (> 0, may be fractional)
ARGV[3] burst (calls allowed at once, >= 1)
Returns {1, 0} when the call may go now (the slot is taken), or {0, ms} to wait before asking again.
]]
local now = math.floor(tonumber(ARGV[1]) * 1000)
local interval = math.ceil(1000000 / tonumber(ARGV[2]))
local ahead = (tonumber(ARGV[3]) - 1) * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowed_at = tat - ahead
if now < allowed_at then
  return {0, math.ceil((allowed_at - now) / 1000)}
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 60000)
return {1, 0}
