-- mod_damrongdham_muc_no_echo: the centre rooms do not send the bot its own messages back.
--
-- Load it on the bot's component host. A room reflects every groupchat message to every
-- occupant, its sender included: for the bot, which posts an announcement or a citizen's
-- message in a room for each message it handles, that is one more stanza for Prosody to
-- write and for the bot to read and drop, per message. Everything else from the rooms
-- (agents' messages, presence, subjects) reaches the bot as before.
--
--   damrongdham_rooms_domain = "rooms.example"  -- the MUC component
--   damrongdham_bot_nick = "…"                  -- the bot's nick in the rooms

local jid_split = require "util.jid".split;

local rooms = module:get_option_string("damrongdham_rooms_domain");
local nick = module:get_option_string("damrongdham_bot_nick");
if not rooms or not nick then
	module:log("error", "damrongdham_rooms_domain and damrongdham_bot_nick are needed; echoes kept");
	return;
end

local dropped = 0;

local function drop_echo(event)
	local stanza = event.stanza;
	if stanza.attr.type ~= "groupchat" then
		return;
	end
	local _, host, resource = jid_split(stanza.attr.from);
	if host == rooms and resource == nick then
		dropped = dropped + 1;
		return true; -- the bot's own message, reflected
	end
end

-- Higher priority than mod_component's delivery and the spool (which ignores groupchat).
for _, kind in ipairs({ "host", "bare", "full" }) do
	module:hook("message/" .. kind, drop_echo, 20);
end

module:hook_global("server-stopping", function()
	module:log("info", "dropped %d reflections of the bot's own room messages", dropped);
end);
