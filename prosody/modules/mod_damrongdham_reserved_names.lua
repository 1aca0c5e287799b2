-- mod_damrongdham_reserved_names: citizens may not register a name that passes for the
-- platform, a centre, its staff, the bot or a case (Prosody 0.12's mod_register_ibr has no
-- list of blocked names). The rule is casestore/reserved_names.py's:
--   * a name in `damrongdham_reserved_names_file` (one per line; `damrongdham up` writes it:
--     admin, anonymous, bot, support…, every centre slug);
--   * the part after the last "." in that file (somchai.chiangrai reads as staff);
--   * a case reference (th57-2569-000001).
-- When the file cannot be read, every registration is refused (and the log says why).

local path = module:get_option_string("damrongdham_reserved_names_file");
local reserved = module:require("damrongdham_names").read(module, path, "reserved names");
local loaded = reserved ~= nil; -- unreadable: every registration is refused
reserved = reserved or {};

local function is_reserved(username)
	if reserved[username] then return true; end
	local tail = username:match("%.([^.]*)$");
	if tail and reserved[tail] then return true; end
	return username:match("^th%d%d%-%d%d%d%d%-%d%d%d%d%d%d$") ~= nil;
end

module:hook("user-registering", function (event)
	local username = event.username or "";
	if loaded and not is_reserved(username) then return; end
	module:log("info", "refused the registration of a reserved name");
	event.allowed = false;
	event.error = {
		type = "cancel";
		condition = "not-allowed";
		text = "ชื่อนี้สงวนไว้ กรุณาเลือกชื่ออื่น · This name is reserved; please choose another.";
	};
end, 100);
