--[[
A covered URL (asset cover, coalesce-items.lua) whose asset's call did not refresh it: VOD's
verdict for the asset did not list it (record-results.lua), or VOD refused the asset id
(finish-batch.lua). It becomes a plain pending URL again, never covered (`nc`), at the tail of
the queue it was meant for (`q`), and back in the pending index unless another copy of the URL
is pending by now. The calling script moves its requests' counts to `pending`. So a wrong
pattern costs units, never freshness.

uncover(ip, id, pendingKey, now): `pendingKey` is the `pend` key; included after
includes/instances.lua and includes/pending-index.lua. The index is opened once a script, at
the first URL that needs it (a script that uncovers nothing reads nothing of it).
]]
local uncoverIndex = nil
local function uncover(ip, id, pendingKey, now)
  local ik = ip .. id
  local h = redis.call('HMGET', ik, 'v', 'ca', 'q')
  if h[2] then redis.call('SREM', ip .. h[2] .. ':c', id) end
  redis.call('HDEL', ik, 'ca', 'cv', 'b', 'k', 'a', 's', 'q')
  redis.call('HSET', ik, 'nc', 1, 't', now)
  uncoverIndex = uncoverIndex or indexOpen(ip, pendingKey)
  local idx = uncoverIndex
  local digest = itemDigest(h[1])
  if not idx.get(h[1], digest) then idx.put(h[1], digest, id) end
  redis.call('RPUSH', h[3], id)
end
