--[[
finish-ingest: marks a request fully coalesced and drops its staging data. When every item
was already final (nothing pending, in flight or submitted), the request completes here: its
retention starts and it enters the tenant's completion outbox in the same step
(includes/completion.lua).

KEYS[1] request   KEYS[2] request seen   KEYS[3] request stage
KEYS[4] tenant staged counter (lines not yet coalesced)
KEYS[5] the tenant's completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
KEYS[6] tenant staged bytes    STRING (bytes of lines not yet coalesced; the request's are `sb`)
ARGV[1] retention TTL (s)   ARGV[2] now (ms)   ARGV[3] request id
Returns 1 when the request completed here (every item already final), else 0.

Lines received but never coalesced (a stage that ended short) leave the staged counter here,
once, with the request's staged bytes (includes/staged.lua), so the tenant's backlog does not stay
inflated by a request that is over.
]]
--- @include "includes/staged.lua"
--- @include "includes/completion.lua"
unstage(KEYS[1], KEYS[4], KEYS[6])
redis.call('HSET', KEYS[1], 'done', 1)
-- UNLINK: a million-member set freed in the background instead of blocking Redis
redis.call('UNLINK', KEYS[2], KEYS[3])
return completeIfDone(KEYS[1], KEYS[5], ARGV[3], ARGV[2], tonumber(ARGV[1])) and 1 or 0
