--[[
release-token-lock: drops a tenant's IAM token lock only if `owner` still holds it. A replica
whose fetch outlived the lock's TTL must not delete the lock another replica took since.

KEYS[1] the tenant's token lock    STRING owner id (SET NX PX)
ARGV[1] owner id of the caller
Returns 1 when the lock was released, 0 when it was not held by `owner` (expired or taken over)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
