--[[
begin-attempt: spends a batch's budget for one call to the upstream, just before it is made.

The claim reserved budget for the first attempt. Any attempt after one that may have reached
the upstream (a timeout, a 5xx, a worker killed mid-call) needs a fresh reservation, because
VOD may have counted the earlier call; our count must never fall below VOD's. A reservation
made on an earlier budget day is void: VOD counts the call on the day it arrives.

KEYS[1] the batch            HASH
KEYS[2] today's budget       STRING
KEYS[3] today's charges      HASH caller -> milli-units (includes/charge-items.lua)
ARGV[1] daily limit   ARGV[2] budget key TTL (s)   ARGV[3] today's day id
ARGV[4] instance key prefix   ARGV[5] request key prefix
Returns {'ok', attempts} | {'budget'} (not enough left today; nothing spent) | {'done'} | {'missing'}
]]
--- @include "includes/charge-items.lua"
local st = redis.call('HGET', KEYS[1], 'st')
if not st then return {'missing'} end
if st == 'done' then return {'done'} end
local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
local res = tonumber(redis.call('HGET', KEYS[1], 'res') or '0')
if res < n or redis.call('HGET', KEYS[1], 'day') ~= ARGV[3] then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used + n > tonumber(ARGV[1]) then return {'budget'} end
  redis.call('INCRBY', KEYS[2], n)
  redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
  local ids = {}
  for id in string.gmatch(redis.call('HGET', KEYS[1], 'ids'), '[^,]+') do ids[#ids + 1] = id end
  chargeItems(KEYS[3], ids, ARGV[4], ARGV[5], 1, tonumber(ARGV[2]))
  redis.call('HSET', KEYS[1], 'day', ARGV[3])
end
redis.call('HSET', KEYS[1], 'res', 0, 'st', 'sending')
return {'ok', redis.call('HINCRBY', KEYS[1], 'attempts', 1)}
