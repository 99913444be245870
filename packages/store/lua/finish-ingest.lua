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
once, so the tenant's backlog does not stay inflated by a request that is over.
]]
--- @include "includes/completion.lua"
local r = redis.call('HMGET', KEYS[1], 'done', 'received', 'ingested', 'sb')
if r[1] ~= '1' then
  local left = tonumber(r[2] or '0') - tonumber(r[3] or '0')
  if left > 0 and redis.call('DECRBY', KEYS[4], left) < 0 then redis.call('SET', KEYS[4], 0) end
  local bytes = tonumber(r[4] or '0')
  if bytes > 0 and redis.call('DECRBY', KEYS[6], bytes) < 0 then redis.call('SET', KEYS[6], 0) end
  redis.call('HDEL', KEYS[1], 'sb')
end
redis.call('HSET', KEYS[1], 'done', 1)
-- UNLINK: a million-member set freed in the background instead of blocking Redis
redis.call('UNLINK', KEYS[2], KEYS[3])
return completeIfDone(KEYS[1], KEYS[5], ARGV[3], ARGV[2], tonumber(ARGV[1])) and 1 or 0
