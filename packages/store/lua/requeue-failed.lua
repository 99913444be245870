--[[
requeue-failed: makes one page of a request's failed items pending again (admin action).

Failed means refused by VOD or out of attempts (`s` = X) or failed by VOD's verdict (V). Unknown
(U) is not failed: VOD accepted the item and may well have refreshed it; polling only gave up.

Each failed item becomes a new attempt for this request alone: the failed instance may be
shared with other requests, whose outcome must not change, so it stays as it is and the
request's slot in its items LIST points to a new pending instance in the queue of the request's
priority. If the item is already pending (through another request), the request links to that
instance instead. The request moves one count from `failed` to `pending` per item.

A request that was complete reopens: its keys lose their TTL, and so do its item records (a
backlog may outlast the retention period), and its generation `gen` goes up so that its next
completion gets an outbox entry and a retire job of its own (jobs.ts retireJobId). Complete is
as includes/completion.lua decides. A complete request whose completion has not been retired
yet (`retired` ≠ `gen`) is refused with {-3}: reopening it then would let its retire job run on
an open request.

KEYS[1] tenant pending index   `pend`, with `pend:d` and `pend:x` (includes/pending-index.lua)
KEYS[2] tenant instance seq    STRING
KEYS[3] request                HASH
KEYS[4] request items          LIST of instance ids
KEYS[5] request tasks          SET
KEYS[6] asset-id queue of the request's priority   LIST
KEYS[7] url queue of the request's priority        LIST
ARGV[1] request id   ARGV[2] first index of the page   ARGV[3] page size   ARGV[4] now (ms)
ARGV[5] instance key prefix (tenant-tagged, ends with "i:")
Returns {requeued, next index or -1 after the last page, reopened 0|1}, or {-1} when the
request is gone, {-2} when it was canceled, {-3} while its completion is being processed.
]]
--- @include "includes/instances.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/completion.lua"
local h = redis.call('HMGET', KEYS[3], 'created_at', 'cx', 'retired')
if not h[1] then return {-1} end
-- a canceled request stays canceled: its remaining lines were dropped and nothing wants its items
if h[2] then return {-2} end
local reqId, from, size, now, ip = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local state = requestCompletion(KEYS[3])
local complete = state.complete
if complete and (h[3] or '') ~= state.gen then return {-3} end
local idx = indexOpen(ip, KEYS[1])

local ids = redis.call('LRANGE', KEYS[4], from, from + size - 1)
local requeued = 0
for i, id in ipairs(ids) do
  local ik = ip .. id
  local st = instGetMany(ip, id, {'v', 's'})
  if st[1] and (st[2] == 'X' or st[2] == 'V') then
    local v = st[1]
    local digest = itemDigest(v)
    local target = idx.get(v, digest)
    if target then
      -- pending already (another request's, or this request's own from an earlier requeue)
      if instGet(ip, target, 'r') ~= reqId then redis.call('SADD', ip .. target .. ':l', reqId) end
    else
      target = redis.call('INCR', KEYS[2])
      redis.call('HSET', ip .. target, 'v', v, 'r', reqId, 't', now)
      idx.put(v, digest, target)
      redis.call('RPUSH', string.sub(v, 1, 1) == 'a' and KEYS[6] or KEYS[7], target)
    end
    redis.call('LSET', KEYS[4], from + i - 1, target)
    requeued = requeued + 1
  end
end

local reopened = 0
if requeued > 0 then
  redis.call('HINCRBY', KEYS[3], 'failed', -requeued)
  redis.call('HINCRBY', KEYS[3], 'pending', requeued)
  if complete then
    reopened = 1
    redis.call('HINCRBY', KEYS[3], 'gen', 1)
  end
end
-- An open request (reopened by this or an earlier page) keeps its records until it completes
-- again, whenever that is. A complete one is left as it is: pages before the one that reopens
-- it are run again by the caller (dispatch-store requeueFailed).
if requeued > 0 or not complete then
  for k = 3, 5 do redis.call('PERSIST', KEYS[k]) end
  for _, id in ipairs(redis.call('LRANGE', KEYS[4], from, from + size - 1)) do
    redis.call('PERSIST', ip .. id)
    redis.call('PERSIST', ip .. id .. ':l')
  end
end
local nextIndex = #ids == size and from + size or -1
return {requeued, nextIndex, reopened}
