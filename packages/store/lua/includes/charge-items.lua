--[[
Charges for a day's budget, caller by caller (caller -> milli-units in the day's charges HASH).
Each unit (1000 milli-units) is split equally between the distinct callers of the requests it
serves ('' for a request of no caller or one expired), the remainder to the first callers in id
order, so the shares of one unit add up to exactly 1000. A unit serves its item's requests (its
first request and the linked ones) and, for an asset id that covers URLs (coalesce-items.lua),
those of every URL it carries. `sign` is 1 when the day's counter rises by these units, -1 when
it falls back. Included, after includes/ledger.lua and includes/requests-of.lua, by claim-batch.lua, begin-attempt.lua and
hold-budget.lua, the three scripts that move a day's counter for a batch, so the charges always
add up to the counter (times 1000). The charges are kept as long as the ledger (LEDGER_TTL).

requestsOf(ip, id): the requests a unit serves: the instance's linked ones then its first, then
  those of each URL it covers (a request with several of them is listed once per item).
chargeRequests(chargesKey, perItem, rp, sign, ledgerKey, kind): charges units given as lists of
  requests (claim-batch.lua has read them already); with sign 1 it also adds each caller's share
  to the ledger's `g:<kind>:<caller>` (what was spent, refunds aside).
chargeItems(chargesKey, ids, ip, rp, sign, ledgerKey, kind): the same for instance ids.
]]
local function requestsOf(ip, id)
  local reqs = itemRequests(ip, id, {})
  for _, c in ipairs(redis.call('SMEMBERS', ip .. id .. ':c')) do itemRequests(ip, c, reqs) end
  return reqs
end

local function chargeRequests(chargesKey, perItem, rp, sign, ledgerKey, kind)
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
  for c, m in pairs(total) do
    redis.call('HINCRBY', chargesKey, c, sign * m)
    if sign > 0 and ledgerKey then ledgerAdd(ledgerKey, 'g:' .. kind .. ':' .. c, m) end
  end
  redis.call('EXPIRE', chargesKey, LEDGER_TTL)
end

local function chargeItems(chargesKey, ids, ip, rp, sign, ledgerKey, kind)
  local perItem = {}
  for _, id in ipairs(ids) do perItem[#perItem + 1] = requestsOf(ip, id) end
  chargeRequests(chargesKey, perItem, rp, sign, ledgerKey, kind)
end
