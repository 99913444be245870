--[[
Item instances, packed while pending. A pending instance made by coalescing costs no key of its
own: its record is one slot of a bucket LIST, `<ip>p:<id div PACK_BUCKET>` at index id mod
PACK_BUCKET, holding "<item key>\t<first request>\t<enqueued at, ms in base 36>" (item keys and request
ids hold no tab; base 36 saves five bytes an item). Slots are written in id order, ids only grow, and a slot nobody packed (an instance
made whole, or ids of an older version) is padded with '', so an id's index is always its slot.
The first time anything else is written to an instance (claimed, canceled, held, covered…) it is
made whole: the HASH `<ip><id>` with v, r, t and the rest (docs/architecture.md), and its slot
becomes ''. `<ip>pc` counts each bucket's packed slots; a bucket left with none is deleted (a
later id of it pads it again from empty).

A whole instance's HASH is the format of every version before packing: a backlog written by one
reads as whole instances, so nothing needs migrating.

instRead(ip, id): {v, r, t} of a packed instance, or nil.
instGet(ip, id, field): the field, packed or whole (false when absent, as HGET).
instGetMany(ip, id, fields): a list of values, as HMGET.
instSet(ip, id, field, value, ...): makes it whole if packed, then HSET.
isOwnItem(ip, id): false for a carrier made for URLs alone that no request asked for itself.
carriedUrl(ip, c, carrier): the item key of URL instance `c` while the asset-id instance `carrier`
  carries it (asset cover, coalesce-items.lua): `c` is pending (no `s`) and its `ca` is `carrier`.
  False otherwise: claimed, canceled, uncovered or gone, it only lingers in the carrier's `:c` SET.
packAll(ip, ids, records): packs records[i] as instance ids[i] (numbers, increasing: coalesce-items.lua).
]]
local PACK_BUCKET = 1024

-- a whole number of ms in base 36, as packed records hold it (tonumber(s, 36) reads it back)
local function base36(n)
  n = math.floor(tonumber(n))
  local digits, out = '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % 36
    out = string.sub(digits, d + 1, d + 1) .. out
    n = (n - d) / 36
  until n == 0
  return out
end

local function packedSlot(ip, id)
  local n = tonumber(id)
  return ip .. 'p:' .. math.floor(n / PACK_BUCKET), n % PACK_BUCKET, math.floor(n / PACK_BUCKET)
end

local function instRead(ip, id)
  local key, pos = packedSlot(ip, id)
  local rec = redis.call('LINDEX', key, pos)
  if not rec or rec == '' then return nil end
  local a = string.find(rec, '\t', 1, true)
  local b = string.find(rec, '\t', a + 1, true)
  return {v = string.sub(rec, 1, a - 1), r = string.sub(rec, a + 1, b - 1), t = tostring(tonumber(string.sub(rec, b + 1), 36))}
end

local function instGet(ip, id, field)
  local p = instRead(ip, id)
  if p then
    local value = p[field]
    if value == nil or value == '' then return false end
    return value
  end
  return redis.call('HGET', ip .. id, field)
end

local function instGetMany(ip, id, fields)
  local p = instRead(ip, id)
  if not p then return redis.call('HMGET', ip .. id, unpack(fields)) end
  local out = {}
  for i, f in ipairs(fields) do
    local value = p[f]
    if value == nil or value == '' then out[i] = false else out[i] = value end
  end
  return out
end

-- whether an instance is an item of its own: all are but a carrier made for URLs alone (`sy`,
-- coalesce-items.lua) that no request asked for itself; its unit carries only its URLs
local function isOwnItem(ip, id)
  return instGet(ip, id, 'sy') ~= '1' or redis.call('SCARD', ip .. id .. ':l') > 0
end

local function carriedUrl(ip, c, carrier)
  local h = instGetMany(ip, c, {'v', 's', 'ca'})
  if h[1] and not h[2] and h[3] == carrier then return h[1] end
  return false
end

local function instSet(ip, id, ...)
  local p = instRead(ip, id)
  if p then
    local key, pos, bucket = packedSlot(ip, id)
    if p.r ~= '' then
      redis.call('HSET', ip .. id, 'v', p.v, 'r', p.r, 't', p.t)
    else
      redis.call('HSET', ip .. id, 'v', p.v, 't', p.t)
    end
    redis.call('LSET', key, pos, '')
    if redis.call('HINCRBY', ip .. 'pc', bucket, -1) <= 0 then
      redis.call('HDEL', ip .. 'pc', bucket)
      redis.call('DEL', key)
    end
  end
  redis.call('HSET', ip .. id, ...)
end

local function packAll(ip, ids, records)
  local n, i = #ids, 1
  while i <= n do
    local bucket = math.floor(ids[i] / PACK_BUCKET)
    local key = ip .. 'p:' .. bucket
    local first = bucket * PACK_BUCKET
    local len = redis.call('LLEN', key)
    -- slots are written in id order, so this id's slot is never written yet
    if len > ids[i] - first then error('packed slot ' .. ids[i] .. ' written out of order') end
    -- ids[i..j] are this bucket's
    local beyond, j = first + PACK_BUCKET, i
    while j < n and ids[j + 1] < beyond do j = j + 1 end
    if ids[i] == first + len and ids[j] - ids[i] == j - i then
      -- one run from the bucket's end (the usual chunk): the records go as they are
      for k = i, j, 2000 do redis.call('RPUSH', key, unpack(records, k, math.min(k + 1999, j))) end
    else
      -- pad up to each id's slot: ids nobody packed since the bucket's last write
      local values, nValues, nextSlot = {}, 0, first + len
      for k = i, j do
        while nextSlot < ids[k] do
          nValues = nValues + 1
          values[nValues] = ''
          nextSlot = nextSlot + 1
        end
        nValues = nValues + 1
        values[nValues] = records[k]
        nextSlot = ids[k] + 1
      end
      for k = 1, nValues, 2000 do redis.call('RPUSH', key, unpack(values, k, math.min(k + 1999, nValues))) end
    end
    redis.call('HINCRBY', ip .. 'pc', bucket, j - i + 1)
    i = j + 1
  end
end
