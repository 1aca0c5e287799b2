-- mod_damrongdham_anon_upload: an anonymous tipster's upload is tied to nobody.
--
-- Load it on the XEP-0363 upload component next to http_file_share:
--   Component "upload.D" "http_file_share"
--     modules_enabled = { "damrongdham_anon_upload" }
--     damrongdham_anonymous_hosts = { "anon.D" }
--
-- mod_http_file_share keeps a row per upload (slot, file name, size, time, uploader's JID)
-- until the file expires, logs "Issuing upload slot to <JID>", and signs the JID into the
-- upload token. For a session of an anonymous host that JID is the session's random name,
-- and the same file's link is in the case's transcript: the row would tie the tip to the
-- session (and, with logs of that second, to a device). This module hands
-- mod_http_file_share the slot request as if it came from the host's placeholder
-- `anonymous@<anon host>` (the citizen every anonymous case stores) and sends the answer
-- back to the real session. All anonymous uploads share the placeholder's daily quota
-- (http_file_share_daily_quota): a flood from one anonymous session can use up the day's
-- quota of all of them, never more.

local jid = require "util.jid";
local st = require "util.stanza";

local EVENT = "iq-get/host/urn:xmpp:http:upload:0:request";
local anonymous_hosts = module:get_option_set("damrongdham_anonymous_hosts", {});

module:hook(EVENT, function(event)
	if event.damrongdham_anonymised then
		return; -- our own re-fired request: mod_http_file_share's turn
	end
	local stanza, origin = event.stanza, event.origin;
	local session_jid = stanza.attr.from;
	local host = jid.host(session_jid);
	if not (host and anonymous_hosts:contains(host)) then
		return;
	end
	local request = st.clone(stanza);
	request.attr.from = "anonymous@" .. host;
	local answer_to = setmetatable({
		send = function(reply)
			reply.attr.to = session_jid; -- the slot (or the error) goes to the live session
			return origin.send(reply);
		end;
	}, { __index = origin });
	return module:fire_event(EVENT, {
		stanza = request;
		origin = answer_to;
		damrongdham_anonymised = true;
	});
end, 10);
