--[[
admit-request: records a new request if its tenant's backlog leaves room for it. Checking and
recording are one step, so concurrent submissions on any number of API replicas can never
pass the cap together.

The backlog (includes/backlog.lua) is the tenant's pending items, the lines of its recorded
requests not yet coalesced (the staged counter, raised here by the request's lines and lowered
by coalesce-items, finish-ingest and discard-request) and the lines of uploads still arriving.
This request's own lines, counted as they arrived (stage-chunk.lua), move from the uploads to
the staged counter here, so they are never counted twice nor dropped; so do their bytes, which
the request keeps in `sb` until they are coalesced (maxStagedBytes was checked as they arrived).

KEYS[1] tenant pending index    HASH
KEYS[2] tenant staged counter   STRING
KEYS[3] request                 HASH
KEYS[4] request stage           LIST (its TTL becomes ARGV[3])
KEYS[5] tenant uploads          HASH request id -> lines staged so far (stage-chunk.lua)
KEYS[6] tenant upload leases    ZSET request id -> epoch ms its lease ends
KEYS[7] tenant staged bytes     STRING (includes/backlog.lua)
KEYS[8] tenant upload bytes     HASH request id -> bytes staged so far (stage-chunk.lua)
ARGV[1] cap in items, or -1 for none
ARGV[2] lines the request received
ARGV[3] stage TTL (s)
ARGV[4] now (epoch ms)   ARGV[5] request id
ARGV[6..] field, value pairs of the request HASH
Returns {1, backlog} when recorded, {0, backlog} when refused (nothing written); backlog is
the tenant's before this request.
]]
--- @include "includes/backlog.lua"
local backlog = backlogOf(KEYS[1], KEYS[2], KEYS[5], KEYS[6], tonumber(ARGV[4]), KEYS[8])
-- this request's own lines, already in the backlog while they arrived
local counted = tonumber(redis.call('HGET', KEYS[5], ARGV[5]) or '0')
backlog = backlog - counted
local cap, received = tonumber(ARGV[1]), tonumber(ARGV[2])
if cap >= 0 and backlog + received > cap then
  return {0, backlog}
end
local bytes = tonumber(redis.call('HGET', KEYS[8], ARGV[5]) or '0')
dropUpload(KEYS[5], KEYS[8], KEYS[6], ARGV[5])
redis.call('HSET', KEYS[3], unpack(ARGV, 6))
if bytes > 0 then
  redis.call('HSET', KEYS[3], 'sb', bytes)
  redis.call('INCRBY', KEYS[7], bytes)
end
-- the stage outlives a slow ingest; it is deleted when coalescing finishes
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[3]))
redis.call('INCRBY', KEYS[2], received)
return {1, backlog}
