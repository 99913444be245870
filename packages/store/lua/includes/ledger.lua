--[[
The spend ledger of a tenant's budget day (keys.ts `ledger`): one HASH of counters per day, never
item lists, so its size is bounded by the tenant's callers, kept LEDGER_TTL (400 days). Every
script that spends, refunds or settles a unit writes it in the same step, so it cannot drift
from the budget counter.

Fields (units unless said otherwise):
  spent      every unit a batch reserved (a claim, or a retry's fresh reservation)
  refunded   units given back to the day (the call provably never left)
  accepted   units of calls VOD accepted (it gave a task id)
  refused    units of calls VOD refused for their items
  unknown    units of calls whose outcome we cannot know (timeout, 5xx, a worker killed mid-call,
             a throttle or quota answer that reached VOD): VOD may or may not have counted them
  voided     units reserved for a call that was then held past the day's reset (spent on the next)
  quota      units VOD's quota refusal added to the counter (the account's quota was used elsewhere)
  kind:a / kind:u   units spent on asset-id / URL refreshes
  items      items those units carried (a covered URL is an item of its asset's unit)
  g:<kind code>:<caller>   milli-units spent per kind and caller (shares of a unit add up to 1000)
  saved:linked     items linked to a pending copy instead of costing a unit of their own
  saved:debounced  items linked to a copy the hot-item debounce held (sent once for them all)
  saved:covered    URLs carried by an asset-id unit beyond the unit's own item
  miss       covered URLs VOD's verdict did not list: queued again as URLs (cover misses)
  limit      the day's limit when its first unit was spent

ledgerAdd(key, field, n): adds n (nothing when n is 0) and keeps the key LEDGER_TTL.
ledgerSpend(key, limit, kind, units, items): a batch reserved `units` of the day (a claim,
  claim-batch.lua, or a retry's fresh reservation, begin-attempt.lua): `spent`, `kind:<kind>` and
  the `items` they carry, and the day's `limit` if it is the day's first spend.
]]
local LEDGER_TTL = 400 * 86400
local function ledgerAdd(key, field, n)
  if n == 0 then return end
  redis.call('HINCRBY', key, field, n)
  redis.call('EXPIRE', key, LEDGER_TTL)
end

local function ledgerSpend(key, limit, kind, units, items)
  if redis.call('HSETNX', key, 'limit', limit) == 1 then redis.call('EXPIRE', key, LEDGER_TTL) end
  ledgerAdd(key, 'spent', units)
  ledgerAdd(key, 'kind:' .. kind, units)
  ledgerAdd(key, 'items', items)
end
