--[[
backlogOf(pendKey, stagedKey, uploadsKey, leasesKey, now): a tenant's backlog, the number the
maxBacklogItems cap applies to: its pending items (the coalescing index), the lines of its
recorded requests not yet coalesced (the staged counter), and the lines of uploads still
arriving (uploadsKey: request id -> lines staged so far), counted as they stream so that no
upload can put more in Redis than the cap allows. An upload whose lease (leasesKey: request id
-> epoch ms) ran out belongs to an API that died mid-upload: it is dropped from the count here
(its stage list expires on its own). Included by stage-chunk.lua and admit-request.lua.
]]
local function backlogOf(pendKey, stagedKey, uploadsKey, leasesKey, now)
  for _, dead in ipairs(redis.call('ZRANGEBYSCORE', leasesKey, '-inf', now)) do
    redis.call('HDEL', uploadsKey, dead)
    redis.call('ZREM', leasesKey, dead)
  end
  local staged = tonumber(redis.call('GET', stagedKey) or '0')
  if staged < 0 then staged = 0 end
  local arriving = 0
  for _, n in ipairs(redis.call('HVALS', uploadsKey)) do arriving = arriving + tonumber(n) end
  return redis.call('HLEN', pendKey) + staged + arriving
end
