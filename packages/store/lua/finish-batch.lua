--[[
finish-batch: records a batch's outcome on every item and on every request linked to them.
Idempotent: a batch already finished is left as it is.

KEYS[1] the batch    HASH
KEYS[2] the tenant's completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
KEYS[3] the tenant's pending index       HASH (a URL its asset's refusal sends back there)
ARGV[1] outcome: S (submitted, with a task id) | X (failed, with code and message)
ARGV[2] task id or ''     ARGV[3] error code or ''    ARGV[4] error message or ''
ARGV[5] now (ms)          ARGV[6] retention TTL (s)
ARGV[7] instance key prefix     ARGV[8] request key prefix
ARGV[9] what the batch's units went on, for the spend ledger of its day: '' when S (accepted);
        for X, 'refused' (VOD refused the items), 'unknown' (the last attempt's outcome is not
        known) or '' (its budget went back: hold-budget.lua counted the refund)
ARGV[10] ledger key prefix (keys.ts `ledger`, without the day)
Returns {items recorded, URLs queued again, ids of requests this batch completed...} ({0, 0}
when already finished).
Each request it completes starts its retention and enters the outbox in the same step
(includes/completion.lua).
Item records get no TTL here: a request may still be open (a backlog can last weeks), so they
expire when their request completes (the completions processor retires it), never before.
An item still marked deferred (`s` = D, defer-batch.lua) leaves its requests' `deferred` count
too. The worker ends a batch's wait before its call, so today nothing finishes a waiting batch;
this keeps the counts true for any caller that does.
URLs an asset id covered (the batch's `cov`) take the batch's outcome like its own items,
except when VOD refused the asset ids ('refused'): a bad asset id says nothing about its URLs,
so they are queued again as URLs (includes/uncover.lua) and counted as cover misses. A
carrier made for URLs alone (`sy`) is no request's item, so no retirement expires it: it and
its `:c` SET get the retention TTL here.
]]
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/uncover.lua"
--- @include "includes/completion.lua"
if redis.call('HGET', KEYS[1], 'st') == 'done' then return {0, 0} end
local ids = redis.call('HGET', KEYS[1], 'ids')
if not ids then return {0, 0} end
local outcome, task, now, ttl = ARGV[1], ARGV[2], ARGV[5], tonumber(ARGV[6])
local ip, rp = ARGV[7], ARGV[8]
local counter = outcome == 'S' and 'submitted' or 'failed'
local deltas, deferred, n, completed = {}, {}, 0, {}
local units = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local use = outcome == 'S' and 'accepted' or ARGV[9]
local ledgerKey = ARGV[10] .. (redis.call('HGET', KEYS[1], 'day') or '')
if use ~= '' then ledgerAdd(ledgerKey, use, units) end
local requeue = {}
if use == 'refused' then
  for c in string.gmatch(redis.call('HGET', KEYS[1], 'cov') or '', '[^,]+') do requeue[c] = true end
end
local requeued, backToPending = 0, {}
for id in string.gmatch(ids, '[^,]+') do
  local ik = ip .. id
  redis.call('EXPIRE', ik .. ':c', ttl)
  if redis.call('HGET', ik, 'sy') == '1' and redis.call('SCARD', ik .. ':l') == 0 then redis.call('EXPIRE', ik, ttl) end
end
for id in string.gmatch(ids .. ',' .. (redis.call('HGET', KEYS[1], 'cov') or ''), '[^,]+') do
  local ik = ip .. id
  local wasDeferred = redis.call('HGET', ik, 's') == 'D'
  if requeue[id] then
    uncover(ip, id, KEYS[3], now)
    requeued = requeued + 1
  elseif outcome == 'S' then
    redis.call('HSET', ik, 's', 'S', 'k', task, 'a', now)
  else
    redis.call('HSET', ik, 's', 'X', 'e', ARGV[3], 'm', ARGV[4], 'a', now)
  end
  for _, r in ipairs(itemRequests(ip, id, {})) do
    deltas[r] = (deltas[r] or 0) + 1
    if requeue[id] then backToPending[r] = (backToPending[r] or 0) + 1 end
    if wasDeferred then deferred[r] = (deferred[r] or 0) + 1 end
  end
  if not requeue[id] then n = n + 1 end
end
for r, d in pairs(deltas) do
  local rk = rp .. r
  redis.call('HINCRBY', rk, 'in_flight', -d)
  if deferred[r] then redis.call('HINCRBY', rk, 'deferred', -deferred[r]) end
  redis.call('HINCRBY', rk, counter, d - (backToPending[r] or 0))
  if backToPending[r] then redis.call('HINCRBY', rk, 'pending', backToPending[r]) end
  if task ~= '' then redis.call('SADD', rk .. ':tasks', task) end
  -- submitted is not final, so a submitted batch never completes a request
  if completeIfDone(rk, KEYS[2], r, now, ttl) then completed[#completed + 1] = r end
end
ledgerAdd(ledgerKey, 'miss', requeued)
redis.call('HSET', KEYS[1], 'st', 'done', 'outcome', outcome, 'task', task, 'done_at', now)
redis.call('EXPIRE', KEYS[1], ttl)
return {n, requeued, unpack(completed)}
