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

Rules: a kind is ready when the batch it could make now is full (maxItems), or as full as the
budget allows, or its oldest item has waited lingerMs. Among ready kinds the one with the higher
waiting priority goes first, then the one whose oldest head at that priority is older. Items
leave in priority order. Within a priority each caller has a queue of its own (its lane), FIFO,
and the lanes share by weight (start-time fair queuing, below), so one caller's huge backlog
cannot hold another's few items back for days.

The urgent reserve (ARGV[12]): until its release (ARGV[13]), normal and low items never take the
day's used count past dailyLimit - reserve; high items may spend up to dailyLimit. So a low
backlog that arrives early cannot leave a high item of the afternoon waiting for midnight, and
a day with a backlog still ends fully spent, because the reserve is released before the reset.

Asset cover (coalesce-items.lua): an asset-id instance may carry URLs of its asset (its `:c`
SET). Claiming it claims every one of them still pending, for the asset's one unit: they go in
the batch's `cov` list, while `ids` (and `n`, the units) name only what is sent. A carrier made
for URLs alone (`sy`) whose URLs were all canceled, and that no request asked for itself, is
dropped like a canceled instance.

Canceled instances (`s` = K, cancel-items.lua) stay in their queue, as do ids whose record
expired: dropping them from the middle of a long LIST would cost O(n). They are dropped here
instead: heads first, so the ages below are those of live items, then as they are popped. They
never get budget. Counts may still include some further back, which can only make a kind ready
a little early. At most SKIP_LIMIT of them are dropped per call; a call that hits the limit
answers {'wait', now} so that the caller comes straight back without holding Redis long.

KEYS[1]    tenant pending index   `pend`, with `pend:d` and `pend:x` (includes/pending-index.lua)
KEYS[2]    today's budget         STRING items reserved today
KEYS[3]    the batch              HASH
KEYS[4..9] queues: asset h,n,l then url h,n,l    LISTs of instance ids
KEYS[10]   the tenant's call pace  STRING TAT (epoch µs), shared with result polls
KEYS[11]   the tenant's lanes      SET of callers with a queue of their own: a caller's queues
           are KEYS[4..9] with `:<caller>` appended; KEYS[4..9] themselves are the lane of no caller
KEYS[12]   fair-queuing state      HASH v:<p> virtual time, f:<p>:<caller> finish tags (µ-units)
KEYS[13]   today's charges         HASH caller -> milli-units (includes/charge-items.lua)
KEYS[14]   last sends              ZSET item key -> epoch ms it was last claimed (the debounce)
KEYS[15]   held items              ZSET instance id -> epoch ms it may go (coalesce-items.lua)
KEYS[16]   today's spend ledger    HASH (includes/ledger.lua)
ARGV[1] now (ms)          ARGV[2] lingerMs       ARGV[3] maxItems (1..10)
ARGV[4] daily limit       ARGV[5] budget key TTL (s)
ARGV[6] instance key prefix   ARGV[7] request key prefix
ARGV[8] batch id          ARGV[9] budget day id
ARGV[10] calls per second (0: take no slot)   ARGV[11] burst (>= 1)
ARGV[12] the urgent reserve: units only high items may spend   ARGV[13] its release (epoch ms):
         from then on (the last minutes before the reset) every priority may spend it
ARGV[14] the tenant's minRefreshIntervalMs (0: no debounce)
ARGV[15..] caller, weight pairs (callers not listed weigh 1)
Returns one of
  {'existing'}
  {'idle'}                               nothing pending
  {'wait', until_ms}                     pending, nothing ready before until_ms
  {'budget'}                             pending, today's budget spent
  {'budget', until_ms}                   only normal and low items wait and only the reserve is
                                         left: until its release at until_ms
  {'pace', until_ms}                     a batch is ready but the pace holds calls until until_ms
  {'send', kind, more, id1, v1, id2, v2, ...}   claimed; more = items still queued (canceled ids
                                         further back included: it only decides a wake-up); the
                                         pairs are what is sent (covered URLs are in the batch)
]]
--- @include "includes/take-call-slot.lua"
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/requests-of.lua"
--- @include "includes/charge-items.lua"
--- @include "includes/lanes.lua"
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {'existing'}
end
local idx = indexOpen(ARGV[6], KEYS[1])
local now, linger, maxItems = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, ip, rp = tonumber(ARGV[4]), ARGV[6], ARGV[7]
local kinds, prioCodes = {'a', 'u'}, {'h', 'n', 'l'}

-- The lanes: the lane of no caller (KEYS[4..9]) and one per caller that has ever queued items
-- (KEYS[11]), each with its weight (ARGV[14..], default 1).
local weightOf = {}
for i = 15, #ARGV - 1, 2 do weightOf[ARGV[i]] = tonumber(ARGV[i + 1]) end
local lanes = lanesOf(KEYS[11])
local function queueOf(k, p, lane)
  return laneQueue(KEYS[3 + (k - 1) * 3 + p], lane)
end

local SKIP_LIMIT = 1000
local skipped = 0
local function dead(id)
  local h = instGetMany(ip, id, {'v', 's'})
  return not h[1] or h[2] == 'K'
end

-- Hot-item debounce: held items whose time has come join the tail of their queue (their lane was
-- added when they were coalesced); those canceled or expired meanwhile are dropped. What went
-- longer ago than the interval no longer holds anything back.
local interval = tonumber(ARGV[14])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[15], '-inf', now, 'LIMIT', 0, SKIP_LIMIT)) do
  local q = instGet(ip, id, 'q')
  if q and not dead(id) then
    redis.call('RPUSH', q, id)
    redis.call('HDEL', ip .. id, 'nb', 'q')
  end
  redis.call('ZREM', KEYS[15], id)
end
if interval > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[14], '-inf', now - interval) end
local nextHeld = redis.call('ZRANGE', KEYS[15], 0, 0, 'WITHSCORES')
local heldUntil = nextHeld[2] and tonumber(nextHeld[2]) or nil
-- every queue's head live, and its length (len[k][p][lane])
local len = {{{}, {}, {}}, {{}, {}, {}}}
for k = 1, 2 do
  for p = 1, 3 do
    for _, lane in ipairs(lanes) do
      local q = queueOf(k, p, lane)
      while true do
        local head = redis.call('LINDEX', q, 0)
        if not head or not dead(head) then break end
        if skipped >= SKIP_LIMIT then return {'wait', now} end
        redis.call('LPOP', q)
        skipped = skipped + 1
      end
      len[k][p][lane] = redis.call('LLEN', q)
    end
  end
end

local remaining = limit - tonumber(redis.call('GET', KEYS[2]) or '0')
-- the urgent reserve: until its release, normal and low items may not spend the last `reserve`
-- units of the day; high ones may spend everything
local reserve = 0
if now < tonumber(ARGV[13]) then reserve = tonumber(ARGV[12]) end
local remainingLow = remaining - reserve

-- Per kind, over all lanes and the priorities that may spend now (high always, normal and low
-- only while there is budget outside the reserve): cnt = items waiting, oldest = the oldest of
-- them (for the linger), bestPrio/bestAt = their highest priority and its oldest head (for the
-- order). total counts every queued id, for the answer 'idle' and the wake-up.
local cnt, high, oldest, bestPrio, bestAt, total = {}, {}, {}, {}, {}, 0
for k = 1, 2 do
  cnt[k], high[k] = 0, 0
  for p = 1, 3 do
    for _, lane in ipairs(lanes) do
      local n = len[k][p][lane]
      total = total + n
      if n > 0 and (p == 1 or remainingLow > 0) then
        cnt[k] = cnt[k] + n
        if p == 1 then high[k] = high[k] + n end
        local t = tonumber(instGet(ip, redis.call('LINDEX', queueOf(k, p, lane), 0), 't'))
        if oldest[k] == nil or t < oldest[k] then oldest[k] = t end
        if bestPrio[k] == nil or p < bestPrio[k] then
          bestPrio[k], bestAt[k] = p, t
        elseif p == bestPrio[k] and t < bestAt[k] then
          bestAt[k] = t
        end
      end
    end
  end
end
if total == 0 then
  if heldUntil then return {'wait', heldUntil} end
  return {'idle'}
end
if remaining <= 0 then return {'budget'} end

-- what a batch of kind k could hold now: its high items first (any budget), then the others
-- (within the budget outside the reserve)
local function sizes(k)
  local h = math.min(high[k], maxItems, remaining)
  local o = math.min(cnt[k] - high[k], maxItems - h, math.max(0, remainingLow - h))
  return h, o
end

local pick, waitUntil = nil, nil
for k = 1, 2 do
  if cnt[k] > 0 then
    local h, o = sizes(k)
    -- ready: full, or as full as the budget allows, or its oldest item has waited the linger
    local ready = h + o >= maxItems or h + o < cnt[k] or now - oldest[k] >= linger
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
if pick == nil then
  if heldUntil and (waitUntil == nil or heldUntil < waitUntil) then waitUntil = heldUntil end
  if waitUntil == nil then
    -- only normal and low items wait, and what is left today is the reserve: until its release
    return {'budget', tonumber(ARGV[13])}
  end
  return {'wait', waitUntil}
end

if tonumber(ARGV[10]) > 0 then
  local slot, slotWait = takeCallSlot(KEYS[10], now, tonumber(ARGV[10]), tonumber(ARGV[11]))
  if not slot then return {'pace', now + slotWait} end
end

local highSize, otherSize = sizes(pick)
local batchId = ARGV[8]
local out = {'send', kinds[pick], 0}
local ids = {}
local deltas = {}

-- Start-time fair queuing between the lanes of one priority: the next item comes from the lane
-- with the smallest start tag max(its finish tag, the priority's virtual time); taking it moves
-- the lane's finish tag on by 1/weight (in micro-units) and the virtual time to its start. A lane
-- that was idle starts at the virtual time, so it neither hoards credit nor starves; a share
-- nobody uses goes to the lanes with a backlog (work-conserving).
local fair = {}
local fairState = redis.call('HGETALL', KEYS[12])
for i = 1, #fairState, 2 do fair[fairState[i]] = tonumber(fairState[i + 1]) end
local function nextLane(p)
  local best, bestStart = nil, nil
  local v = fair['v:' .. prioCodes[p]] or 0
  for _, lane in ipairs(lanes) do
    if len[pick][p][lane] > 0 then
      local start = math.max(fair['f:' .. prioCodes[p] .. ':' .. lane] or 0, v)
      if best == nil or start < bestStart or (start == bestStart and lane < best) then best, bestStart = lane, start end
    end
  end
  return best, bestStart
end

-- high items up to highSize, then normal and low ones together up to otherSize
local taken = {0, 0}
-- each claimed unit's requests, read once for the charges; the URLs the units cover; the items
-- they carry, and how many of those cost no unit of their own
local claimedReqs, covered, itemsCarried, coverSaved = {}, {}, 0, 0
-- whether each request met is still being coalesced (its `done` is read once)
local coalescing = {}
for p = 1, 3 do
  local group = (p == 1) and 1 or 2
  local cap = (p == 1) and highSize or otherSize
  while taken[group] < cap and (#ids == 0 or skipped < SKIP_LIMIT) do
    local lane, start = nextLane(p)
    if not lane then break end
    local id = redis.call('LPOP', queueOf(pick, p, lane))
    len[pick][p][lane] = len[pick][p][lane] - 1
    if not id then
      len[pick][p][lane] = 0
    elseif dead(id) then
      skipped = skipped + 1
    else
      local ik = ip .. id
      local v = instGet(ip, id, 'v')
      idx.drop(v, id)
      -- the URLs it covers that are still pending go with it; the others leave its set
      local cov = {}
      for _, c in ipairs(redis.call('SMEMBERS', ik .. ':c')) do
        local cv = carriedUrl(ip, c, id)
        if cv then
          cov[#cov + 1] = {c, cv}
        else
          redis.call('SREM', ik .. ':c', c)
        end
      end
      local ownItem = isOwnItem(ip, id)
      if not ownItem and #cov == 0 then
        -- made for URLs that were all canceled since, and wanted by nobody itself
        instSet(ip, id, 's', 'K')
        skipped = skipped + 1
      else
        instSet(ip, id, 's', 'F', 'b', batchId)
        if interval > 0 then redis.call('ZADD', KEYS[14], now, v) end
        ids[#ids + 1] = id
        taken[group] = taken[group] + 1
        out[#out + 1] = id
        out[#out + 1] = v
        local w = weightOf[lane] or 1
        fair['f:' .. prioCodes[p] .. ':' .. lane] = start + math.floor(1000000 / w + 0.5)
        fair['v:' .. prioCodes[p]] = start
        -- every item the unit carries: the sent one (unless made for URLs alone) and its URLs
        local carried = {}
        if ownItem then carried[1] = {id, v} end
        for _, covering in ipairs(cov) do
          local c, cv = covering[1], covering[2]
          idx.drop(cv, c)
          instSet(ip, c, 's', 'F', 'b', batchId)
          if interval > 0 then redis.call('ZADD', KEYS[14], now, cv) end
          covered[#covered + 1] = c
          carried[#carried + 1] = {c, cv}
        end
        itemsCarried = itemsCarried + #carried
        coverSaved = coverSaved + #carried - 1
        -- the unit's requests, read once for the request counts and the charges (as requestsOf)
        local unitReqs = {}
        for _, item in ipairs(carried) do
          local from = #unitReqs + 1
          itemRequests(ip, item[1], unitReqs)
          for i = from, #unitReqs do
            local r = unitReqs[i]
            deltas[r] = (deltas[r] or 0) + 1
            -- a request still being coalesced must recognise this item if it appears again in a
            -- later chunk (see coalesce-items.lua)
            if coalescing[r] == nil then coalescing[r] = redis.call('HGET', rp .. r, 'done') == '0' end
            if coalescing[r] then redis.call('SADD', rp .. r .. ':seen', item[2]) end
          end
        end
        claimedReqs[#claimedReqs + 1] = unitReqs
      end
    end
  end
end
local fairOut = {}
for f, n in pairs(fair) do
  fairOut[#fairOut + 1] = f
  fairOut[#fairOut + 1] = string.format('%.0f', n)
end
if #fairOut > 0 then redis.call('HSET', KEYS[12], unpack(fairOut)) end
chargeRequests(KEYS[13], claimedReqs, rp, 1, KEYS[16], kinds[pick])
-- what is left, canceled ids further back included: only decides whether to wake a successor
out[3] = total - #ids
for r, n in pairs(deltas) do
  redis.call('HINCRBY', rp .. r, 'pending', -n)
  redis.call('HINCRBY', rp .. r, 'in_flight', n)
end

redis.call('INCRBY', KEYS[2], #ids)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
if #ids > 0 then
  ledgerSpend(KEYS[16], limit, kinds[pick], #ids, itemsCarried)
  ledgerAdd(KEYS[16], 'saved:covered', coverSaved)
end
-- `res` is budget held for the next attempt: spent by begin-attempt, refreshed there on retries
redis.call('HSET', KEYS[3], 'kind', kinds[pick], 'ids', table.concat(ids, ','), 'n', #ids,
  'st', 'claimed', 'res', #ids, 'day', ARGV[9], 'at', now, 'attempts', 0)
if #covered > 0 then redis.call('HSET', KEYS[3], 'cov', table.concat(covered, ',')) end
return out
