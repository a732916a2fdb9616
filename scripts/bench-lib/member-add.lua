-- PATCH adding ONE member to a group; every request takes the next unused user id from a pool
-- and the groups are used round-robin, so request k adds pool[start+k] to groups[k mod #groups].
-- The orchestrator reads `sent` afterwards and removes exactly those members again.
--   BENCH_GROUPS  file of group ids;  BENCH_LIST  pool of user ids that are members of no group
--   BENCH_START   first pool index (0-based) this run may use
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local groups, pool = nil, nil
local start = tonumber(bench.env("BENCH_START", "0"))
wrapped = 0
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"

local head = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
  '"Operations":[{"op":"Add","path":"members","value":[{"value":"'
local tail = '"}]}]}'

function init(args)
  groups = bench.load(bench.env("BENCH_GROUPS"))
  pool = bench.load(bench.env("BENCH_LIST"))
end

function request()
  local k = start + sent
  sent = sent + 1
  if k >= pool.n then wrapped = 1 end
  local uid = pool.get(k % pool.n + 1)
  local gid = groups.get((sent - 1) % groups.n + 1)
  return wrk.format("PATCH", "/scim/v2/Groups/" .. gid, nil, head .. uid .. tail)
end
