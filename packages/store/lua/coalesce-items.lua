--[[
coalesce-items: adds one chunk of a request's items to its tenant's pending queues.

An item already pending for the tenant (queued, not yet claimed) is not queued again: the
request is linked to the existing instance and shares its outcome. An item seen earlier in
the same request collapses: inside the chunk the caller collapsed it (ARGV[12]); across chunks
because its pending instance already names this request, or, if it was claimed since, because
claim-batch put it in the request's `seen` set. Anything else becomes a new pending instance.
(An earlier version added every item to `seen`; that set cost a quarter of Redis' time on large
uploads.)

The chunk is applied at most once: ARGV[4] must equal the request's `ingested` counter,
which this script advances, so a worker that dies mid-request resumes without doubling links.

KEYS[1] tenant pending index   `pend`, with `pend:d` and `pend:x` (includes/pending-index.lua)
KEYS[2] tenant instance seq    STRING
KEYS[3] request                HASH (ingested, pending, ...; la/lu: its last created asset/url
                               instance, for read-request-position.lua)
KEYS[4] request items          LIST of instance ids in order of first appearance
KEYS[5] request seen           SET of this request's item keys that were claimed while it was
                               still being coalesced (written by claim-batch.lua)
KEYS[6] asset-id queue of the request's priority   LIST (the lane of no caller)
KEYS[7] url queue of the request's priority        LIST (the lane of no caller)
KEYS[8] tenant staged counter  STRING lines received, not yet coalesced (lowered by ARGV[5])
KEYS[9] tenant lanes           SET of callers with a lane
KEYS[10] tenant last sends     ZSET item key -> epoch ms it was last claimed (claim-batch.lua)
KEYS[11] tenant held items     ZSET instance id -> epoch ms it may go (claim-batch.lua queues it then)
KEYS[12] today's spend ledger  HASH (includes/ledger.lua): saved:linked, saved:debounced
KEYS[13] tenant staged bytes   STRING (lowered by ARGV[8], as is the request's `sb`)
A request recorded with a `caller` queues its new instances in that caller's lane: KEYS[6] and
KEYS[7] with `:<caller>` appended (same hash tag, so the same slot), and adds it to KEYS[9].
ARGV[1] request id
ARGV[2] priority code (h|n|l); the queue an instance sits in is its priority
ARGV[3] now (ms)
ARGV[4] expected `ingested` before this chunk
ARGV[5] number of raw lines this chunk covers (duplicates included)
ARGV[6] instance key prefix (tenant-tagged, ends with "i:")
ARGV[7] the tenant's minRefreshIntervalMs (0: no debounce)
ARGV[8] bytes of the raw lines this chunk covers (as staged)
ARGV[9] '1' when the tenant covers URLs by asset (assetIdFromUrl), else '0'
ARGV[10] the chunk's n distinct item keys ("a:<asset id>" or "u:<normalised url>") in order of
        first appearance, a MessagePack array
ARGV[11] their n digests (the first DIGEST_HEX hex digits of each key's SHA-1), a MessagePack array
ARGV[12] lines of the chunk the caller collapsed because an earlier line of it had the same key
        (they count as duplicates)
ARGV[13] '1' when no two different keys of the chunk, the asset-id keys of its URLs included,
        have the same digest (the caller checked), else '0': the script then tells them apart
ARGV[14] with cover: the n asset ids their URLs belong to ('' for none, and for asset ids), a
        MessagePack array
The chunk's lists travel as MessagePack, its repeats and digest collisions found by the caller:
both cost the caller less than they would cost Redis (store/src/coalesce-chunk.ts).
Returns {created, linked, duplicates, held, covered}, {-1} when the chunk was already applied,
or {-2} when the request was canceled (`cx`, cancel-items.lua): its remaining lines are never
coalesced.

Asset cover: a new URL instance whose asset is known is not queued. It joins the asset's pending
instance (`ca` its id, `cv` the asset id, `q` the URL queue it goes to should VOD's verdict not
list it: record-results.lua), in that instance's `:c` SET, and claim-batch.lua claims it with
the asset, for the asset's one unit. When no instance of the asset is pending, one is made for
the URLs (`sy` = 1: no request of its own; the debounce applies to it as to any asset id) and a
later request for the asset id links to it. The URL stays in the pending index, so repeats of
it link to it as to any pending copy. A carrier of lower priority than the URL is used all the
same, as linking to a pending copy always has.

Hot-item debounce: a new instance of an item last claimed less than minRefreshIntervalMs ago is
held, not queued: `nb` (when it may go) and `q` (its queue) on the instance, and its id in
KEYS[11] scored by `nb`. It is pending all the same (in the index), so every request for it
until then links to it and one call serves them all; claim-batch.lua queues it when it is due.

A new instance is packed (includes/instances.lua): its item key, first request and enqueue time
in one slot of a bucket LIST, no key of its own; one held or covered is whole (HASH v, r, t and
the rest). A missing `s` means pending: every byte per pending item counts when a backlog is
millions of items long.
Ids are reserved for the whole chunk with one INCRBY; those of items that make no instance are
simply skipped.
]]
--- @include "includes/lanes.lua"
--- @include "includes/ledger.lua"
--- @include "includes/instances.lua"
--- @include "includes/pending-index.lua"
--- @include "includes/staged.lua"
-- the request, read once: nothing below writes these fields before it last reads them
local state = redis.call('HMGET', KEYS[3], 'ingested', 'cx', 'caller', 'sb')
if state[2] then return {-2} end
if tonumber(state[1] or '0') ~= tonumber(ARGV[4]) then
  return {-1}
end
local reqId, now, ip = ARGV[1], ARGV[3], ARGV[6]
local interval = tonumber(ARGV[7])
local caller = state[3] or ''
local assetQueue, urlQueue = laneQueue(KEYS[6], caller), laneQueue(KEYS[7], caller)
local cover = ARGV[9] == '1'
local idx = indexOpen(ip, KEYS[1])

-- Commands go out in bulk (one per chunk, not one per item) wherever the reply is not needed
-- item by item: the Lua-to-Redis call is most of the cost of coalescing a large upload.
-- Sliced so that unpack() stays far below Lua's stack limit whatever the chunk size.
local function bulk(cmd, key, list)
  for i = 1, #list, 2000 do
    redis.call(cmd, key, unpack(list, i, math.min(i + 1999, #list)))
  end
end

local keys, digests = cmsgpack.unpack(ARGV[10]), cmsgpack.unpack(ARGV[11])
local n = #keys
if #digests ~= n then error('coalesce-items: ' .. n .. ' item keys but ' .. #digests .. ' digests') end
-- with cover: each key's asset id, '' for none
local assetOf = nil
if cover then
  assetOf = cmsgpack.unpack(ARGV[14])
  if #assetOf ~= n then error('coalesce-items: ' .. n .. ' item keys but ' .. #assetOf .. ' asset ids') end
end
local checkSeen = redis.call('SCARD', KEYS[5]) > 0
-- pendingId: the item's pending instance; digestTaken: its digest is some pending item's, so a
-- new instance of it goes to the collision HASH (includes/pending-index.lua); read: the fields of
-- a pending instance found by its digest, {v, r, nb}, read once (nothing below changes them)
local seenBefore, pendingId, digestTaken, read = {}, {}, {}, {}
for i = 1, n, 2000 do
  local j = math.min(i + 1999, n)
  local p = redis.call('HMGET', idx.digests, unpack(digests, i, j))
  local s = checkSeen and redis.call('SMISMEMBER', KEYS[5], unpack(keys, i, j)) or nil
  for k = 1, #p do
    local at = i + k - 1
    if s and s[k] == 1 then seenBefore[at] = true end
    if p[k] then
      digestTaken[digests[at]] = true
      -- the digest's instance is this item's only if its item key is this one
      local f = instGetMany(ip, p[k], {'v', 'r', 'nb'})
      if f[1] == keys[at] then
        pendingId[at] = p[k]
        read[p[k]] = f
      end
    end
    if idx.others and not pendingId[at] then pendingId[at] = idx.other(keys[at]) or nil end
  end
end

-- a field of a pending instance: as read above when it was found by its digest, else from Redis
local function field(id, i, name)
  local f = read[id]
  if f then return f[i] end
  return instGet(ip, id, name)
end

local nextId = redis.call('INCRBY', KEYS[2], n) - n
local created, linked, dups, held, covered, debounced = 0, 0, tonumber(ARGV[12]), 0, 0, 0
-- new instances to index: by digest (digest, id pairs), and those whose digest was taken (key, id)
local byDigest, newCollided, assetQ, urlQ, items = {}, {}, {}, {}, {}
-- lengths of byDigest, packed, items and the queues, counted here rather than with # in the loop
local nIndexed, nPacked, nItems, nAssetQ, nUrlQ = 0, 0, 0, 0, 0
-- with cover: asset-id instances made in this chunk, by item key (the index is written at the end)
local madeHere = {}
-- new instances that are neither held nor covered: packed, in id order (includes/instances.lua);
-- every record of the chunk ends alike
local packedIds, packed = {}, {}
local tail = '\t' .. reqId .. '\t' .. base36(now)
-- the first byte of an asset id's key ("a:<id>"); string.byte makes no string, string.sub would
local A_BYTE, byte, format = string.byte('a'), string.byte, string.format
-- whether a new instance's digest must be remembered against a later one of the chunk
local markDigests = ARGV[13] ~= '1'

-- indexes new instance `id` of `key`: by its digest, or, when `taken` (another item has the
-- digest), in the collision HASH; with `mark`, later instances of the chunk see the digest taken
local function index(key, digest, id, taken, mark)
  if taken then
    newCollided[#newCollided + 1] = key
    newCollided[#newCollided + 1] = id
  else
    byDigest[nIndexed + 1] = digest
    byDigest[nIndexed + 2] = id
    nIndexed = nIndexed + 2
  end
  if mark then digestTaken[digest] = true end
end

-- a new instance of `key`: held by the debounce when the item went less than the interval ago
-- (its due time and queue returned, which the caller writes on the whole instance), else queued
-- (nil)
local function place(id, key, isAsset)
  local sentAt = interval > 0 and tonumber(redis.call('ZSCORE', KEYS[10], key)) or nil
  if sentAt and tonumber(now) - sentAt < interval then
    local due = sentAt + interval
    redis.call('ZADD', KEYS[11], due, id)
    return due, isAsset and assetQueue or urlQueue
  elseif isAsset then
    nAssetQ = nAssetQ + 1
    assetQ[nAssetQ] = id
  else
    nUrlQ = nUrlQ + 1
    urlQ[nUrlQ] = id
  end
  return nil
end

-- the pending instance of asset `a` that carries its URLs, made when there is none
local function carrierOf(a)
  local key = 'a:' .. a
  if madeHere[key] then return madeHere[key] end
  local digest = itemDigest(key)
  local id = idx.get(key, digest)
  if id then return id end
  id = redis.call('INCR', KEYS[2])
  redis.call('HSET', ip .. id, 'v', key, 't', now, 'sy', 1)
  -- a digest another item of this chunk has (its index entry is written at the end) sends the
  -- carrier to the collision HASH; idx.put does the same for a digest already in the index
  if digestTaken[digest] then index(key, digest, id, true, false) else idx.put(key, digest, id) end
  digestTaken[digest] = true
  madeHere[key] = id
  local due, q = place(id, key, true)
  if due then redis.call('HSET', ip .. id, 'nb', due, 'q', q) end
  return id
end

for i = 1, n do
  local key = keys[i]
  local isAsset = byte(key) == A_BYTE
  local id = pendingId[i]
  if not id and cover and isAsset then id = madeHere[key] end
  if seenBefore[i] then
    dups = dups + 1
  elseif id and (field(id, 2, 'r') == reqId or redis.call('SADD', ip .. id .. ':l', reqId) == 0) then
    -- pending and already this request's (from an earlier chunk)
    dups = dups + 1
  elseif id then
    -- pending for another request: share its outcome (linked just above); a saving for the
    -- ledger, by the debounce when that copy is held
    linked = linked + 1
    if field(id, 3, 'nb') then debounced = debounced + 1 end
    nItems = nItems + 1
    items[nItems] = id
  else
    -- the id as a string, made once: a number is formatted anew for every command it is in,
    -- and '%d' is the fastest way Lua has to make it one
    nextId = nextId + 1
    id = format('%d', nextId)
    local digest = digests[i]
    local taken = digestTaken[digest]
    index(key, digest, id, taken, markDigests)
    if cover and isAsset then madeHere[key] = id end
    local asset = assetOf and assetOf[i]
    if asset and asset ~= '' then
      local carrier = carrierOf(asset)
      redis.call('HSET', ip .. id, 'v', key, 'r', reqId, 't', now, 'ca', carrier, 'cv', asset, 'q', urlQueue)
      redis.call('SADD', ip .. carrier .. ':c', id)
      covered = covered + 1
    else
      local due, q = place(id, key, isAsset)
      if due then
        redis.call('HSET', ip .. id, 'v', key, 'r', reqId, 't', now, 'nb', due, 'q', q)
        held = held + 1
      else
        nPacked = nPacked + 1
        packedIds[nPacked] = nextId
        packed[nPacked] = key .. tail
      end
    end
    created = created + 1
    nItems = nItems + 1
    items[nItems] = id
  end
end
packAll(ip, packedIds, packed)
bulk('HSET', idx.digests, byDigest)
bulk('HSET', KEYS[1] .. ':x', newCollided)
bulk('RPUSH', assetQueue, assetQ)
bulk('RPUSH', urlQueue, urlQ)
if created > 0 and caller ~= '' then redis.call('SADD', KEYS[9], caller) end
bulk('RPUSH', KEYS[4], items)
redis.call('HINCRBY', KEYS[3], 'ingested', ARGV[5])
lowerStaged(KEYS[8], ARGV[5])
-- the chunk's bytes leave the tenant's staged bytes, up to what the request counted there (one
-- staged before the counter existed counted nothing)
local counted = tonumber(state[4] or '0')
local bytes = math.min(tonumber(ARGV[8]), counted)
if bytes > 0 then
  lowerStaged(KEYS[13], bytes)
  if counted - bytes > 0 then redis.call('HSET', KEYS[3], 'sb', counted - bytes) else redis.call('HDEL', KEYS[3], 'sb') end
end
redis.call('HINCRBY', KEYS[3], 'pending', created + linked)
if nAssetQ > 0 then redis.call('HSET', KEYS[3], 'la', assetQ[nAssetQ]) end
if nUrlQ > 0 then redis.call('HSET', KEYS[3], 'lu', urlQ[nUrlQ]) end
ledgerAdd(KEYS[12], 'saved:linked', linked - debounced)
ledgerAdd(KEYS[12], 'saved:debounced', debounced)
return {created, linked, dups, held, covered}
