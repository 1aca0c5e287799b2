-- Damrongdham Chat: fixed addresses for federated peer servers, without DNS.
--
-- Prosody 0.12 finds a remote server through SRV and A records only. Federated district,
-- provincial and central servers on a closed network (or on one machine in the tests) have
-- no DNS of their own, so this module answers for them from the configuration:
--
--   damrongdham_s2s_peers = { ["central.example"] = { "10.0.0.5", 5269 } }
--
-- A peer domain covers its sub-domains (bot.central.example, rooms.central.example ...).
-- Everything else is resolved as usual. Certificates are still verified (s2s_secure_auth).
-- Written by bridge/federation.py into DIR/prosody/federation.cfg.lua; see docs/scaling.md.

local service = require "net.resolvers.service";
local manual = require "net.resolvers.manual";

local peers = module:get_option("damrongdham_s2s_peers", {});

local function peer_of(hostname)
	for domain, target in pairs(peers) do
		if hostname == domain or hostname:sub(-(#domain + 1)) == "." .. domain then
			return target;
		end
	end
end

-- mod_s2s calls service.new() through the shared module table, so wrapping it once is enough.
if not service._damrongdham_original then
	service._damrongdham_original = service.new;
	service.new = function (hostname, srv, proto, extra)
		local target = peer_of(hostname);
		if not target then
			return service._damrongdham_original(hostname, srv, proto, extra);
		end
		if srv ~= "xmpp-server" then  -- no direct-TLS (xmpps-server) port for peers
			return manual.new({}, proto, extra);
		end
		module:log("debug", "s2s to %s via %s:%d (damrongdham_s2s_peers)", hostname, target[1], target[2]);
		return manual.new({ { proto .. "4", target[1], target[2], extra } }, proto, extra);
	end;
end
