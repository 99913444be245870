--[[
record-results: records VOD's verdicts (ShowRefreshResult) on the items of a submitted batch and
on every request linked to them.

Only items still submitted (`s` = S) change, so the script is idempotent: a poll run again, or a
verdict for an item that is already final, changes nothing. Items of the batch without a verdict
in ARGV stay submitted. Each request linked to a changed item moves one count from `submitted` to
`completed`, `failed` or `unknown`. A request this completes starts its retention and enters the
tenant's completion outbox in the same step (includes/completion.lua). A request whose hash is
gone is not written to, so no key is ever re-created without a TTL.

KEYS[1] the batch    HASH (its `ids` name the items)
KEYS[2] the tenant's completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
KEYS[3] the tenant's pending index       HASH (covered URLs VOD did not list go back there)
ARGV[1] now (ms)     ARGV[2] retention TTL (s)
ARGV[3] instance key prefix     ARGV[4] request key prefix
ARGV[5] error code and ARGV[6] error message of items VOD reported FAILED
ARGV[7] ledger key prefix (keys.ts `ledger`, without the day): misses count on the batch's day
ARGV[8..] pairs: instance id, verdict C (completed) | V (failed by VOD's verdict) | U (unknown:
          no final verdict before the polling gave up) | R (a URL its asset covered that VOD's
          final verdict does not list: not refreshed, so queued again as a URL, a cover miss)
The batch's items are its `ids` and the URLs they cover (`cov`, claim-batch.lua).
Returns {completed, failed, unknown, open, requeued, ids of requests this call completed...}:
items this call moved per verdict, the batch's items still submitted afterwards, and the covered
URLs queued again ({0,0,0,0,0} when the batch is gone).
]]
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/uncover.lua"
--- @include "includes/completion.lua"
local ids = redis.call('HGET', KEYS[1], 'ids')
if not ids then return {0, 0, 0, 0, 0} end
ids = ids .. ',' .. (redis.call('HGET', KEYS[1], 'cov') or '')
local now, ttl, ip, rp = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local verdictOf = {}
for i = 8, #ARGV, 2 do verdictOf[ARGV[i]] = ARGV[i + 1] end

local counter = {C = 'completed', V = 'failed', U = 'unknown', R = 'pending'}
local moved = {C = 0, V = 0, U = 0, R = 0}
local deltas, open, completed = {}, 0, {}
for id in string.gmatch(ids, '[^,]+') do
  local ik = ip .. id
  if redis.call('HGET', ik, 's') == 'S' then
    local v = verdictOf[id]
    if counter[v] then
      if v == 'V' then
        redis.call('HSET', ik, 's', v, 'e', ARGV[5], 'm', ARGV[6], 'f', now)
      elseif v == 'R' then
        uncover(ip, id, KEYS[3], now)
      else
        redis.call('HSET', ik, 's', v, 'f', now)
      end
      moved[v] = moved[v] + 1
      for _, r in ipairs(itemRequests(ip, id, {})) do
        deltas[r] = deltas[r] or {C = 0, V = 0, U = 0, R = 0}
        deltas[r][v] = deltas[r][v] + 1
      end
    else
      open = open + 1
    end
  end
end

for r, d in pairs(deltas) do
  local rk = rp .. r
  if redis.call('EXISTS', rk) == 1 then
    redis.call('HINCRBY', rk, 'submitted', -(d.C + d.V + d.U + d.R))
    for v, n in pairs(d) do
      if n > 0 then redis.call('HINCRBY', rk, counter[v], n) end
    end
    if completeIfDone(rk, KEYS[2], r, now, ttl) then completed[#completed + 1] = r end
  end
end
ledgerAdd(ARGV[7] .. (redis.call('HGET', KEYS[1], 'day') or ''), 'miss', moved.R)
-- the batch outlives its last poll by the retention period, however long the polling took
redis.call('EXPIRE', KEYS[1], ttl)
return {moved.C, moved.V, moved.U, open, moved.R, unpack(completed)}
