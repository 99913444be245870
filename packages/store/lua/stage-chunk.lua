--[[
stage-chunk: appends one chunk of an upload still arriving to its request's stage, if the
tenant's backlog (includes/backlog.lua) leaves room for it, and its staged bytes too; the chunk's
lines and bytes count from now on, under the upload's lease. Checking and writing are one step, so concurrent
uploads on any number of API replicas can never put more than the cap into Redis together.

KEYS[1] tenant pending index    HASH
KEYS[2] tenant staged counter   STRING
KEYS[3] tenant uploads          HASH request id -> lines staged so far
KEYS[4] tenant upload leases    ZSET request id -> epoch ms its lease ends
KEYS[5] request stage           LIST
KEYS[6] tenant staged bytes     STRING bytes of recorded requests' lines not yet coalesced
KEYS[7] tenant upload bytes     HASH request id -> bytes staged so far
ARGV[1] cap in items, or -1 for none
ARGV[2] now (epoch ms)   ARGV[3] lease (ms): renewed by every chunk
ARGV[4] stage TTL (s)    ARGV[5] request id
ARGV[6] cap in staged bytes (maxStagedBytes), or -1 for none   ARGV[7] the chunk's bytes
ARGV[8] the chunk's item keys, joined by "\n" (item-chunk.ts: one argument, not one an item, keeps
        the upload's items off the API's heap; an item key holds no newline)
Returns {1, backlog} when staged, {0, backlog} when the items cap refused it, {0, bytes, 1} when
the bytes cap did (nothing written); backlog and bytes are the tenant's before this chunk.
]]
--- @include "includes/backlog.lua"
local now = tonumber(ARGV[2])
local backlog = backlogOf(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now, KEYS[7])
-- the chunk's item keys, split again
local items, n, from, joined = {}, 0, 1, ARGV[8]
while true do
  local nl = string.find(joined, '\n', from, true)
  n = n + 1
  if not nl then
    items[n] = string.sub(joined, from)
    break
  end
  items[n] = string.sub(joined, from, nl - 1)
  from = nl + 1
end
local cap = tonumber(ARGV[1])
if cap >= 0 and backlog + n > cap then
  return {0, backlog}
end
local byteCap, bytes = tonumber(ARGV[6]), tonumber(ARGV[7])
if byteCap >= 0 then
  local staged = stagedBytesOf(KEYS[6], KEYS[7])
  if staged + bytes > byteCap then return {0, staged, 1} end
end
for i = 1, n, 2000 do
  redis.call('RPUSH', KEYS[5], unpack(items, i, math.min(i + 1999, n)))
end
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[4]))
redis.call('HINCRBY', KEYS[3], ARGV[5], n)
redis.call('HINCRBY', KEYS[7], ARGV[5], bytes)
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[3]), ARGV[5])
return {1, backlog}
