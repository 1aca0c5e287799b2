// Service worker of the Damrongdham web chat (served as /sw.js so its scope is the whole
// site). It keeps the app shell — the page, its scripts and styles, the XMPP library and the
// centre list — so the chat opens without a network. The page ("/") and the centre list
// are fetched from the network first and fall back to the copy kept here; the other files
// come from here first. VERSION changes whenever any of them changes on the server, so a
// deploy replaces the whole copy. Nothing else (no API call, no message) is ever cached.

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = `damrongdham-chat-${VERSION}`;
const NETWORK_FIRST = new Set(['/', '/chat/centres.json']);
const NETWORK_TIMEOUT_MS = 4000; // a bad link: show the kept page rather than wait on

self.addEventListener('install', (event) => {
    event.waitUntil(
        caches.open(CACHE)
            .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
            .then(() => self.skipWaiting()),
    );
});

self.addEventListener('activate', (event) => {
    event.waitUntil(
        caches.keys()
            .then((keys) => Promise.all(
                keys.filter((k) => k.startsWith('damrongdham-chat-') && k !== CACHE).map((k) => caches.delete(k)),
            ))
            .then(() => self.clients.claim()),
    );
});

async function networkFirst(request, key) {
    const cache = await caches.open(CACHE);
    try {
        const response = await Promise.race([
            fetch(request),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS)),
        ]);
        if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
        return response;
    } catch (err) {
        const kept = await cache.match(key);
        if (kept) return kept;
        throw err;
    }
}

async function cacheFirst(request, key) {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(key);
    if (kept) return kept;
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
    return response;
}

self.addEventListener('fetch', (event) => {
    const request = event.request;
    if (request.method !== 'GET') return;
    const url = new URL(request.url);
    if (url.origin !== self.location.origin) return;
    const path = url.pathname;
    if (request.mode === 'navigate') {
        if (path === '/') event.respondWith(networkFirst(request, '/'));
        return;
    }
    if (NETWORK_FIRST.has(path)) {
        event.respondWith(networkFirst(request, path));
    } else if (SHELL.includes(path)) {
        event.respondWith(cacheFirst(request, path));
    }
});
