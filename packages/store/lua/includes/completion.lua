--[[
When a request is complete, and what completing it does: one rule for the scripts that move a
request's counts (finish-batch.lua, record-results.lua, cancel-items.lua, finish-ingest.lua) and
for requeue-failed.lua, which reopens only complete requests.

A request is complete when its ingest is done and nothing of it is pending, in flight (an item
whose batch waits for the next budget day counts in flight too, defer-batch.lua) or submitted.
An absent count is 0. Submitted is not final: VOD's verdict comes later (record-results.lua).

requestCompletion(rk): {complete, gen} of the request HASH `rk`; gen is '0' when absent.
completeIfDone(rk, outboxKey, requestId, now, ttl): when the request is complete, its records
  start their retention period (the request, its items LIST and its tasks SET get `ttl`) and the
  completion enters the tenant's outbox (keys.ts `completions`) as `<request id>:<gen>` scored
  `now`, in the same step, so a completion is never lost between a script and the worker; the
  completions processor retires what the outbox holds. NX: a rerun never moves the instant a
  completion was first recorded. Returns true when the request is complete.
]]
local function requestCompletion(rk)
  local h = redis.call('HMGET', rk, 'done', 'pending', 'in_flight', 'submitted', 'gen')
  local complete = h[1] == '1' and tonumber(h[2] or '0') == 0 and tonumber(h[3] or '0') == 0 and tonumber(h[4] or '0') == 0
  return {complete = complete, gen = h[5] or '0'}
end

local function completeIfDone(rk, outboxKey, requestId, now, ttl)
  local c = requestCompletion(rk)
  if not c.complete then return false end
  for _, k in ipairs({rk, rk .. ':items', rk .. ':tasks'}) do redis.call('EXPIRE', k, ttl) end
  redis.call('ZADD', outboxKey, 'NX', now, requestId .. ':' .. c.gen)
  return true
end
