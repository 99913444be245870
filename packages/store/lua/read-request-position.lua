--[[
read-request-position: how many of its tenant's pending items go out before the last of one
request's, its own included: what the request's completion estimate counts. Reads only.

Claims take a tenant's queues by priority, then by age across both kinds (claim-batch.lua).
Instance ids come from one counter per tenant and are only ever appended to the queues, so
every queue is sorted by id and "queued before instance X" is "id <= X" in both kinds. The
position of X is found by binary search (log2 n LINDEX calls), so a read costs the same for a
request at the head of a million-item backlog as at its tail.

X is the newer of the request's last created asset and url instances (`la`, `lu`, written by
coalesce-items.lua). A queue is FIFO, so when the last created instance of a kind has been
claimed, none of the request's created instances of that kind are pending.

Items of the request in a batch that waits for the next budget day (`deferred`, defer-batch.lua)
still need their call and its budget, so they count too; those of other requests do not (at most
a few batches, which go at the reset).

KEYS[1]    request                HASH (priority, received, ingested, done, pending, la, lu, deferred)
KEYS[2..7] queues: asset h,n,l then url h,n,l    LISTs of instance ids
KEYS[8]    today's budget         STRING items reserved today
KEYS[9]    the tenant's lanes     SET of callers whose queues are KEYS[2..7] with `:<caller>`
ARGV[1]    instance key prefix (tenant-tagged, ends with "i:")
ARGV[2..]  caller, weight pairs of the tenant's callers (absent: 1)
At the request's priority, the lanes share by weight (claim-batch.lua): another caller's lane
counts up to its weighted share of what is ahead in the request's own lane, never more than it
holds.
Returns {items_ahead, exact, used, rank, nb}
  items_ahead  pending items at a higher priority + those at the request's priority up to and
               including its last pending one, + lines of the request not yet coalesced, + its
               items whose batch waits for the next budget day
  exact        1 when the request's last pending instance was found; 0 when the count is the
               safe over-estimate "everything at its priority and above" (still coalescing, a
               request recorded before `la`/`lu` existed, or only items shared with an earlier
               request left pending)
  used         items reserved today, read in the same step: a claim takes items from the queues
               and budget together, so both figures describe the same moment
  rank         the request's priority: 1 high, 2 normal, 3 low (the urgent reserve holds back
               budget from 2 and 3)
  not_before   epoch ms before which the request is not sent (scheduled), or 0
]]
--- @include "includes/lanes.lua"
--- @include "includes/instances.lua"
local used = tonumber(redis.call('GET', KEYS[8]) or '0')
local h = redis.call('HMGET', KEYS[1], 'priority', 'received', 'ingested', 'done', 'pending', 'la', 'lu', 'deferred', 'nb')
local nb = tonumber(h[9] or '0')
local own = math.max(0, tonumber(h[8] or '0'))
local rank = ({high = 1, normal = 2, low = 3})[h[1] or 'normal'] or 2
local caller = redis.call('HGET', KEYS[1], 'caller') or ''
local weight = {}
for i = 2, #ARGV - 1, 2 do weight[ARGV[i]] = tonumber(ARGV[i + 1]) end
local lanes = lanesOf(KEYS[9])
local lane = laneQueue
local higher = 0
for p = 1, rank - 1 do
  for _, c in ipairs(lanes) do
    higher = higher + redis.call('LLEN', lane(KEYS[1 + p], c)) + redis.call('LLEN', lane(KEYS[4 + p], c))
  end
end
local sameA, sameU = lane(KEYS[1 + rank], caller), lane(KEYS[4 + rank], caller)
-- the other lanes at the request's priority: all they hold, or their share beside `ownAhead`
local function others(ownAhead)
  local n = 0
  local w = weight[caller] or 1
  for _, c in ipairs(lanes) do
    if c ~= caller then
      local held = redis.call('LLEN', lane(KEYS[1 + rank], c)) + redis.call('LLEN', lane(KEYS[4 + rank], c))
      if ownAhead == nil then n = n + held
      else n = n + math.min(held, math.ceil(ownAhead * (weight[c] or 1) / w)) end
    end
  end
  return n
end

-- number of ids <= x in a list sorted by id
local function countUpTo(list, x)
  local lo, hi = 0, redis.call('LLEN', list)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if tonumber(redis.call('LINDEX', list, mid)) <= x then lo = mid + 1 else hi = mid end
  end
  return lo
end

local function isPending(id)
  local f = instGetMany(ARGV[1], id, {'v', 's'})
  return f[1] and not f[2]
end

if h[4] ~= '1' then
  -- still coalescing: the rest of the upload lands at the tail of its priority's queues
  local rest = math.max(0, tonumber(h[2] or '0') - tonumber(h[3] or '0'))
  return {higher + redis.call('LLEN', sameA) + redis.call('LLEN', sameU) + others(nil) + rest + own, 0, used, rank, nb}
end
if tonumber(h[5] or '0') <= 0 then return {own, 1, used, rank, nb} end

local last = nil
for _, id in ipairs({h[6], h[7]}) do
  local n = tonumber(id)
  if n and isPending(id) and (last == nil or n > last) then last = n end
end
if last == nil then
  return {higher + redis.call('LLEN', sameA) + redis.call('LLEN', sameU) + others(nil) + own, 0, used, rank, nb}
end
local ownAhead = countUpTo(sameA, last) + countUpTo(sameU, last)
return {higher + ownAhead + others(ownAhead) + own, 1, used, rank, nb}
