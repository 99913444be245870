--[[
claim-probe: a paused tenant is due for one probe call; of all the replicas that notice it,
exactly one gets to make it. The winner moves the next probe time forward, so the others see
a probe that is not due and keep the tenant paused.

KEYS[1] the tenant's pause   HASH (reason, code, message, since, probeAt)
ARGV[1] now (ms)   ARGV[2] the next probe time (ms) if this caller claims it
Returns 1 when this caller claimed the probe, else 0 (not paused, or the probe is not due).
]]
local probe_at = redis.call('HGET', KEYS[1], 'probeAt')
if not probe_at or tonumber(probe_at) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'probeAt', ARGV[2])
return 1
