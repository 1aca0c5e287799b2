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
--
-- Deleted means gone from the disk. SQLite keeps a deleted row's bytes in its page until the
-- page is reused, and in the write-ahead log (prosody.sqlite-wal) until that part of the log
-- is overwritten — for a quiet server, indefinitely: a spooled message (an anonymous
-- tipster's JID and unmasked words) or a delivered offline message stayed readable there
-- long after it was deleted. So every connection also gets `secure_delete` (deleted content
-- is overwritten with zeros), and the log is checkpointed and truncated to zero bytes
--   * soon after someone fires the global event "damrongdham/sqlite-scrub" (the spool does,
--     after an acknowledgement; `damrongdham_sqlite_scrub_delay`, default 1 s, gathers
--     several deletions into one checkpoint), and
--   * every `damrongdham_sqlite_scrub_every` seconds (default 60) for everything else
--     (offline messages delivered, expired archives).

local modes = { off = "OFF", normal = "NORMAL", full = "FULL", extra = "EXTRA" };
local wanted = module:get_option_string("damrongdham_sqlite_synchronous", "normal"):lower();
local mode = modes[wanted];
if not mode then
	module:log("error", "damrongdham_sqlite_synchronous = %q: use normal or full; keeping full", wanted);
	mode = "FULL";
end

local engines = module:shared("/*/sql/connections");
local scrub_delay = module:get_option_number("damrongdham_sqlite_scrub_delay", 1);
local scrub_every = module:get_option_number("damrongdham_sqlite_scrub_every", 60);

local function pragma(conn, sql)
	local stmt, err = conn:prepare(sql);
	local ok = stmt and stmt:execute();
	local value;
	if ok then
		for row in stmt:rows() do
			value = row[1];
		end
	end
	if stmt then
		stmt:close();
	end
	return ok, ok and value or err;
end

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
	local secure = pragma(conn, "PRAGMA secure_delete=ON");
	conn:autocommit(false);
	if not (ok and secure) then
		return nil, err or "secure_delete refused";
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

-- Checkpoint the write-ahead log into the database and truncate it to zero bytes.
local function checkpoint(engine)
	local conn = engine.conn;
	conn:commit(); -- between Prosody's transactions: nothing is pending (see `set`)
	conn:autocommit(true);
	local ok, busy = pragma(conn, "PRAGMA wal_checkpoint(TRUNCATE)");
	conn:autocommit(false);
	return ok, busy;
end

local function scrub()
	for _, engine in pairs(engines) do
		if type(engine) == "table" and engine.conn and engine.params
		and engine.params.driver == "SQLite3" then
			local done, ok, busy = pcall(checkpoint, engine);
			if not (done and ok) or tostring(busy) ~= "0" then
				module:log("warn", "could not truncate the write-ahead log of %s: %s", engine.url,
					tostring(done and busy or ok));
			end
		end
	end
end

local scrub_pending = false;
module:hook_global("damrongdham/sqlite-scrub", function()
	if scrub_pending then
		return;
	end
	scrub_pending = true;
	module:add_timer(scrub_delay, function()
		scrub_pending = false;
		scrub();
	end);
end);

module:add_timer(scrub_every, function()
	scrub();
	return scrub_every;
end);

module:hook_global("server-started", function()
	for _, engine in pairs(engines) do
		tune(engine);
	end
end);
