-- Fixed-rate load for wrk 4.1, which has no rate option (wrk2's -R).
--
--   wrk -t T -c C -d D --latency -s pace.lua URL -- RATE T
--
-- RATE is requests per second for the whole run; T must equal wrk's -t.
-- wrk asks delay() how many milliseconds to wait before each request. Each
-- thread keeps one schedule spaced RATE/T per second apart, and every request
-- takes the next free slot, so the thread's connections together send at the
-- target rate whatever the server's latency (as long as enough connections are
-- idle). A slot that has already passed is not made up later: after a stall
-- the schedule restarts from now instead of sending a burst.
--
-- wrk times a request from when it is written, not from its slot, so a server
-- that falls behind shows up as a lower Requests/sec rather than as queueing
-- delay in the percentiles (coordinated omission, which wrk2 corrects).

local ffi = require("ffi")
ffi.cdef [[
struct driftway_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clock_id, struct driftway_timespec* tp);
]]

local CLOCK_MONOTONIC = 1
local ts = ffi.new("struct driftway_timespec")

local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local interval_ms = 0
local next_ms = 0

function init(args)
    local rate = tonumber(args[1])
    local threads = tonumber(args[2] or "1")
    if not rate or rate <= 0 or not threads or threads <= 0 then
        error("usage: wrk ... -s pace.lua URL -- RATE THREADS")
    end
    interval_ms = 1000 * threads / rate
    next_ms = now_ms()
end

function delay()
    local now = now_ms()
    next_ms = math.max(next_ms + interval_ms, now)
    -- wrk truncates to whole milliseconds; the schedule, not the rounding,
    -- decides the rate.
    return math.floor(next_ms - now)
end
