--[[
claim-idempotency-key: binds an Idempotency-Key to a request, or says which request it is bound
to, in one step, so two API replicas can never both bind one key. The key holds
`<body hash> <request id> <lease end, epoch ms>`: the lease covers the moments between this step
and the request being recorded (admit-request.lua), when the binding request exists nowhere else.
A key whose request is not recorded is taken over only once that lease has ended: its owner is
provably gone (it records within milliseconds, or forgets the key when refused), not merely
between two steps.

KEYS[1] the key            STRING
ARGV[1] body hash   ARGV[2] request id   ARGV[3] TTL (s)   ARGV[4] now (epoch ms)   ARGV[5] lease (ms)
ARGV[6] request key prefix (tenant-tagged, ends with "r:")
Returns {'new'} when bound to ARGV[2] (fresh, or taken over); {'same', id} when bound to a
recorded request with this body; {'conflict', id} when bound with another body; {'pending', id,
lease_end} when bound to a request not recorded yet whose owner may still record it.
]]
local now = tonumber(ARGV[4])
local value = ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. (now + tonumber(ARGV[5]))
local prior = redis.call('GET', KEYS[1])
if not prior then
  redis.call('SET', KEYS[1], value, 'EX', tonumber(ARGV[3]))
  return {'new'}
end
local hash, id, leaseEnd = string.match(prior, '^(%S+) (%S+) ?(%d*)$')
if hash ~= ARGV[1] then return {'conflict', id or ''} end
if redis.call('EXISTS', ARGV[6] .. id) == 1 then return {'same', id} end
-- a value written before leases existed has none: its owner is treated as gone
if leaseEnd ~= '' and now < tonumber(leaseEnd) then return {'pending', id, leaseEnd} end
redis.call('SET', KEYS[1], value, 'EX', tonumber(ARGV[3]))
return {'new'}
