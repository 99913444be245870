--[[
cancel-items: cancels one page of a request's items that are still pending (admin action).

The first call marks the request canceled (`cx`, epoch ms): from then on coalesce-items.lua adds
none of its remaining lines, so the items LIST is frozen and later pages see all of it.

A pending instance is canceled only when no request still wants it: its first request and
every linked request are this one or already canceled. Then it leaves the pending index (a new
request for the item makes a new instance), gets `s` = K, and every request linked to it moves
one count from `pending` to `canceled`. The instance id stays in its queue: removing it from the
middle of a long LIST costs O(n); claim-batch.lua skips canceled ids as it pops them and never
reserves budget for them. An instance another request still wants stays pending and counts as
kept (it stays pending for this request too). In flight, submitted and final items are left
alone. An asset id that carries pending URLs of other requests (asset cover) is kept too.
Checking and canceling happen in one script, so a request linking to an instance
concurrently either comes first (the instance is kept) or finds it gone from the index (it makes
its own). Idempotent: an instance canceled already is no longer pending.

KEYS[1] tenant pending index   `pend`, with `pend:d` and `pend:x` (includes/pending-index.lua)
KEYS[2] request                HASH
KEYS[3] request items          LIST of instance ids
KEYS[4] tenant completion outbox   ZSET `<request id>:<gen>` -> epoch ms it completed
ARGV[1] request id        ARGV[2] first index of the page   ARGV[3] page size
ARGV[4] now (ms)          ARGV[5] retention TTL (s)
ARGV[6] instance key prefix (tenant-tagged, ends with "i:")   ARGV[7] request key prefix
Returns {canceled, kept, next index or -1 after the last page, lines never coalesced,
         ids of requests this call completed...}, or {-1} when the request is gone.
Requests it completes start their retention and enter the completion outbox in the same step
(includes/completion.lua).
]]
--- @include "includes/instances.lua"
--- @include "includes/requests-of.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/completion.lua"
if redis.call('EXISTS', KEYS[2]) == 0 then return {-1} end
local reqId, from, size, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local ip, rp = ARGV[6], ARGV[7]
local idx = indexOpen(ip, KEYS[1])
redis.call('HSETNX', KEYS[2], 'cx', now)

-- requests not canceled (nor gone) still want their pending items
local wants = {}
local function wanted(r)
  if wants[r] == nil then
    local h = redis.call('HMGET', rp .. r, 'created_at', 'cx')
    wants[r] = h[1] ~= false and h[2] == false
  end
  return wants[r]
end

local ids = redis.call('LRANGE', KEYS[3], from, from + size - 1)
local canceled, kept, deltas = 0, 0, {}
for _, id in ipairs(ids) do
  local ik = ip .. id
  local h = instGetMany(ip, id, {'v', 's', 'r'})
  if h[1] and not h[2] then
    local reqs = itemRequests(ip, id, {})
    local keep = false
    for _, r in ipairs(reqs) do
      if r ~= reqId and wanted(r) then keep = true end
    end
    -- an asset id that carries pending URLs (asset cover) goes for them all the same
    for _, c in ipairs(keep and {} or redis.call('SMEMBERS', ik .. ':c')) do
      if carriedUrl(ip, c, id) then keep = true end
    end
    if keep then
      kept = kept + 1
    else
      instSet(ip, id, 's', 'K', 'f', now)
      idx.drop(h[1], id)
      canceled = canceled + 1
      for _, r in ipairs(reqs) do deltas[r] = (deltas[r] or 0) + 1 end
    end
  end
end

local completed = {}
for r, d in pairs(deltas) do
  local rk = rp .. r
  if redis.call('EXISTS', rk) == 1 then
    redis.call('HINCRBY', rk, 'pending', -d)
    redis.call('HINCRBY', rk, 'canceled', d)
    -- reported by the call that ends the last open item, as in finish-batch.lua
    if completeIfDone(rk, KEYS[4], r, now, ttl) then completed[#completed + 1] = r end
  end
end

-- lines the canceled ingest never reached (0 when it had finished)
local c = redis.call('HMGET', KEYS[2], 'received', 'ingested')
local notIngested = math.max(0, tonumber(c[1] or '0') - tonumber(c[2] or '0'))
local nextIndex = #ids == size and from + size or -1
return {canceled, kept, nextIndex, notIngested, unpack(completed)}
