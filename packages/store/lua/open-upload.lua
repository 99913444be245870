--[[
open-upload: lets an API caller take one more place if it holds fewer than its limit, on every
replica together: its uploads being read (the API), its webhooks being delivered (the worker).
A place is held under a lease (a process that dies mid-way cannot keep it for ever) until it is
closed (ZREM) or the lease ends.

KEYS[1] the caller's places   ZSET member (request id, webhook job id) -> epoch ms its lease ends
ARGV[1] now (epoch ms)   ARGV[2] lease (ms)   ARGV[3] limit   ARGV[4] member
Returns {1, open} when opened (open before it), or {0, open} when the caller is at its limit.
]]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[3]) then return {0, open} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, open}
