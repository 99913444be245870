--[[
coalesce-items: adds one chunk of a request's items to its tenant's pending queues.

An item already pending for the tenant (queued, not yet claimed) is not queued again: the
request is linked to the existing instance and shares its outcome. An item seen earlier in
the same request collapses. Anything else becomes a new pending instance.

The chunk is applied at most once: ARGV[4] must equal the request's `ingested` counter,
which this script advances, so a worker that dies mid-request resumes without doubling links.

KEYS[1] tenant pending index   HASH item key -> pending instance id
KEYS[2] tenant instance seq    STRING
KEYS[3] request                HASH (ingested, pending, ...)
KEYS[4] request items          LIST of instance ids in order of first appearance
KEYS[5] request seen           SET of item keys seen so far in this request
KEYS[6] asset-id queue of the request's priority   LIST
KEYS[7] url queue of the request's priority        LIST
ARGV[1] request id
ARGV[2] priority code (h|n|l)
ARGV[3] now (ms)
ARGV[4] expected `ingested` before this chunk
ARGV[5] number of raw lines this chunk covers (duplicates included)
ARGV[6] instance key prefix (tenant-tagged, ends with "i:")
ARGV[7..] item keys ("a:<asset id>" or "u:<normalised url>")
Returns {created, linked, duplicates} or {-1} when the chunk was already applied.
]]
local ingested = tonumber(redis.call('HGET', KEYS[3], 'ingested') or '0')
if ingested ~= tonumber(ARGV[4]) then
  return {-1}
end
local reqId, prio, now, ip = ARGV[1], ARGV[2], ARGV[3], ARGV[6]
local created, linked, dups = 0, 0, 0
for i = 7, #ARGV do
  local key = ARGV[i]
  if redis.call('SADD', KEYS[5], key) == 0 then
    dups = dups + 1
  else
    local id = redis.call('HGET', KEYS[1], key)
    if id then
      -- pending elsewhere: share its outcome
      redis.call('SADD', ip .. id .. ':l', reqId)
      linked = linked + 1
    else
      id = redis.call('INCR', KEYS[2])
      redis.call('HSET', ip .. id, 'v', key, 's', 'P', 'p', prio, 'r', reqId, 't', now)
      redis.call('HSET', KEYS[1], key, id)
      if string.sub(key, 1, 1) == 'a' then
        redis.call('RPUSH', KEYS[6], id)
      else
        redis.call('RPUSH', KEYS[7], id)
      end
      created = created + 1
    end
    redis.call('RPUSH', KEYS[4], id)
  end
end
redis.call('HINCRBY', KEYS[3], 'ingested', ARGV[5])
redis.call('HINCRBY', KEYS[3], 'pending', created + linked)
return {created, linked, dups}
