--[[
Charges for a day's budget, caller by caller (caller -> milli-units in the day's charges HASH).
Each item's unit (1000 milli-units) is split equally between the distinct callers of the requests
it serves (its first request and the linked ones; '' for a request of no caller or one expired),
the remainder to the first callers in id order, so the shares of one item add up to exactly 1000.
`sign` is 1 when the day's counter rises by these items, -1 when it falls back. Included by
claim-batch.lua, begin-attempt.lua and hold-budget.lua, the three scripts that move a day's
counter for a batch, so the charges always add up to the counter (times 1000).

requestsOf(ip, id): the requests an instance serves, its linked ones then its first.
chargeRequests(chargesKey, perItem, rp, sign, ttl): charges items given as lists of requests
  (claim-batch.lua has read them already).
chargeItems(chargesKey, ids, ip, rp, sign, ttl): the same for instance ids.
]]
local function requestsOf(ip, id)
  local reqs = redis.call('SMEMBERS', ip .. id .. ':l')
  local owner = redis.call('HGET', ip .. id, 'r')
  if owner then reqs[#reqs + 1] = owner end
  return reqs
end

local function chargeRequests(chargesKey, perItem, rp, sign, ttl)
  local total = {}
  for _, reqs in ipairs(perItem) do
    local seen, callers = {}, {}
    for _, r in ipairs(reqs) do
      local c = redis.call('HGET', rp .. r, 'caller') or ''
      if not seen[c] then
        seen[c] = true
        callers[#callers + 1] = c
      end
    end
    if #callers == 0 then callers[1] = '' end
    table.sort(callers)
    local base = math.floor(1000 / #callers)
    local extra = 1000 - base * #callers
    for i, c in ipairs(callers) do
      total[c] = (total[c] or 0) + base + (i <= extra and 1 or 0)
    end
  end
  for c, m in pairs(total) do redis.call('HINCRBY', chargesKey, c, sign * m) end
  if ttl then redis.call('EXPIRE', chargesKey, ttl) end
end

local function chargeItems(chargesKey, ids, ip, rp, sign, ttl)
  local perItem = {}
  for _, id in ipairs(ids) do perItem[#perItem + 1] = requestsOf(ip, id) end
  chargeRequests(chargesKey, perItem, rp, sign, ttl)
end
