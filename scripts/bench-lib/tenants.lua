-- Requests spread over tenants: each picks a random line "<token> <path>" of BENCH_LIST and sends
-- it with that tenant's token. BENCH_METHOD is GET (default) or PATCH (Entra's deactivate, a change every time).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local list_path = bench.env("BENCH_LIST")
local method = bench.env("BENCH_METHOD", "GET")
local lines = nil
local n = 0
local run = 0

function init(args)
  math.randomseed(tonumber(bench.env("BENCH_SEED", "1")) + (thread_index or 0) * 7919)
  lines = bench.load(list_path)
  n = lines.n
  run = math.random(1000000000)
end

function request()
  sent = sent + 1
  local token, path = lines.get(math.random(n)):match("^(%S+) (%S+)$")
  local headers = { ["Authorization"] = "Bearer " .. token }
  if method ~= "PATCH" then return wrk.format(method, path, headers, nil) end
  headers["Content-Type"] = "application/scim+json; charset=utf-8"
  return wrk.format(method, path, headers, bench.patch_user_body(run, sent))
end
