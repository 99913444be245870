--[[
admit-request: records a new request if its tenant's backlog leaves room for it. Checking and
recording are one step, so concurrent submissions on any number of API replicas can never
pass the cap together.

The backlog is the tenant's pending items (the coalescing index) plus the lines of its
requests received but not yet coalesced (the staged counter, raised here by the request's
lines and lowered by coalesce-items, finish-ingest and discard-request).

KEYS[1] tenant pending index    HASH
KEYS[2] tenant staged counter   STRING
KEYS[3] request                 HASH
KEYS[4] request stage           LIST (its TTL becomes ARGV[3])
ARGV[1] cap in items, or -1 for none
ARGV[2] lines the request received
ARGV[3] stage TTL (s)
ARGV[4..] field, value pairs of the request HASH
Returns {1, backlog} when recorded, {0, backlog} when refused (nothing written); backlog is
the tenant's before this request.
]]
local staged = tonumber(redis.call('GET', KEYS[2]) or '0')
if staged < 0 then staged = 0 end
local backlog = redis.call('HLEN', KEYS[1]) + staged
local cap, received = tonumber(ARGV[1]), tonumber(ARGV[2])
if cap >= 0 and backlog + received > cap then
  return {0, backlog}
end
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
-- the stage outlives a slow ingest; it is deleted when coalescing finishes
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[3]))
redis.call('INCRBY', KEYS[2], received)
return {1, backlog}
