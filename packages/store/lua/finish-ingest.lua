--[[
finish-ingest: marks a request fully coalesced and drops its staging data. When every item
was already final (nothing pending, in flight or submitted), the retention period starts now
and the request enters the tenant's completion outbox, in the same step (keys.ts `completions`).

KEYS[1] request   KEYS[2] request items   KEYS[3] request tasks
KEYS[4] request seen   KEYS[5] request stage   KEYS[6] tenant staged counter (lines not yet coalesced)
KEYS[7] the tenant's completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
KEYS[8] tenant staged bytes    STRING (bytes of lines not yet coalesced; the request's are `sb`)
ARGV[1] retention TTL (s)   ARGV[2] now (ms)   ARGV[3] request id
Returns 1 when the request completed here (every item already final), else 0.

Lines received but never coalesced (a stage that ended short) leave the staged counter here,
once, so the tenant's backlog does not stay inflated by a request that is over.
]]
local r = redis.call('HMGET', KEYS[1], 'done', 'received', 'ingested', 'sb')
if r[1] ~= '1' then
  local left = tonumber(r[2] or '0') - tonumber(r[3] or '0')
  if left > 0 and redis.call('DECRBY', KEYS[6], left) < 0 then redis.call('SET', KEYS[6], 0) end
  local bytes = tonumber(r[4] or '0')
  if bytes > 0 and redis.call('DECRBY', KEYS[8], bytes) < 0 then redis.call('SET', KEYS[8], 0) end
  redis.call('HDEL', KEYS[1], 'sb')
end
redis.call('HSET', KEYS[1], 'done', 1)
-- UNLINK: a million-member set freed in the background instead of blocking Redis
redis.call('UNLINK', KEYS[4], KEYS[5])
local h = redis.call('HMGET', KEYS[1], 'pending', 'in_flight', 'submitted', 'gen')
if tonumber(h[1] or '0') == 0 and tonumber(h[2] or '0') == 0 and tonumber(h[3] or '0') == 0 then
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1])) end
  redis.call('ZADD', KEYS[7], 'NX', ARGV[2], ARGV[3] .. ':' .. (h[4] or '0'))
  return 1
end
return 0
