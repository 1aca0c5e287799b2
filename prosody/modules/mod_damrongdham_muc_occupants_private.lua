-- mod_damrongdham_muc_occupants_private: a centre room tells nobody outside how many are in it.
--
-- Load it on the MUC component. Prosody 0.12 answers every disco#info of a room with
-- `muc#roominfo_occupants` (the number of occupants), even to a citizen, a tipster or another
-- server that is no member: from it one learns whether anyone is on duty. Here the count is
-- left out unless the requester is affiliated with the room (member, admin, owner: the
-- centre's staff and the bot). The room's disco#items stay empty (Prosody 0.12 lists no
-- occupants there), and a members-only room lets no one else in to see who is present.

local jid_bare = require "util.jid".bare;

local FIELD = "muc#roominfo_occupants";
local insiders = { member = true, admin = true, owner = true };

module:hook("muc-disco#info", function (event)
	local room, stanza = event.room, event.stanza;
	local requester = jid_bare(stanza.attr.from or "");
	if insiders[room:get_affiliation(requester) or "none"] then return; end
	if event.formdata then event.formdata[FIELD] = nil; end
	if event.form then
		for i = #event.form, 1, -1 do
			if event.form[i].name == FIELD then table.remove(event.form, i); end
		end
	end
end, -10);
