-- mod_damrongdham_flood_guard: a citizen flooding the bot is stopped at the door.
--
-- The bot paces each citizen (bots/throttle.py) and refuses what is beyond a minute of
-- backlog; but every message that reaches it has already cost the server a write of the
-- sender's archive (mod_mam) and of the spool (mod_damrongdham_spool). Far above anything a
-- person types, this module drops a client's messages to `damrongdham_flood_target` (the
-- bot's domain) before either happens: per account (bare JID) a bucket of
-- `damrongdham_flood_guard_burst` messages (default 200) refilled at
-- `damrongdham_flood_guard_rate` per second (default 20), and, if
-- `damrongdham_flood_guard_host_rate` is set (the anonymous host: sessions cost nothing to
-- open), one more bucket for every session of the host together
-- (`damrongdham_flood_guard_host_burst`, default 400). A dropped message is answered with
-- <policy-violation/> once a minute per account, not once per message, and never stored.
-- Load it on the citizens' and the anonymous hosts. Addresses are never written to the log.

local st = require "util.stanza";
local new_throttle = require "util.throttle".create;
local jid_host = require "util.jid".host;

local target = module:get_option_string("damrongdham_flood_target");
local rate = module:get_option_number("damrongdham_flood_guard_rate", 20);
local burst = module:get_option_number("damrongdham_flood_guard_burst", 200);
local host_rate = module:get_option_number("damrongdham_flood_guard_host_rate", 0);
local host_burst = module:get_option_number("damrongdham_flood_guard_host_burst", 400);
local TELL_EVERY = 60;

local buckets = {}; -- bare JID -> { throttle, told = time of the last error sent }
local host_bucket = host_rate > 0 and new_throttle(host_burst, host_burst / host_rate) or nil;
local dropped = 0;

local function guard(event)
	local origin, stanza = event.origin, event.stanza;
	if origin.type ~= "c2s" or not origin.username or not target then
		return;
	end
	if jid_host(stanza.attr.to) ~= target or not stanza:get_child("body") then
		return;
	end
	local who = origin.username.."@"..origin.host;
	local bucket = buckets[who];
	if not bucket then
		bucket = { throttle = new_throttle(burst, burst / rate) };
		buckets[who] = bucket;
	end
	if bucket.throttle:poll(1) and (not host_bucket or host_bucket:poll(1)) then
		return; -- on to the archive and the bot
	end
	dropped = dropped + 1;
	local now = os.time();
	if not bucket.told or now - bucket.told >= TELL_EVERY then
		bucket.told = now;
		origin.send(st.error_reply(stanza, "wait", "policy-violation",
			"Too many messages: slow down"));
	end
	return true; -- dropped: not archived, not spooled, not delivered
end

module:log("info", "messages to %s: at most %g/s after %d at once per account",
	tostring(target), rate, burst);
module:hook("pre-message/bare", guard, 10); -- before mod_mam (priority 0)
module:hook("pre-message/full", guard, 10);

module:add_timer(TELL_EVERY, function()
	local now = os.time();
	for who, bucket in pairs(buckets) do
		bucket.throttle:update();
		if bucket.throttle.balance >= bucket.throttle.max
			and (not bucket.told or now - bucket.told >= TELL_EVERY) then
			buckets[who] = nil; -- quiet again: forgotten
		end
	end
	if dropped > 0 then
		module:log("warn", "%d messages to %s dropped by flood control in the last minute",
			dropped, target);
		dropped = 0;
	end
	return TELL_EVERY;
end);
