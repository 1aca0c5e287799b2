// The XMPP side of the web chat, on Strophe.js (served from web/node_modules, never a CDN).
// One Link = one account's connection over Prosody's WebSocket, with XEP-0198 stream
// management (server acknowledgements, resumption after a dropped link), XEP-0199 pings to
// notice a dead link, XEP-0313 archive queries, XEP-0363 upload slots and vcard-temp.

import { Strophe, $iq, $msg, $pres, MemoryStorageBackend } from '/chat/lib/strophe.esm.js';

export const NS = {
    SID: 'urn:xmpp:sid:0',
    MAM: 'urn:xmpp:mam:2',
    RSM: 'http://jabber.org/protocol/rsm',
    FORWARD: 'urn:xmpp:forward:0',
    DELAY: 'urn:xmpp:delay',
    OOB: 'jabber:x:oob',
    UPLOAD: 'urn:xmpp:http:upload:0',
    PING: 'urn:xmpp:ping',
    SM: 'urn:xmpp:sm:3',
    VCARD: 'vcard-temp',
    DATA: 'jabber:x:data',
};

Strophe.setLogLevel(Strophe.LogLevel.WARN);

const PING_EVERY_MS = 25000;
const PING_TIMEOUT_MS = 10000;
const IQ_TIMEOUT_MS = 20000;

export const bare = (jid) => Strophe.getBareJidFromJid(jid || '') || '';

function child(el, name, ns) {
    for (const c of el.children || []) {
        if (c.localName === name && (!ns || c.namespaceURI === ns || c.getAttribute('xmlns') === ns)) {
            return c;
        }
    }
    return null;
}

function text(el, name, ns) {
    const c = el ? child(el, name, ns) : null;
    return c ? c.textContent : null;
}

/** A received message as plain data (live or from the archive). */
export function parseMessage(el, stamp = null, archiveId = null) {
    const origin = child(el, 'origin-id', NS.SID);
    let stanzaId = archiveId;
    if (!stanzaId) {
        const sid = child(el, 'stanza-id', NS.SID);
        if (sid) stanzaId = sid.getAttribute('id');
    }
    const oob = child(el, 'x', NS.OOB);
    const delay = child(el, 'delay', NS.DELAY);
    const when = stamp || (delay && delay.getAttribute('stamp'));
    return {
        from: el.getAttribute('from') || '',
        to: el.getAttribute('to') || '',
        type: el.getAttribute('type') || 'normal',
        id: el.getAttribute('id') || '',
        originId: origin ? origin.getAttribute('id') : null,
        stanzaId,
        body: text(el, 'body'),
        url: oob ? text(oob, 'url') : null,
        error: el.getAttribute('type') === 'error',
        at: when ? Date.parse(when) : Date.now(),
    };
}

export class Link {
    /**
     * @param url - the WebSocket URL (ws://…/xmpp-websocket)
     * @param anonymous - SASL ANONYMOUS on the anon host; XEP-0198 state kept in memory only
     * @param events - onStatus(state, detail), onMessage(parsed), onAcked(), onArchived(parsed)
     */
    constructor(url, anonymous, events) {
        this.url = url;
        this.anonymous = anonymous;
        this.events = events;
        const sm = { maxUnacked: 1 };
        if (anonymous) sm.storage = new MemoryStorageBackend();
        this.conn = new Strophe.Connection(url, { enableStreamManagement: true, streamManagement: sm });
        this.state = 'offline';
        this.wanted = false;
        this.generation = 0;
        this._pinger = null;
    }

    get online() {
        return this.state === 'online';
    }

    get jid() {
        return bare(this.conn.jid);
    }

    get resumed() {
        return this.conn.hasResumed();
    }

    get streamManagement() {
        return this.conn.isStreamManagementEnabled ? this.conn.isStreamManagementEnabled() : false;
    }

    /** Connect (again) with these credentials; a citizen JID + password, or the anon host. */
    start(jid, password) {
        this.wanted = true;
        this.creds = { jid, password };
        this._connect();
    }

    _connect() {
        if (!this.wanted || this.state === 'connecting' || this.state === 'online') return;
        this._setState('connecting');
        const gen = ++this.generation;
        this.conn.connect(this.creds.jid, this.creds.password, (status, condition, elem) => {
            if (gen !== this.generation) return; // a superseded attempt
            // a SASL <failure/> names its reason in its first child (<temporary-auth-failure/>)
            const reason = condition || (elem && elem.firstElementChild ? elem.firstElementChild.localName : null);
            this._status(status, reason);
        });
    }

    _status(status, condition) {
        const S = Strophe.Status;
        if (status === S.CONNECTED || status === S.ATTACHED) {
            this._handlers();
            if (!this.conn.hasResumed()) {
                this.conn.send($pres()); // available: the server delivers what waited offline
            }
            this._setState('online', { resumed: this.conn.hasResumed() });
            this._startPings();
        } else if (status === S.AUTHFAIL && condition === 'temporary-auth-failure') {
            // The server asks to wait (too many anonymous sessions or failed logins from
            // this network, e.g. many phones behind one carrier address): still wanted.
            this._stopPings();
            this._setState('busy', { condition });
        } else if (status === S.AUTHFAIL) {
            this.wanted = false;
            this._stopPings();
            this._setState('authfail', { condition });
        } else if (status === S.CONNFAIL || status === S.ERROR) {
            this._stopPings();
            this._setState('offline', { condition });
        } else if (status === S.DISCONNECTED) {
            this._stopPings();
            this._setState('offline', { condition });
        }
    }

    _setState(state, detail = {}) {
        this.state = state;
        this.events.onStatus(state, detail);
    }

    _handlers() {
        const c = this.conn;
        c.addHandler((el) => this._onMessage(el), null, 'message', null);
        // A server acknowledgement (XEP-0198 <a/>): the library updates its queue of
        // unacknowledged stanzas in its own handler; look after it has run.
        c.addHandler(() => {
            setTimeout(() => this.events.onAcked(), 0);
            return true;
        }, NS.SM, 'a', null);
    }

    _onMessage(el) {
        const result = child(el, 'result', NS.MAM);
        if (result) {
            const fwd = child(result, 'forwarded', NS.FORWARD);
            const inner = fwd && child(fwd, 'message');
            if (inner && this._mamSink) {
                const delay = child(fwd, 'delay', NS.DELAY);
                this._mamSink(parseMessage(inner, delay && delay.getAttribute('stamp'), result.getAttribute('id')));
            }
            return true;
        }
        const m = parseMessage(el);
        if (m.body !== null || m.error) this.events.onMessage(m);
        return true;
    }

    _startPings() {
        this._stopPings();
        this._pinger = setInterval(() => this.ping(), PING_EVERY_MS);
    }

    _stopPings() {
        if (this._pinger) clearInterval(this._pinger);
        this._pinger = null;
    }

    /** XEP-0199: no answer in time means the link is dead (a phone's network changed). */
    ping() {
        if (!this.online) return;
        const iq = $iq({ type: 'get', to: Strophe.getDomainFromJid(this.conn.jid) }).c('ping', { xmlns: NS.PING });
        this.conn.sendIQ(iq, () => {}, (err) => {
            if (err === null) this.drop(); // timeout (an error reply still proves the link)
        }, PING_TIMEOUT_MS);
    }

    /** Close the socket without ending the session, so XEP-0198 can resume it. */
    drop() {
        if (this.state === 'offline') return;
        this.generation++;
        this._stopPings();
        try {
            this.conn._doDisconnect('dropped');
        } catch (err) {
            console.warn('drop', err);
        }
        this._setState('offline', { condition: 'dropped' });
    }

    /** Reconnect now if wanted and not connected. */
    kick() {
        if (this.wanted && this.state !== 'online' && this.state !== 'connecting') this._connect();
    }

    /** End the session for good (sign-out, switching mode). */
    stop() {
        this.wanted = false;
        this.generation++;
        this._stopPings();
        try {
            if (this.conn.connected) this.conn.disconnect('bye');
            this.conn.reset();
        } catch (err) {
            console.warn('stop', err);
        }
        this._setState('offline', { condition: 'stopped' });
    }

    /** Send a chat message; `oid` is its XEP-0359 origin-id (also the stanza id). */
    sendMessage({ to, body, oid, url }) {
        const m = $msg({ to, type: 'chat', id: oid }).c('body').t(body).up()
            .c('origin-id', { xmlns: NS.SID, id: oid }).up();
        if (url) m.c('x', { xmlns: NS.OOB }).c('url').t(url).up().up();
        this.conn.send(m);
        this.conn.flush();
    }

    /** Whether a stanza with this id is still waiting for the server's acknowledgement. */
    unacked(oid) {
        const sm = this.conn.sm;
        if (!sm || !sm.state || !sm.state.unacked) return false;
        const needle = `id="${oid}"`;
        return sm.state.unacked.some((entry) => entry.stanza.includes(needle));
    }

    iq(stanza) {
        return new Promise((resolve, reject) => {
            this.conn.sendIQ(stanza, resolve, (err) => reject(err || new Error('timeout')), IQ_TIMEOUT_MS);
        });
    }

    /**
     * XEP-0313: fetch the own archive. With `after` (an archive id), every message since;
     * otherwise the newest `max`. Each message goes to `sink`; returns the last id seen.
     */
    async archive(sink, after = null, max = 100) {
        let last = after;
        let pages = 0;
        this._mamSink = sink;
        try {
            for (;;) {
                const iq = $iq({ type: 'set' }).c('query', { xmlns: NS.MAM, queryid: `q${Date.now()}` })
                    .c('set', { xmlns: NS.RSM }).c('max').t(String(max)).up();
                if (last) iq.c('after').t(last).up();
                else iq.c('before').up();
                const res = await this.iq(iq.tree());
                const fin = child(res, 'fin', NS.MAM);
                const set = fin && child(fin, 'set', NS.RSM);
                const lastId = set && text(set, 'last');
                if (lastId) last = lastId;
                pages += 1;
                // Paging forward from a known id goes on until complete; the newest page
                // of a new device is enough.
                if (!after || !fin || fin.getAttribute('complete') === 'true' || !lastId || pages > 20) break;
            }
        } finally {
            this._mamSink = null;
        }
        return last;
    }

    /** XEP-0363: an upload slot on the upload service. */
    async uploadSlot(service, filename, size, type) {
        const iq = $iq({ type: 'get', to: service }).c('request', {
            xmlns: NS.UPLOAD, filename, size: String(size), 'content-type': type,
        });
        const res = await this.iq(iq.tree());
        const slot = child(res, 'slot', NS.UPLOAD);
        const put = slot && child(slot, 'put', NS.UPLOAD);
        const get = slot && child(slot, 'get', NS.UPLOAD);
        if (!put || !get) throw new Error('no slot');
        const headers = {};
        for (const h of put.children) {
            if (h.localName === 'header') headers[h.getAttribute('name')] = h.textContent;
        }
        return { put: put.getAttribute('url'), get: get.getAttribute('url'), headers };
    }

    /** vcard-temp: the citizen's name, e-mail and phone on their own account. */
    setVCard({ name, email, phone }) {
        const iq = $iq({ type: 'set' }).c('vCard', { xmlns: NS.VCARD });
        if (name) iq.c('FN').t(name).up();
        if (phone) iq.c('TEL').c('VOICE').up().c('NUMBER').t(phone).up().up();
        if (email) iq.c('EMAIL').c('INTERNET').up().c('USERID').t(email).up().up();
        return this.iq(iq.tree());
    }
}
