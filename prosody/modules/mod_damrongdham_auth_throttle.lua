-- mod_damrongdham_auth_throttle: failed logins from one address are throttled.
--
-- After `damrongdham_auth_max` failed SASL attempts (default 10) from one IP address within
-- `damrongdham_auth_period` seconds (default 60), further attempts from that address get
-- <temporary-auth-failure/> until the period has passed since the first failure.
--
-- Addresses in `damrongdham_auth_allowlist` (default loopback) are not counted on plain c2s
-- connections: the web dashboard (which has its own per-account and per-address limits)
-- and provisioning log in from there. BOSH and WebSocket sessions are always counted, by
-- the address Prosody gives them: the client named in X-Forwarded-For when the request
-- came from one of `trusted_proxies` (DAMRONGDHAM_TRUSTED_PROXIES), else the address that
-- connected — so a reverse proxy on 127.0.0.1 that is not declared is one address for all
-- its clients, never a way around the limit. Their count is kept apart from the c2s one,
-- so web-chat clients behind an undeclared local proxy cannot lock the dashboard out.
-- Load it on each VirtualHost with passwords. Addresses are never written to the log.

local st = require "util.stanza";

local max = module:get_option_number("damrongdham_auth_max", 10);
local period = module:get_option_number("damrongdham_auth_period", 60);
local allowlist = module:get_option_set("damrongdham_auth_allowlist", { "127.0.0.1", "::1" });

local failures = {}; -- key -> { count = n, since = time of the first failure }

-- The key a session is counted under, or nil when it is not counted.
local function key_of(session)
	local ip = session.ip;
	if not ip then
		return nil;
	end
	if session.bosh_version ~= nil or session.websocket_request ~= nil then
		return "http " .. ip;
	end
	if allowlist:contains(ip) then
		return nil;
	end
	return ip;
end

local function current(key, now)
	local entry = failures[key];
	if entry and now - entry.since >= period then
		failures[key] = nil;
		return nil;
	end
	return entry;
end

module:hook("authentication-failure", function(event)
	local key = key_of(event.session);
	if not key then
		return;
	end
	local now = os.time();
	local entry = current(key, now);
	if not entry then
		entry = { count = 0, since = now };
		failures[key] = entry;
	end
	entry.count = entry.count + 1;
	if entry.count == max then
		module:log("warn", "%d failed logins from one address: throttled for %d s", max, period);
	end
end);

module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function(event)
	local session = event.origin;
	local key = key_of(session);
	local entry = key and current(key, os.time());
	if entry and entry.count >= max then
		session.send(st.stanza("failure", { xmlns = "urn:ietf:params:xml:ns:xmpp-sasl" })
			:tag("temporary-auth-failure"):up()
			:tag("text"):text("Too many failed logins from your address; try again later"));
		return true;
	end
end, 10);

module:add_timer(period, function()
	local now = os.time();
	for key in pairs(failures) do
		current(key, now);
	end
	return period;
end);
