--[[
mark-quota-spent: VOD says the account's quota for the day is used up, whatever our own count
says (another client may share the account). The day's budget counter is raised to the daily
limit, never lowered, so claim-batch and begin-attempt stop sending until the budget resets.

KEYS[1] the budget of the day   STRING items reserved that day
KEYS[2] the spend ledger of the day   HASH: the raise is its `quota` (includes/ledger.lua)
ARGV[1] daily limit   ARGV[2] budget key TTL (s)
Returns the counter after the call.
]]
--- @include "includes/ledger.lua"
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
if used >= limit then return used end
redis.call('SET', KEYS[1], limit, 'EX', tonumber(ARGV[2]))
ledgerAdd(KEYS[2], 'quota', limit - used)
return limit
