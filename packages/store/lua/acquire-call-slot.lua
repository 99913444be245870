--[[
acquire-call-slot: takes one slot of a shared pace (includes/take-call-slot.lua). It paces a
tenant's result polls (a tenant's sends take their slot inside claim-batch.lua, from the same
pace) and an API caller's requests (every API replica asks here before answering one): together
they never go faster than the rate, with at most `burst` at once after a quiet spell. The clock
is the caller's (ARGV[1]), so tests can drive it.

KEYS[1] the pace (a tenant's calls or a caller's requests)   STRING TAT (epoch µs)
ARGV[1] now (epoch ms)   ARGV[2] calls per second (> 0, may be fractional)
ARGV[3] burst (calls allowed at once, >= 1)
Returns {1, 0} when the call may go now (the slot is taken), or {0, ms} to wait before asking again.
]]
--- @include "includes/take-call-slot.lua"
local ok, wait = takeCallSlot(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
if ok then return {1, 0} end
return {0, wait}
