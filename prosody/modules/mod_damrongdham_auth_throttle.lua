-- mod_damrongdham_auth_throttle: failed logins from one address are throttled.
--
-- After `damrongdham_auth_max` failed SASL attempts (default 10) from one IP address within
-- `damrongdham_auth_period` seconds (default 60), further attempts from that address get
-- <temporary-auth-failure/> until the period has passed since the first failure. Addresses
-- in `damrongdham_auth_allowlist` (default loopback: the web dashboard, which has its own
-- per-account and per-address limits, and the bot's provisioning logins) are not counted.
-- Load it on each VirtualHost with passwords. Addresses are never written to the log.

local st = require "util.stanza";

local max = module:get_option_number("damrongdham_auth_max", 10);
local period = module:get_option_number("damrongdham_auth_period", 60);
local allowlist = module:get_option_set("damrongdham_auth_allowlist", { "127.0.0.1", "::1" });

local failures = {}; -- ip -> { count = n, since = time of the first failure }

local function current(ip, now)
	local entry = failures[ip];
	if entry and now - entry.since >= period then
		failures[ip] = nil;
		return nil;
	end
	return entry;
end

module:hook("authentication-failure", function(event)
	local ip = event.session.ip;
	if not ip or allowlist:contains(ip) then
		return;
	end
	local now = os.time();
	local entry = current(ip, now);
	if not entry then
		entry = { count = 0, since = now };
		failures[ip] = entry;
	end
	entry.count = entry.count + 1;
	if entry.count == max then
		module:log("warn", "%d failed logins from one address: throttled for %d s", max, period);
	end
end);

module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function(event)
	local session = event.origin;
	local entry = session.ip and current(session.ip, os.time());
	if entry and entry.count >= max then
		session.send(st.stanza("failure", { xmlns = "urn:ietf:params:xml:ns:xmpp-sasl" })
			:tag("temporary-auth-failure"):up()
			:tag("text"):text("Too many failed logins from your address; try again later"));
		return true;
	end
end, 10);

module:add_timer(period, function()
	local now = os.time();
	for ip in pairs(failures) do
		current(ip, now);
	end
	return period;
end);
