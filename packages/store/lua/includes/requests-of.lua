--[[
The requests an instance serves: those linked to it (its `:l` SET), then its first request `r`.
A carrier made for URLs alone (coalesce-items.lua, `sy`) has no first request. Included after
includes/instances.lua (the instance may be packed).

itemRequests(ip, id, into): appends them to `into` and returns it.
]]
local function itemRequests(ip, id, into)
  for _, r in ipairs(redis.call('SMEMBERS', ip .. id .. ':l')) do into[#into + 1] = r end
  local owner = instGet(ip, id, 'r')
  if owner then into[#into + 1] = owner end
  return into
end
