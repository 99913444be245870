--[[
claim-batch: picks a tenant's next batch, claims its items and reserves their budget, in one
atomic step, so that any number of worker replicas together never reserve more than the
daily limit and never claim one pending item twice.

Claimed at send time: the same step takes the call slot of the tenant's pace
(includes/take-call-slot.lua), so a batch exists only once its call may leave now. Nothing
claimed waits for a slot: while the pace holds calls back, the items stay pending, where a later
higher-priority item can overtake them and an admin cancel can reach them, and the answer is
{'pace', until} with nothing claimed.

Idempotent per batch id: when the batch already exists (the job that claimed it died and is
being run again), it is returned as it is and nothing new is claimed.

Rules (mirrored by chooseBatch in @refresh/core): a kind is ready when its pending count
reaches min(maxItems, budget left) or its oldest item has waited lingerMs. Among ready kinds
the one with the higher waiting priority goes first, then the one whose head at that
priority is older. Items leave in
priority order, FIFO within a priority.

Canceled instances (`s` = K, cancel-items.lua) stay in their queue, as do ids whose record
expired: dropping them from the middle of a long LIST would cost O(n). They are dropped here
instead: heads first, so the ages below are those of live items, then as they are popped. They
never get budget. Counts may still include some further back, which can only make a kind ready
a little early. At most SKIP_LIMIT of them are dropped per call; a call that hits the limit
answers {'wait', now} so that the caller comes straight back without holding Redis long.

KEYS[1]    tenant pending index   HASH item key -> pending instance id
KEYS[2]    today's budget         STRING items reserved today
KEYS[3]    the batch              HASH
KEYS[4..9] queues: asset h,n,l then url h,n,l    LISTs of instance ids
KEYS[10]   the tenant's call pace  STRING TAT (epoch µs), shared with result polls
ARGV[1] now (ms)          ARGV[2] lingerMs       ARGV[3] maxItems (1..10)
ARGV[4] daily limit       ARGV[5] budget key TTL (s)
ARGV[6] instance key prefix   ARGV[7] request key prefix
ARGV[8] batch id          ARGV[9] budget day id
ARGV[10] calls per second (0: take no slot)   ARGV[11] burst (>= 1)
Returns one of
  {'existing'}
  {'idle'}                               nothing pending
  {'wait', until_ms}                     pending, nothing ready before until_ms
  {'budget'}                             pending, today's budget spent
  {'pace', until_ms}                     a batch is ready but the pace holds calls until until_ms
  {'send', kind, more, id1, v1, id2, v2, ...}   claimed; more = items still queued (canceled ids
                                         further back included: it only decides a wake-up)
]]
--- @include "includes/take-call-slot.lua"
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {'existing'}
end
local now, linger, maxItems = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, ip, rp = tonumber(ARGV[4]), ARGV[6], ARGV[7]
local kinds = {'a', 'u'}

local SKIP_LIMIT = 1000
local skipped = 0
local function dead(id)
  local h = redis.call('HMGET', ip .. id, 'v', 's')
  return not h[1] or h[2] == 'K'
end
for q = 4, 9 do
  while true do
    local head = redis.call('LINDEX', KEYS[q], 0)
    if not head or not dead(head) then break end
    if skipped >= SKIP_LIMIT then return {'wait', now} end
    redis.call('LPOP', KEYS[q])
    skipped = skipped + 1
  end
end

-- oldest: the kind's oldest item at any priority (for the linger);
-- bestPrio/bestAt: its highest waiting priority and the age of that list's head (for the order)
local count, oldest, bestPrio, bestAt, total = {}, {}, {}, {}, 0
for k = 1, 2 do
  count[k] = 0
  for p = 1, 3 do
    local q = KEYS[3 + (k - 1) * 3 + p]
    local n = redis.call('LLEN', q)
    if n > 0 then
      count[k] = count[k] + n
      local t = tonumber(redis.call('HGET', ip .. redis.call('LINDEX', q, 0), 't'))
      if oldest[k] == nil or t < oldest[k] then oldest[k] = t end
      if bestPrio[k] == nil then bestPrio[k], bestAt[k] = p, t end
    end
  end
  total = total + count[k]
end
if total == 0 then return {'idle'} end

local remaining = limit - tonumber(redis.call('GET', KEYS[2]) or '0')
if remaining <= 0 then return {'budget'} end

local pick, waitUntil = nil, nil
for k = 1, 2 do
  if count[k] > 0 then
    local ready = count[k] >= math.min(maxItems, remaining) or now - oldest[k] >= linger
    if ready then
      if pick == nil or bestPrio[k] < bestPrio[pick] or (bestPrio[k] == bestPrio[pick] and bestAt[k] < bestAt[pick]) then
        pick = k
      end
    else
      local u = oldest[k] + linger
      if waitUntil == nil or u < waitUntil then waitUntil = u end
    end
  end
end
if pick == nil then return {'wait', waitUntil} end

if tonumber(ARGV[10]) > 0 then
  local slot, slotWait = takeCallSlot(KEYS[10], now, tonumber(ARGV[10]), tonumber(ARGV[11]))
  if not slot then return {'pace', now + slotWait} end
end

local size = math.min(maxItems, count[pick], remaining)
local batchId = ARGV[8]
local out = {'send', kinds[pick], total - size}
local ids = {}
local deltas = {}
for p = 1, 3 do
  local need = size - #ids
  if need <= 0 then break end
  local q = KEYS[3 + (pick - 1) * 3 + p]
  -- the first non-empty list's head is live (trimmed above), so the batch is never empty
  while need > 0 and (#ids == 0 or skipped < SKIP_LIMIT) do
    local popped = redis.call('LPOP', q, need)
    if not popped then break end
    for _, id in ipairs(popped) do
      if dead(id) then
        skipped = skipped + 1
      else
        local ik = ip .. id
        local v = redis.call('HGET', ik, 'v')
        if redis.call('HGET', KEYS[1], v) == id then redis.call('HDEL', KEYS[1], v) end
        redis.call('HSET', ik, 's', 'F', 'b', batchId)
        ids[#ids + 1] = id
        out[#out + 1] = id
        out[#out + 1] = v
        local reqs = redis.call('SMEMBERS', ik .. ':l')
        reqs[#reqs + 1] = redis.call('HGET', ik, 'r')
        for _, r in ipairs(reqs) do
          deltas[r] = (deltas[r] or 0) + 1
          -- a request still being coalesced must recognise this item if it appears again in a
          -- later chunk (see coalesce-items.lua)
          if redis.call('HGET', rp .. r, 'done') == '0' then
            redis.call('SADD', rp .. r .. ':seen', v)
          end
        end
      end
    end
    need = size - #ids
  end
end
-- what is left, canceled ids further back included: only decides whether to wake a successor
out[3] = total - #ids
for r, n in pairs(deltas) do
  redis.call('HINCRBY', rp .. r, 'pending', -n)
  redis.call('HINCRBY', rp .. r, 'in_flight', n)
end

redis.call('INCRBY', KEYS[2], #ids)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
-- `res` is budget held for the next attempt: spent by begin-attempt, refreshed there on retries
redis.call('HSET', KEYS[3], 'kind', kinds[pick], 'ids', table.concat(ids, ','), 'n', #ids,
  'st', 'claimed', 'res', #ids, 'day', ARGV[9], 'at', now, 'attempts', 0)
return out
