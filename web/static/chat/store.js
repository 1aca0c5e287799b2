// Local storage of the web chat: messages (the outbox is the outgoing messages not yet
// acknowledged) and small settings. Citizen mode keeps them in IndexedDB so they survive
// a closed tab and an offline reload; anonymous mode keeps them in memory only.

const DB_NAME = 'damrongdham-chat';
const DB_VERSION = 1;

function promisify(req) {
    return new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
}

class IdbStore {
    constructor(db) {
        this.db = db;
        this.persistent = true;
    }

    static async open() {
        const req = indexedDB.open(DB_NAME, DB_VERSION);
        req.onupgradeneeded = () => {
            const db = req.result;
            if (!db.objectStoreNames.contains('messages')) {
                const messages = db.createObjectStore('messages', { keyPath: 'key' });
                messages.createIndex('state', 'state');
            }
            if (!db.objectStoreNames.contains('meta')) {
                db.createObjectStore('meta');
            }
        };
        return new IdbStore(await promisify(req));
    }

    _tx(name, mode) {
        return this.db.transaction(name, mode).objectStore(name);
    }

    async put(msg) {
        const tx = this.db.transaction('messages', 'readwrite');
        tx.objectStore('messages').put(msg);
        await new Promise((resolve, reject) => {
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
            tx.onabort = () => reject(tx.error);
        });
        return msg;
    }

    get(key) {
        return promisify(this._tx('messages', 'readonly').get(key));
    }

    all() {
        return promisify(this._tx('messages', 'readonly').getAll());
    }

    async pending() {
        const all = await this.all();
        return all
            .filter((m) => m.dir === 'out' && (m.state === 'waiting' || m.state === 'sent'))
            .sort((a, b) => a.at - b.at);
    }

    async getMeta(key, fallback = null) {
        const value = await promisify(this._tx('meta', 'readonly').get(key));
        return value === undefined ? fallback : value;
    }

    setMeta(key, value) {
        return promisify(this._tx('meta', 'readwrite').put(value, key));
    }

    async clear() {
        await promisify(this._tx('messages', 'readwrite').clear());
        await promisify(this._tx('meta', 'readwrite').clear());
    }
}

class MemoryStore {
    constructor() {
        this.messages = new Map();
        this.meta = new Map();
        this.persistent = false;
    }

    async put(msg) {
        this.messages.set(msg.key, { ...msg });
        return msg;
    }

    async get(key) {
        const m = this.messages.get(key);
        return m ? { ...m } : undefined;
    }

    async all() {
        return [...this.messages.values()].map((m) => ({ ...m }));
    }

    async pending() {
        return (await this.all())
            .filter((m) => m.dir === 'out' && (m.state === 'waiting' || m.state === 'sent'))
            .sort((a, b) => a.at - b.at);
    }

    async getMeta(key, fallback = null) {
        return this.meta.has(key) ? this.meta.get(key) : fallback;
    }

    async setMeta(key, value) {
        this.meta.set(key, value);
    }

    async clear() {
        this.messages.clear();
        this.meta.clear();
    }
}

/** IndexedDB when `persistent` and available, else memory. */
export async function openStore(persistent) {
    if (persistent && typeof indexedDB !== 'undefined') {
        try {
            return await IdbStore.open();
        } catch (err) {
            console.warn('IndexedDB unavailable; messages are kept in memory only', err);
        }
    }
    return new MemoryStore();
}

/** Small settings in localStorage (citizen mode only). */
export const prefs = {
    get(key, fallback = null) {
        try {
            const raw = localStorage.getItem(`dd.${key}`);
            return raw === null ? fallback : JSON.parse(raw);
        } catch {
            return fallback;
        }
    },
    set(key, value) {
        try {
            localStorage.setItem(`dd.${key}`, JSON.stringify(value));
        } catch {
            /* private mode or full: the chat still works for this visit */
        }
    },
    remove(key) {
        try {
            localStorage.removeItem(`dd.${key}`);
        } catch {
            /* ignore */
        }
    },
};

/** A message id that is unique across devices (XEP-0359 origin-id). */
export function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
