--[[
count-auth-failure: counts one refused key presented from a client address, in a fixed window
that starts at the address's first failure in it; every API replica counts here, so the limit
holds across them. The key expires with its window: an address that stops failing leaves nothing.

KEYS[1] the address's failures   STRING count, PX the rest of its window
ARGV[1] window (ms, >= 1)
Returns {failures in the window so far, this one included; ms until the window ends}.
]]
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
local ttl = redis.call('PTTL', KEYS[1])
-- a key left without expiry (never by this script) would block the address for ever
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
