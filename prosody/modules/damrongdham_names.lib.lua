-- damrongdham_names.lib: the one reader of the names files `damrongdham up` writes (one
-- name per line, "#" starts a comment). Loaded with module:require("damrongdham_names").

local M = {};

-- A set of the names in `path` (name -> true), or nil and the reason when it cannot be
-- read. `what` names the option in log lines ("reserved names", "public profiles").
function M.read(module, path, what)
	if not path then
		module:log("error", "no file of %s is set", what);
		return nil, "not set";
	end
	local file, err = io.open(path, "r");
	if not file then
		module:log("error", "cannot read %s (%s): %s", path, what, tostring(err));
		return nil, err;
	end
	local names, count = {}, 0;
	for line in file:lines() do
		local name = line:match("^%s*(.-)%s*$");
		if name ~= "" and name:sub(1, 1) ~= "#" then
			names[name] = true;
			count = count + 1;
		end
	end
	file:close();
	module:log("info", "%d %s", count, what);
	return names;
end

return M;
