--[[
The tenant's staged counters: the lines (`staged`) and bytes (`staged:bytes`) of its recorded
requests not yet coalesced, part of its backlog (includes/backlog.lua). admit-request.lua raises
them; each request keeps its own bytes in `sb`. coalesce-items.lua lowers them chunk by chunk;
what a request leaves uncoalesced leaves them once, when its ingest finishes (finish-ingest.lua)
or it is discarded (discard-request.lua). Never below 0: requests staged before a counter
existed are coalesced without having raised it.

lowerStaged(key, n): lowers a staged counter by n, never below 0.
unstage(rk, stagedKey, stagedBytesKey): a request not marked coalesced (`done`) gives back its
  lines received but not coalesced and its bytes (`sb`, dropped); returns the lines (0 once done).
]]
local function lowerStaged(key, n)
  if redis.call('DECRBY', key, n) < 0 then redis.call('SET', key, 0) end
end

local function unstage(rk, stagedKey, stagedBytesKey)
  local r = redis.call('HMGET', rk, 'done', 'received', 'ingested', 'sb')
  if r[1] == '1' then return 0 end
  local left = math.max(0, tonumber(r[2] or '0') - tonumber(r[3] or '0'))
  if left > 0 then lowerStaged(stagedKey, left) end
  local bytes = tonumber(r[4] or '0')
  if bytes > 0 then lowerStaged(stagedBytesKey, bytes) end
  redis.call('HDEL', rk, 'sb')
  return left
end
