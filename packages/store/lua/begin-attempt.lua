--[[
begin-attempt: spends a batch's budget for one call to the upstream, just before it is made.

The claim reserved budget for the first attempt. Any attempt after one that may have reached
the upstream (a timeout, a 5xx, a worker killed mid-call) needs a fresh reservation, because
VOD may have counted the earlier call; our count must never fall below VOD's. A reservation
made on an earlier budget day is void: VOD counts the call on the day it arrives.

KEYS[1] the batch            HASH
KEYS[2] today's budget       STRING
KEYS[3] today's charges      HASH caller -> milli-units (includes/charge-items.lua)
KEYS[4] today's spend ledger HASH (includes/ledger.lua)
ARGV[1] daily limit   ARGV[2] budget key TTL (s)   ARGV[3] today's day id
ARGV[4] instance key prefix   ARGV[5] request key prefix
ARGV[6] ledger key prefix (keys.ts `ledger`, without the day)
A fresh reservation settles the last one in the ledger of its day: an attempt that began
(`st` = sending) and was neither answered nor held back has an `unknown` outcome; a reservation
held for a call that then waited past the reset was `voided`.
Returns {'ok', attempts} | {'budget'} (not enough left today; nothing spent) | {'done'} | {'missing'}
]]
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
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
  local lastDay = redis.call('HGET', KEYS[1], 'day') or ''
  if st == 'sending' then
    ledgerAdd(ARGV[6] .. lastDay, 'unknown', n)
  elseif res >= n and lastDay ~= '' then
    ledgerAdd(ARGV[6] .. lastDay, 'voided', n)
  end
  local kind = redis.call('HGET', KEYS[1], 'kind')
  -- the items the units carry, counted as claim-batch.lua counted them: the covered URLs, and
  -- every sent instance that is an item of its own
  local ids, items = {}, select(2, string.gsub(redis.call('HGET', KEYS[1], 'cov') or '', '[^,]+', ''))
  for id in string.gmatch(redis.call('HGET', KEYS[1], 'ids'), '[^,]+') do
    ids[#ids + 1] = id
    if isOwnItem(ARGV[4], id) then items = items + 1 end
  end
  ledgerSpend(KEYS[4], ARGV[1], kind, n, items)
  chargeItems(KEYS[3], ids, ARGV[4], ARGV[5], 1, KEYS[4], kind)
  redis.call('HSET', KEYS[1], 'day', ARGV[3])
end
redis.call('HSET', KEYS[1], 'res', 0, 'st', 'sending')
return {'ok', redis.call('HINCRBY', KEYS[1], 'attempts', 1)}
