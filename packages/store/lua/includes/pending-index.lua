--[[
The pending index: which instance of an item is pending, if any (a request for it links there).
Keyed by a digest of the item key, not the key itself, so an item's characters are stored once
(in its instance): `pend:d` HASH digest -> instance id, the digest being the first DIGEST_HEX hex
digits of the key's SHA-1 (coalesce-items.lua is given them by the worker, which computes the
same). Exact whatever the digest: a hit counts only if the instance's item key is the one asked
for, and an item whose digest is taken by a different pending item goes to `pend:x` (HASH item
key -> id), read only while it holds anything. `pend` (HASH item key -> id) is the index of
versions before the digest: read, and drained by claims, while it holds anything, so a backlog
they wrote is served as it is. Included after includes/instances.lua.

indexOpen(ip, legacy): the index of one script; `legacy` is the `pend` key, and the other two
  are `pend:d` (pidx) and `pend:x` (pidx:x), in its slot.
  idx.get(key, digest): the pending instance of `key`, or nil.
  idx.other(key): the same when the digest's own entry is not `key`'s (collisions, `pend`).
  idx.put(key, digest, id): records `id` as `key`'s pending instance (which had none).
  idx.drop(key, id): removes `key` -> `id` if that is what the index says.
itemDigest(key): the digest of an item key, as the worker computes it.
]]
local DIGEST_HEX = 12

local function itemDigest(key)
  return string.sub(redis.sha1hex(key), 1, DIGEST_HEX)
end

local function indexOpen(ip, legacy)
  local pidx, pidxx = legacy .. ':d', legacy .. ':x'
  local hasX = redis.call('HLEN', pidxx) > 0
  local hasLegacy = redis.call('HLEN', legacy) > 0
  -- `others`: whether anything may be found beyond the digests (bulk readers skip idx.other)
  local idx = {digests = pidx, others = hasX or hasLegacy}
  -- the slow path of get, after the digest's own entry was checked
  function idx.other(key)
    local id
    if hasX then
      id = redis.call('HGET', pidxx, key)
      if id then return id end
    end
    if hasLegacy then
      id = redis.call('HGET', legacy, key)
      if id then return id end
    end
    return nil
  end
  function idx.get(key, digest)
    local id = redis.call('HGET', pidx, digest)
    if id and instGet(ip, id, 'v') == key then return id end
    return idx.other(key)
  end
  function idx.put(key, digest, id)
    if redis.call('HSETNX', pidx, digest, id) == 0 then
      redis.call('HSET', pidxx, key, id)
      hasX = true
    end
  end
  function idx.drop(key, id)
    id = tostring(id)
    local digest = itemDigest(key)
    if redis.call('HGET', pidx, digest) == id then
      redis.call('HDEL', pidx, digest)
    elseif hasX and redis.call('HGET', pidxx, key) == id then
      redis.call('HDEL', pidxx, key)
    elseif hasLegacy and redis.call('HGET', legacy, key) == id then
      redis.call('HDEL', legacy, key)
    end
  end
  return idx
end
