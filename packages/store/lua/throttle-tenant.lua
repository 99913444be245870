--[[
throttle-tenant: VOD said "too many requests"; every replica holds its calls for the tenant
until the instant given. Two answers that race keep the later instant, never the earlier, so
a short Retry-After cannot cut a longer back-off short. The key expires at that instant.

KEYS[1] the tenant's throttle   STRING epoch ms until which no call goes out
ARGV[1] until (epoch ms)
Returns the instant in force after this call (epoch ms).
]]
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if current >= want then return current end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], want)
return want
