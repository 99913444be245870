--[[
discard-request: drops a request the API gave up on before queueing it (staging and, if it was
recorded, its record). The lines and bytes it counted in the tenant's staged counters leave them
too (includes/staged.lua), and so does an upload still arriving (includes/backlog.lua), so an
abandoned request never holds backlog room.

KEYS[1] request          HASH
KEYS[2] request stage    LIST
KEYS[3] tenant staged counter   STRING
KEYS[4] tenant uploads          HASH request id -> lines staged so far (an upload still arriving)
KEYS[5] tenant upload leases    ZSET
KEYS[6] tenant staged bytes     STRING     KEYS[7] tenant upload bytes   HASH (includes/backlog.lua)
ARGV[1] request id
Returns the number of lines given back to the staged counter.
]]
--- @include "includes/backlog.lua"
--- @include "includes/staged.lua"
dropUpload(KEYS[4], KEYS[7], KEYS[5], ARGV[1])
local left = unstage(KEYS[1], KEYS[3], KEYS[6])
redis.call('DEL', KEYS[1], KEYS[2])
return left
