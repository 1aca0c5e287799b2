-- mod_damrongdham_reserved_names: citizens may not register a name that passes for the
-- platform, a centre, its staff, the bot or a case (Prosody 0.12's mod_register_ibr has no
-- list of blocked names). The rule is casestore/reserved_names.py's:
--   * a name in `damrongdham_reserved_names_file` (one per line; `damrongdham up` writes it:
--     admin, anonymous, bot, support…, every centre slug);
--   * the part after the last "." in that file (somchai.chiangrai reads as staff);
--   * a case reference (th57-2569-000001).
-- When the file cannot be read, every registration is refused (and the log says why).

local path = module:get_option_string("damrongdham_reserved_names_file");
local reserved, loaded = {}, false;

local function load()
	if not path then
		module:log("error", "damrongdham_reserved_names_file is not set: registration refused");
		return;
	end
	local file, err = io.open(path, "r");
	if not file then
		module:log("error", "cannot read %s: %s; registration refused", path, tostring(err));
		return;
	end
	local count = 0;
	for line in file:lines() do
		local name = line:match("^%s*(.-)%s*$");
		if name ~= "" and name:sub(1, 1) ~= "#" then
			reserved[name] = true;
			count = count + 1;
		end
	end
	file:close();
	loaded = true;
	module:log("info", "%d reserved names", count);
end
load();

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
