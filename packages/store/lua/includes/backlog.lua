--[[
backlogOf(pendKey, stagedKey, uploadsKey, leasesKey, now, uploadBytesKey): a tenant's backlog, the number the
maxBacklogItems cap applies to: its pending items (the coalescing index), the lines of its
recorded requests not yet coalesced (the staged counter), and the lines of uploads still
arriving (uploadsKey: request id -> lines staged so far), counted as they stream so that no
upload can put more in Redis than the cap allows. An upload whose lease (leasesKey: request id
-> epoch ms) ran out belongs to an API that died mid-upload: it is dropped from the count here
(its stage list expires on its own). Included by stage-chunk.lua, admit-request.lua and
discard-request.lua.

stagedBytesOf(stagedBytesKey, uploadBytesKey): the bytes the tenant's maxStagedBytes cap applies
to: those of its recorded requests' lines not yet coalesced (the staged-bytes counter, lowered by
coalesce-items, finish-ingest and discard-request) and those of uploads still arriving
(uploadBytesKey: request id -> bytes staged so far; a dead upload's entry goes with its lines).

dropUpload(uploadsKey, uploadBytesKey, leasesKey, requestId): the upload is no longer arriving
(its lease ran out, its request was recorded, or it was discarded): its lines, bytes and lease go.
]]
local function dropUpload(uploadsKey, uploadBytesKey, leasesKey, requestId)
  redis.call('HDEL', uploadsKey, requestId)
  redis.call('HDEL', uploadBytesKey, requestId)
  redis.call('ZREM', leasesKey, requestId)
end

local function backlogOf(pendKey, stagedKey, uploadsKey, leasesKey, now, uploadBytesKey)
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', leasesKey, '-inf', now)) do
    dropUpload(uploadsKey, uploadBytesKey, leasesKey, dead)
  end
  local staged = tonumber(redis.call('GET', stagedKey) or '0')
  if staged < 0 then staged = 0 end
  local arriving = 0
  for _, n in ipairs(redis.call('HVALS', uploadsKey)) do arriving = arriving + tonumber(n) end
  -- the pending index and, with includes/pending-index.lua, its digest and collision HASHes
  local pending = redis.call('HLEN', pendKey) + redis.call('HLEN', pendKey .. ':d') + redis.call('HLEN', pendKey .. ':x')
  return pending + staged + arriving
end

local function stagedBytesOf(stagedBytesKey, uploadBytesKey)
  local bytes = math.max(0, tonumber(redis.call('GET', stagedBytesKey) or '0'))
  for _, n in ipairs(redis.call('HVALS', uploadBytesKey)) do bytes = bytes + tonumber(n) end
  return bytes
end
