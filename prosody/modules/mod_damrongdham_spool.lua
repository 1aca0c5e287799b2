-- mod_damrongdham_spool: no citizen's message to the bot component is lost.
--
-- Load it on the bot's component host (Component "bot.D" … modules_enabled =
-- { "damrongdham_spool" }). Every chat/normal message with a body addressed to the component
-- is written to SQL storage before it is delivered, and tagged
--   <spool xmlns="urn:xmpp:damrongdham:spool:0" id="…"/>
-- While the component is connected it is delivered at once as usual; while it is away the
-- message is kept instead of bounced. The component acknowledges what it has stored
--   <iq type="set" to="bot.D"><ack xmlns="urn:xmpp:damrongdham:spool:0"><item id="…"/>…</ack></iq>
-- and, when it (re)connects and is ready, asks for everything not yet acknowledged
--   <iq type="set" to="bot.D"><replay xmlns="urn:xmpp:damrongdham:spool:0"/></iq>
-- which is sent again in arrival order; delivered="1" marks those the component was sent
-- before (it may have handled them before it went away). Only the component's own session
-- may ack or replay. A spool element in a client's stanza is removed (it cannot forge ids).

local st = require "util.stanza";

local NS = "urn:xmpp:damrongdham:spool:0";
local USER = "spool";
local spool = module:open_store("damrongdham_spool", "archive");

local function component_connected()
	local component = prosody.hosts[module.host].modules.component;
	return component and component.connected;
end

local function kept(stanza)
	local kind = stanza.attr.type or "normal";
	return (kind == "chat" or kind == "normal") and stanza:get_child("body") ~= nil;
end

local function on_message(event)
	local stanza = event.stanza;
	stanza:remove_children("spool", NS);
	if not kept(stanza) then
		return; -- chat states, receipts, errors, groupchat: mod_component as usual
	end
	-- "live": handed to the component now (it may have handled it before a crash);
	-- "kept": it never saw this one.
	local live = component_connected() and true or false;
	local id, err = spool:append(USER, nil, stanza, os.time(), live and "live" or "kept");
	if not id then
		module:log("error", "could not spool a message for the component: %s", err);
		return; -- delivered (or bounced to the sender) as without this module
	end
	stanza:tag("spool", { xmlns = NS, id = id }):up();
	if live then
		return; -- mod_component sends it now
	end
	module:log("info", "component away: message %s kept for it", id);
	return true;
end

module:hook("message/bare", on_message, 10);
module:hook("message/full", on_message, 10);
module:hook("message/host", on_message, 10);

local function from_component(origin)
	return origin.type == "component" and origin.host == module.host;
end

local function ack(origin, stanza, request)
	local ids = {};
	for item in request:childtags("item") do
		if item.attr.id then
			ids[#ids + 1] = item.attr.id;
		end
	end
	if #ids > 0 then
		local ok, err = spool:delete(USER, { ids = ids });
		if not ok then
			module:log("error", "could not drop %d acknowledged messages: %s", #ids, err);
			origin.send(st.error_reply(stanza, "wait", "internal-server-error"));
			return true;
		end
		-- The bytes of what was deleted (the sender's JID, the unmasked text) leave the
		-- disk at the next checkpoint (mod_damrongdham_sqlite_sync: secure_delete, WAL
		-- truncated about a second after this).
		prosody.events.fire_event("damrongdham/sqlite-scrub");
	end
	origin.send(st.reply(stanza));
	return true;
end

local function replay(origin, stanza)
	local items, err = spool:find(USER, {});
	if not items then
		module:log("error", "could not read the spool: %s", err);
		origin.send(st.error_reply(stanza, "wait", "internal-server-error"));
		return true;
	end
	local count = 0;
	for id, item, _, seen in items do
		item:remove_children("spool", NS);
		item:tag("spool", { xmlns = NS, id = id, delivered = seen == "live" and "1" or nil }):up();
		item.attr.xmlns = nil;
		origin.send(item);
		count = count + 1;
	end
	module:log("info", "replayed %d kept messages to the component", count);
	origin.send(st.reply(stanza):tag("replay", { xmlns = NS, count = tostring(count) }));
	return true;
end

module:hook("iq/host", function(event)
	local origin, stanza = event.origin, event.stanza;
	local request = stanza.tags[1];
	if stanza.attr.type ~= "set" or not request or request.attr.xmlns ~= NS then
		return;
	end
	if not from_component(origin) then
		origin.send(st.error_reply(stanza, "auth", "forbidden"));
		return true;
	end
	if request.name == "ack" then
		return ack(origin, stanza, request);
	elseif request.name == "replay" then
		return replay(origin, stanza);
	end
	origin.send(st.error_reply(stanza, "cancel", "feature-not-implemented"));
	return true;
end, 10);
