-- mod_damrongdham_staff_profiles: on the staff host, only a centre's own account has a public
-- profile. Agents' vCards (vcard-temp, vCard4) and PEP nodes (vcard4, avatar, any other) are
-- not readable from outside: a request from a citizen (citizens.D), an anonymous tipster
-- (anon.D) or any other server to an agent's bare JID is answered <forbidden/>, so nobody
-- outside learns an officer's name, photo or phone. Prosody 0.12's mod_vcard_legacy publishes
-- the vCard to PEP nodes with access model "open", hence this guard in front of them.
--
--   damrongdham_profile_readers   hosts whose users may read every profile (the staff host
--                                 itself, the bot component)
--   damrongdham_public_profiles_file   the centre accounts' names, one per line (every centre
--                                 slug; `damrongdham up` writes it). When it cannot be read,
--                                 no profile is public (and the log says why).
-- IQs to the account's own JID ("iq/self") and to full JIDs are untouched.

local jid_split = require "util.jid".split;
local st = require "util.stanza";

local readers = module:get_option_set("damrongdham_profile_readers", { module.host });
local path = module:get_option_string("damrongdham_public_profiles_file");
local public = module:require("damrongdham_names").read(module, path, "public profiles") or {};

module:hook("iq/bare", function (event)
	local stanza = event.stanza;
	local kind = stanza.attr.type;
	if kind ~= "get" and kind ~= "set" then return; end
	local username = jid_split(stanza.attr.to);
	if not username or public[username] then return; end
	local _, from_host = jid_split(stanza.attr.from or "");
	if from_host and readers:contains(from_host) then return; end
	event.origin.send(st.error_reply(stanza, "auth", "forbidden",
		"ข้อมูลของเจ้าหน้าที่ไม่เปิดเผย · Staff profiles are not public"));
	return true;
end, 10);
