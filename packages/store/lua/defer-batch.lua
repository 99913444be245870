--[[
defer-batch: a claimed batch that must wait for its tenant's next budget day (a retry with no
budget left today, VOD's quota refusal, a call that would start too close to midnight) is
marked waiting, so that callers see its items as deferred rather than in flight; with 0 the
wait ends, just before the batch's next call. Budget is not touched: the batch keeps whatever
it holds (claim-batch.lua, begin-attempt.lua and hold-budget.lua alone decide that).

While waiting the batch has `wait` (epoch ms it waits for), each of its items `s` = D instead
of F, and every request linked to an item (its first request and those in `:l`, as claim-batch
counted them) counts it in `deferred` as well as in `in_flight`. Keeping it in `in_flight` means
every script that asks whether a request is complete (in_flight = 0) still sees it open without
knowing of this one. Only pending instances get new links (coalesce-items.lua, requeue-failed.lua),
so a claimed item's requests never change and ending the wait takes back exactly what starting
it added. The worker finishes or splits a batch only after a call, and ends the wait before
every call; should a batch end while waiting all the same (a worker of an older version during a
rollout), finish-batch.lua takes its D items out of `deferred` as it records them.

Idempotent: a batch already waiting only moves `wait`; ending a wait that is not there, or
either on a batch that is missing or done, changes nothing (and creates no key).

KEYS[1] the batch   HASH
ARGV[1] epoch ms the batch waits for, or 0 to end the wait
ARGV[2] instance key prefix (tenant-tagged, ends with "i:")   ARGV[3] request key prefix
Returns the number of items moved (0 when nothing changed state).
]]
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
local st = redis.call('HGET', KEYS[1], 'st')
if not st or st == 'done' then return 0 end
local waitUntil, ip, rp = ARGV[1], ARGV[2], ARGV[3]
local waiting = redis.call('HEXISTS', KEYS[1], 'wait') == 1
local from, to, step
if waitUntil ~= '0' then
  redis.call('HSET', KEYS[1], 'wait', waitUntil)
  if waiting then return 0 end
  from, to, step = 'F', 'D', 1
else
  if not waiting then return 0 end
  redis.call('HDEL', KEYS[1], 'wait')
  from, to, step = 'D', 'F', -1
end

local deltas, n = {}, 0
-- the batch's items and the URLs they cover (asset cover, claim-batch.lua)
local items = (redis.call('HGET', KEYS[1], 'ids') or '') .. ',' .. (redis.call('HGET', KEYS[1], 'cov') or '')
for id in string.gmatch(items, '[^,]+') do
  local ik = ip .. id
  if redis.call('HGET', ik, 's') == from then
    redis.call('HSET', ik, 's', to)
    n = n + 1
    for _, r in ipairs(itemRequests(ip, id, {})) do deltas[r] = (deltas[r] or 0) + 1 end
  end
end
for r, d in pairs(deltas) do
  redis.call('HINCRBY', rp .. r, 'deferred', step * d)
end
return n
