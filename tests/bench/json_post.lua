-- wrk script: POST an AWS request. Env: TARGET (X-Amz-Target; unset for a
-- query-protocol form post), CONTENT_TYPE (default application/x-amz-json-1.1), BODY,
-- UNIQUE=1 to substitute the two %d in BODY with a per-thread id and a
-- counter cycling over 1000 values (1000 distinct keys per thread: state
-- stays the size of a real stack instead of growing without bound).
-- The 1000 requests are formatted once in init(): wrk shares the two cores
-- with the server, and formatting a request per call cost the client more
-- than the server's HTTP parsing, which lowered every server's figure.
local target = os.getenv("TARGET")
local body = os.getenv("BODY")
local unique = os.getenv("UNIQUE") == "1"
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/x-amz-json-1.1"
if target and target ~= "" then wrk.headers["X-Amz-Target"] = target end
wrk.headers["X-Amz-Date"] = "20261125T000000Z"  -- dynalite insists on a date header
wrk.headers["Authorization"] = os.getenv("AUTH")

function setup(thread)
  thread:set("id", math.random(1, 1000000000))
end

local requests = {}

function init(args)
  if unique then
    for i = 0, 999 do requests[i + 1] = wrk.format(nil, nil, nil, string.format(body, id or 0, i)) end
  else
    requests[1] = wrk.format(nil, nil, nil, body)
  end
end

request = function()
  counter = counter + 1
  return requests[counter % #requests + 1]
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p99_ms=%.3f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
