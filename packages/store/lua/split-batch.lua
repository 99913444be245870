--[[
split-batch: VOD refused a batch of n > 1 items for its parameters (one bad asset id fails the
whole call), so the batch is cut in two halves that are resent separately until the offending
items are alone. The halves are new batches: they hold no budget, so each resend spends budget
like any call. The items stay in flight for their requests; only their batch changes.

The URLs an asset id covers (the batch's `cov`) follow their asset into its half. The refused
call's units count as `refused` in the spend ledger of its day.

Idempotent: a batch already split returns the same two children.

KEYS[1] the batch   HASH
ARGV[1] first child id   ARGV[2] second child id   ARGV[3] now (ms)
ARGV[4] instance key prefix   ARGV[5] batch key prefix (tenant-tagged, ends with "b:")
ARGV[6] ledger key prefix (keys.ts `ledger`, without the day)
Returns {child1, child2}, or {} when the batch is missing, finished otherwise or has one item.
]]
--- @include "includes/ledger.lua"
local st = redis.call('HGET', KEYS[1], 'st')
if not st then return {} end
local done = redis.call('HGET', KEYS[1], 'split')
if done then
  local a, b = string.match(done, '([^,]+),([^,]+)')
  return {a, b}
end
if st == 'done' then return {} end
local ids = {}
for id in string.gmatch(redis.call('HGET', KEYS[1], 'ids'), '[^,]+') do ids[#ids + 1] = id end
if #ids < 2 then return {} end
local kind = redis.call('HGET', KEYS[1], 'kind')
local half = math.floor(#ids / 2)
local parts, partOf = {{}, {}}, {}
for i, id in ipairs(ids) do
  local p = i <= half and 1 or 2
  parts[p][#parts[p] + 1] = id
  partOf[id] = p
end
local covs = {{}, {}}
for c in string.gmatch(redis.call('HGET', KEYS[1], 'cov') or '', '[^,]+') do
  local p = partOf[redis.call('HGET', ARGV[4] .. c, 'ca')] or 1
  covs[p][#covs[p] + 1] = c
end
for p = 1, 2 do
  local child = ARGV[p]
  redis.call('HSET', ARGV[5] .. child, 'kind', kind, 'ids', table.concat(parts[p], ','), 'n', #parts[p],
    'st', 'claimed', 'res', 0, 'day', '', 'at', ARGV[3], 'attempts', 0, 'parent', string.sub(KEYS[1], #ARGV[5] + 1))
  if #covs[p] > 0 then redis.call('HSET', ARGV[5] .. child, 'cov', table.concat(covs[p], ',')) end
  for _, id in ipairs(parts[p]) do redis.call('HSET', ARGV[4] .. id, 'b', child) end
  for _, id in ipairs(covs[p]) do redis.call('HSET', ARGV[4] .. id, 'b', child) end
end
if st == 'sending' then ledgerAdd(ARGV[6] .. redis.call('HGET', KEYS[1], 'day'), 'refused', #ids) end
redis.call('HSET', KEYS[1], 'st', 'done', 'outcome', 'split', 'split', ARGV[1] .. ',' .. ARGV[2], 'done_at', ARGV[3])
return {ARGV[1], ARGV[2]}
