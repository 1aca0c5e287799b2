-- mod_damrongdham_sqlite_sync: how often Prosody's SQLite storage waits for the disk.
--
-- Prosody 0.12 cannot set SQLite's `synchronous` pragma. Our database is in WAL mode
-- (damrongdham/prosody.py), where the default FULL syncs the disk on every commit: five
-- syncs per citizen message end to end (archive, spool append, spool acknowledgement, the
-- room's archive, the answer's archive). NORMAL syncs only at checkpoints: a commit survives
-- Prosody being killed or crashing, and the database is never corrupted; only a power cut or
-- a kernel crash can take back the last commits before it.
--
--   damrongdham_sqlite_synchronous = "normal"  -- or "full" (default here: normal)
--
-- Load it globally. It applies to every SQLite connection of mod_storage_sql, now and on
-- every reconnect.

local modes = { off = "OFF", normal = "NORMAL", full = "FULL", extra = "EXTRA" };
local wanted = module:get_option_string("damrongdham_sqlite_synchronous", "normal"):lower();
local mode = modes[wanted];
if not mode then
	module:log("error", "damrongdham_sqlite_synchronous = %q: use normal or full; keeping full", wanted);
	mode = "FULL";
end

local engines = module:shared("/*/sql/connections");

local function set(conn)
	-- SQLite refuses to change it inside a transaction, and LuaDBI (autocommit off) always
	-- has one open: between Prosody's transactions it holds nothing, so commit and step out.
	conn:commit();
	conn:autocommit(true);
	local stmt, err = conn:prepare("PRAGMA synchronous=" .. mode);
	local ok = stmt and stmt:execute();
	if stmt then
		stmt:close();
	end
	conn:autocommit(false);
	if not ok then
		return ok, err;
	end
	local check = conn:prepare("PRAGMA synchronous"); -- read back: 0 off, 1 normal, 2 full
	local now;
	if check and check:execute() then
		for row in check:rows() do
			now = row[1];
		end
		check:close();
	end
	return true, now;
end

local function apply(engine)
	local done, ok, now = pcall(set, engine.conn);
	if not (done and ok) then
		module:log("error", "could not set synchronous=%s on %s: %s", mode, engine.url,
			tostring(done and now or ok));
		return;
	end
	module:log("info", "SQLite storage %s: synchronous=%s (reads back %s)", engine.url, mode,
		tostring(now));
end

local function tune(engine)
	if type(engine) ~= "table" or not engine.params or engine.params.driver ~= "SQLite3" then
		return;
	end
	if engine.damrongdham_sync == mode then
		return;
	end
	local onconnect = engine.onconnect;
	engine.onconnect = function(self, ...)
		local ok, err = onconnect(self, ...);
		if ok ~= false then
			apply(self);
		end
		return ok, err;
	end;
	engine.damrongdham_sync = mode;
	if engine.conn then
		apply(engine); -- connected already
	end
end

for _, engine in pairs(engines) do
	tune(engine);
end

-- Engines made after this module loaded (mod_storage_sql loads per host, lazily).
local mt = getmetatable(engines) or {};
local newindex = mt.__newindex;
mt.__newindex = function(t, k, v)
	if newindex then
		newindex(t, k, v);
	else
		rawset(t, k, v);
	end
	tune(v);
end;
setmetatable(engines, mt);

module:hook_global("server-started", function()
	for _, engine in pairs(engines) do
		tune(engine);
	end
end);
