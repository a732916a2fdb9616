-- Entra-style PATCH of a random existing user (deactivate + a familyName of its own: always a change).
--   BENCH_LIST  file of user ids;  BENCH_SEED  random seed
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local list_path = bench.env("BENCH_LIST")
local ids = nil
local n = 0
wrk.headers["Content-Type"] = "application/scim+json; charset=utf-8"

local run = 0

function init(args)
  math.randomseed(tonumber(bench.env("BENCH_SEED", "1")) + (thread_index or 0) * 7919)
  ids = bench.load(list_path)
  n = ids.n
  run = math.random(1000000000)
end

function request()
  sent = sent + 1
  return wrk.format("PATCH", "/scim/v2/Users/" .. ids.get(math.random(n)), nil, bench.patch_user_body(run, sent))
end
