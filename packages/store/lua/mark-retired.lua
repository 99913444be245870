--[[
mark-retired: records that the retire job of a request's completion `gen` has run, which lets
an admin requeue reopen the request (requeue-failed.lua), and takes that completion out of the
tenant's completion outbox (keys.ts `completions`).

Only the request's current generation is recorded. A second run of an earlier completion's job
(the request was reopened since, which requeue-failed.lua allows only once that completion was
retired) must not move `retired` back, or the current completion would count as retired before
its own job ran. A request that is gone is not written to, so its key is never re-created
without a TTL; its outbox entry is removed all the same.

KEYS[1] request   HASH
KEYS[2] the tenant's completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
ARGV[1] generation the retire job was for
ARGV[2] request id
Returns 1 when recorded, 0 when the request is gone or is at another generation.
]]
redis.call('ZREM', KEYS[2], ARGV[2] .. ':' .. ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'gen') or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'retired', ARGV[1])
return 1
