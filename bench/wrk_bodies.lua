-- wrk script: POST the request bodies of a file (one a line) in turn, each thread from its own offset,
-- and print a one-line JSON summary (WRKJSON ...) for the Python side to read.
-- Usage: wrk -t1 -c16 -d5s -s bench/wrk_bodies.lua URL -- TOKEN BODIES_FILE

local bodies = {}
local headers = {}
local index = 0

function init(args)
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. args[1]
  for line in io.lines(args[2]) do
    bodies[#bodies + 1] = line
  end
  index = math.random(#bodies)
end

function request()
  index = index % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, '
      .. '"errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
