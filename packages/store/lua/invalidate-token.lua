--[[
invalidate-token: forgets a tenant's cached IAM token only if it is still the one the caller saw
refused. When another replica has already stored a newer token, that one is kept.

KEYS[1] the tenant's cached token    HASH {tok = token, exp = expiry in epoch ms}
ARGV[1] the token the caller saw refused
Returns 1 when the token was deleted, 0 when the cache holds another token or none
]]
if redis.call('HGET', KEYS[1], 'tok') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
