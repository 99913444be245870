--[[
open-upload: lets an API caller open one more upload if it has fewer than its limit open, on
every API replica together. An upload holds its place under a lease (an API that dies mid-upload
cannot keep it for ever) until close (ZREM) or the lease's end.

KEYS[1] the caller's open uploads   ZSET request id -> epoch ms its lease ends
ARGV[1] now (epoch ms)   ARGV[2] lease (ms)   ARGV[3] limit   ARGV[4] request id
Returns {1, open} when opened (open before it), or {0, open} when the caller is at its limit.
]]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[3]) then return {0, open} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, open}
