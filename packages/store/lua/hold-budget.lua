--[[
hold-budget: the call provably never reached the upstream (connection refused before
anything was sent, or the API gateway answered that it did not forward it: 502 APIGW.0201,
429 APIGW.0308), so the budget it spent is still ours. With `release` = 0 the batch keeps
it for its next attempt; with `release` = 1 (no attempt follows) it goes back to the day.

KEYS[1] the batch    KEYS[2] the budget of the batch's day    KEYS[3] that day's charges
KEYS[4] that day's spend ledger: a release is `refunded` there (includes/ledger.lua)
ARGV[1] release (0|1)   ARGV[2] instance key prefix   ARGV[3] request key prefix
Returns the units held or released.
]]
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
--- @include "includes/charge-items.lua"
if redis.call('HGET', KEYS[1], 'st') ~= 'sending' then return 0 end
local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
if ARGV[1] == '1' then
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('DECRBY', KEYS[2], n)
    local ids = {}
    for id in string.gmatch(redis.call('HGET', KEYS[1], 'ids'), '[^,]+') do ids[#ids + 1] = id end
    chargeItems(KEYS[3], ids, ARGV[2], ARGV[3], -1, nil, nil)
    ledgerAdd(KEYS[4], 'refunded', n)
  end
  redis.call('HSET', KEYS[1], 'res', 0, 'st', 'claimed')
else
  redis.call('HSET', KEYS[1], 'res', n, 'st', 'claimed')
end
return n
