--[[
read-tenant-state: what the metrics report about one tenant, read in one step so one scrape
costs one round trip. Reads only.

KEYS[1]    today's budget       STRING items reserved today
KEYS[2..7] queues: asset h,n,l then url h,n,l    LISTs of instance ids
ARGV[1]    instance key prefix (tenant-tagged, ends with "i:")
Returns {used, len_ah, len_an, len_al, len_uh, len_un, len_ul, oldest_t}
  oldest_t: epoch ms the oldest queue head was coalesced, or -1 when nothing is pending
]]
local out = {tonumber(redis.call('GET', KEYS[1]) or '0')}
local oldest = -1
for q = 2, 7 do
  out[#out + 1] = redis.call('LLEN', KEYS[q])
  local head = redis.call('LINDEX', KEYS[q], 0)
  if head then
    local t = tonumber(redis.call('HGET', ARGV[1] .. head, 't'))
    if t and (oldest == -1 or t < oldest) then oldest = t end
  end
end
out[#out + 1] = oldest
return out
