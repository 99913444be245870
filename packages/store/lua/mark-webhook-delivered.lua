--[[
mark-webhook-delivered: records that a request's completion webhook was delivered, so a late
duplicate webhook job sends nothing. An admin requeue can reopen a completed request; its next
completion has the next generation and a webhook of its own, so the mark is kept per generation
(the highest delivered). A request whose record has already expired is left absent: HSET on it
would recreate a husk without a TTL.

KEYS[1] the request    HASH
ARGV[1] epoch ms of the delivery
ARGV[2] the completion's generation (0 for the first)
Returns 1 when this call recorded it, 0 when it was recorded before or the request is gone
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local delivered = redis.call('HGET', KEYS[1], 'webhook_delivered_at')
local gen = tonumber(ARGV[2])
if delivered and tonumber(redis.call('HGET', KEYS[1], 'webhook_delivered_gen') or '0') >= gen then return 0 end
redis.call('HSET', KEYS[1], 'webhook_delivered_at', ARGV[1], 'webhook_delivered_gen', gen)
return 1
