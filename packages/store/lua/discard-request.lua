--[[
discard-request: drops a request the API gave up on before queueing it (staging and, if it was
recorded, its record). The lines it counted in the tenant's staged counter leave it too, so an
abandoned request never holds backlog room.

KEYS[1] request          HASH
KEYS[2] request stage    LIST
KEYS[3] tenant staged counter   STRING
KEYS[4] tenant uploads          HASH request id -> lines staged so far (an upload still arriving)
KEYS[5] tenant upload leases    ZSET
KEYS[6] tenant staged bytes     STRING     KEYS[7] tenant upload bytes   HASH (includes/backlog.lua)
ARGV[1] request id
Returns the number of lines given back to the staged counter.
]]
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
local r = redis.call('HMGET', KEYS[1], 'done', 'received', 'ingested', 'sb')
local bytes = tonumber(r[4] or '0')
if r[1] ~= '1' and bytes > 0 and redis.call('DECRBY', KEYS[6], bytes) < 0 then redis.call('SET', KEYS[6], 0) end
local left = 0
if r[2] and r[1] ~= '1' then
  left = tonumber(r[2]) - tonumber(r[3] or '0')
  if left < 0 then left = 0 end
  if left > 0 and redis.call('DECRBY', KEYS[3], left) < 0 then redis.call('SET', KEYS[3], 0) end
end
redis.call('DEL', KEYS[1], KEYS[2])
return left
