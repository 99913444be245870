--[[
read-tenant-state: what the metrics report about one tenant, read in one step so one scrape
costs one round trip. Reads only.

KEYS[1]    today's budget       STRING items reserved today
KEYS[2..7] queues: asset h,n,l then url h,n,l    LISTs of instance ids (the lane of no caller)
KEYS[8]    the tenant's lanes    SET of callers whose queues are KEYS[2..7] with `:<caller>`
ARGV[1]    instance key prefix (tenant-tagged, ends with "i:")
Lengths and the oldest head are over every lane.
Returns {used, len_ah, len_an, len_al, len_uh, len_un, len_ul, oldest_t}
  oldest_t: epoch ms the oldest queue head was coalesced, or -1 when nothing is pending
]]
--- @include "includes/lanes.lua"
--- @include "includes/instances.lua"
local out = {tonumber(redis.call('GET', KEYS[1]) or '0')}
local oldest = -1
local lanes = lanesOf(KEYS[8])
for q = 2, 7 do
  local n = 0
  for _, c in ipairs(lanes) do
    local key = laneQueue(KEYS[q], c)
    n = n + redis.call('LLEN', key)
    local head = redis.call('LINDEX', key, 0)
    if head then
      local t = tonumber(instGet(ARGV[1], head, 't'))
      if t and (oldest == -1 or t < oldest) then oldest = t end
    end
  end
  out[#out + 1] = n
end
out[#out + 1] = oldest
return out
