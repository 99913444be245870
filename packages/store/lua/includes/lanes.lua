--[[
A tenant's lanes: the queues of one caller. The lane of no caller ('') is the queue key itself
(requests recorded without a caller, and backlogs written before lanes existed); a caller's lane
is that key with `:<caller>` appended, in the same hash tag and so the same slot. Included by
claim-batch.lua, read-request-position.lua and read-tenant-state.lua.

lanesOf(lanesKey): '' and every caller in the tenant's lanes SET.
laneQueue(queue, caller): the caller's queue of the lane-less `queue` key.
]]
local function lanesOf(lanesKey)
  local lanes = {''}
  for _, c in ipairs(redis.call('SMEMBERS', lanesKey)) do lanes[#lanes + 1] = c end
  return lanes
end

local function laneQueue(queue, caller)
  if caller == '' then return queue end
  return queue .. ':' .. caller
end
