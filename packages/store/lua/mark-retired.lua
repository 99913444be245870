--[[
mark-retired: records that the retire job of a request's completion `gen` has run, which lets
an admin requeue reopen the request (requeue-failed.lua). A request that is gone is not written
to, so its key is never re-created without a TTL.

KEYS[1] request   HASH
ARGV[1] generation the retire job was for
Returns 1 when recorded, 0 when the request is gone.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'retired', ARGV[1])
return 1
