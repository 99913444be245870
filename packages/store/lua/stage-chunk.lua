--[[
stage-chunk: appends one chunk of an upload still arriving to its request's stage, if the
tenant's backlog (includes/backlog.lua) leaves room for it; the chunk's lines count in the
backlog from now on, under the upload's lease. Checking and writing are one step, so concurrent
uploads on any number of API replicas can never put more than the cap into Redis together.

KEYS[1] tenant pending index    HASH
KEYS[2] tenant staged counter   STRING
KEYS[3] tenant uploads          HASH request id -> lines staged so far
KEYS[4] tenant upload leases    ZSET request id -> epoch ms its lease ends
KEYS[5] request stage           LIST
ARGV[1] cap in items, or -1 for none
ARGV[2] now (epoch ms)   ARGV[3] lease (ms): renewed by every chunk
ARGV[4] stage TTL (s)    ARGV[5] request id
ARGV[6..] the chunk's item keys
Returns {1, backlog} when staged, {0, backlog} when refused (nothing written); backlog is the
tenant's before this chunk.
]]
--- @include "includes/backlog.lua"
local now = tonumber(ARGV[2])
local backlog = backlogOf(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now)
local n = #ARGV - 5
local cap = tonumber(ARGV[1])
if cap >= 0 and backlog + n > cap then
  return {0, backlog}
end
for i = 6, #ARGV, 2000 do
  redis.call('RPUSH', KEYS[5], unpack(ARGV, i, math.min(i + 1999, #ARGV)))
end
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[4]))
redis.call('HINCRBY', KEYS[3], ARGV[5], n)
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[5])
return {1, backlog}
