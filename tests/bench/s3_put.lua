-- wrk script: S3 PutObject of a fixed-size body to keys cycling over 1000
-- names per thread (state stays the size of a real bucket). Env: BUCKET, SIZE.
-- The 1000 requests are formatted once in init (see json_post.lua).
local bucket = os.getenv("BUCKET")
local body = string.rep("x", tonumber(os.getenv("SIZE") or "1024"))
local counter = 0
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/octet-stream"

function setup(thread)
  thread:set("id", math.random(1, 1000000000))
end

local requests = {}

function init(args)
  for i = 0, 999 do
    requests[i + 1] = wrk.format("PUT", string.format("/%s/put-%d-%d", bucket, id or 0, i), nil, body)
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
