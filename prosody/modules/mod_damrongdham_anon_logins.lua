-- mod_damrongdham_anon_logins: anonymous sessions are free to open, so each client address
-- may open only so many: `damrongdham_anon_logins_per_minute` (default 30) and
-- `damrongdham_anon_logins_per_hour` (default 300). Thai carriers put many phones behind
-- one address (CGNAT): the limits are far above what one person opens, and a refusal says
-- in Thai and English to try again shortly (the web chat waits and retries by itself).
--
-- The address is the one Prosody gives the session: for BOSH and WebSocket the client
-- named in X-Forwarded-For by one of `trusted_proxies`, else the connecting address. IPv6
-- addresses are counted by their /64 (one household or phone holds a whole /64).
-- Addresses in `damrongdham_anon_logins_exempt` (default loopback, on plain c2s only: the
-- project's own tools) are not counted. Counts are kept in memory only and never logged:
-- anonymity means no address on disk. Load it on the anonymous host.

local st = require "util.stanza";

local per_minute = module:get_option_number("damrongdham_anon_logins_per_minute", 30);
local per_hour = module:get_option_number("damrongdham_anon_logins_per_hour", 300);
local exempt = module:get_option_set("damrongdham_anon_logins_exempt", { "127.0.0.1", "::1" });
local TEXT = "มีการเปิดแชตแบบไม่ระบุตัวตนจากเครือข่ายของคุณมากเกินไป กรุณารอสักครู่แล้วลองใหม่"
	.. " · Too many anonymous sessions from your network; please wait a moment and try again";

local windows = { { span = 60, max = per_minute }, { span = 3600, max = per_hour } };
local counts = {}; -- key -> { [span] = { start = time, n = count } }
local refused = 0;

-- IPv6: the first four groups (/64); IPv4 as it is.
local function prefix(ip)
	if not ip:find(":", 1, true) then
		return ip;
	end
	local head, tail = ip:match("^(.-)::(.*)$");
	local groups = {};
	if head then
		local left, right = {}, {};
		for g in head:gmatch("[^:]+") do left[#left + 1] = g; end
		for g in tail:gmatch("[^:]+") do right[#right + 1] = g; end
		for _, g in ipairs(left) do groups[#groups + 1] = g; end
		for _ = 1, 8 - #left - #right do groups[#groups + 1] = "0"; end
		for _, g in ipairs(right) do groups[#groups + 1] = g; end
	else
		for g in ip:gmatch("[^:]+") do groups[#groups + 1] = g; end
	end
	local out = {};
	for i = 1, 4 do out[i] = (groups[i] or "0"):lower():gsub("^0+(%x)", "%1"); end
	return table.concat(out, ":") .. "::/64";
end

local function key_of(session)
	local ip = session.ip;
	if not ip then return nil; end
	local http = session.bosh_version ~= nil or session.websocket_request ~= nil;
	if not http and exempt:contains(ip) then return nil; end
	return prefix(ip);
end

-- Count one login for `key`; false when a window is already full (nothing counted then).
local function admit(key, now)
	local entry = counts[key];
	if not entry then
		entry = {};
		counts[key] = entry;
	end
	for _, w in ipairs(windows) do
		local c = entry[w.span];
		if not c or now - c.start >= w.span then
			c = { start = now, n = 0 };
			entry[w.span] = c;
		end
		if c.n >= w.max then return false; end
	end
	for _, w in ipairs(windows) do
		entry[w.span].n = entry[w.span].n + 1;
	end
	return true;
end

module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function(event)
	local session = event.origin;
	local key = key_of(session);
	if not key or admit(key, os.time()) then return; end
	refused = refused + 1;
	session.send(st.stanza("failure", { xmlns = "urn:ietf:params:xml:ns:xmpp-sasl" })
		:tag("temporary-auth-failure"):up()
		:tag("text", { ["xml:lang"] = "th" }):text(TEXT));
	return true;
end, 10);

module:add_timer(300, function()
	local now = os.time();
	for key, entry in pairs(counts) do
		local live = false;
		for _, w in ipairs(windows) do
			local c = entry[w.span];
			if c and now - c.start < w.span then live = true; end
		end
		if not live then counts[key] = nil; end
	end
	if refused > 0 then
		module:log("warn", "%d anonymous logins refused in the last 5 minutes (no address kept)", refused);
		refused = 0;
	end
	return 300;
end);
