// Damrongdham web chat: the citizen's page. Thai first; works on a cheap phone on a bad link.
//
// Citizen mode (default): a real account on citizens.D, made silently on the first visit
// (POST /chat/api/account) and kept in localStorage; messages and the outbox in IndexedDB.
// Anonymous mode (/?anon=1): SASL ANONYMOUS on anon.D; nothing kept beyond the page.
//
// Every message gets an XEP-0359 origin-id when it is written and keeps it through every
// resend, so the bot stores and answers it once however often it travels. States:
// waiting (in the outbox, not on a live connection) → sent (written to the socket) →
// received (the server acknowledged it with XEP-0198, or it is in the server's archive).

import { openStore, prefs, newId } from './store.js';
import { Link, bare } from './xmpp.js';

const root = document.getElementById('chat');
const cfg = root ? root.dataset : {};
const $ = (id) => document.getElementById(id);

const GENERAL = 'bot'; // the general entry bot.D: the bot finds the province in the text
const REF_LOCAL = /^th\d\d-\d{4}-\d{6}$/;
const OPENED = /เลขที่เรื่อง:\s*(TH\d\d-\d{4}-\d{6})/;
const PIN = /\(PIN\):\s*(\S+)/;
// Citizens' commands (bots/citizen.py) go to the centre address, not to a case address.
const COMMAND = /^\s*(สถานะ|ให้คะแนน|เปิดเรื่องใหม่|status\b|rate\b|reopen\b|[1-5๑-๕]\s*$)/i;
const MAX_CHARS = 8000; // the bot refuses longer messages (README, message rules)
const MAX_PHOTO = 10 * 1024 * 1024;
const PHOTO_EDGE = 1600;

const STATE_LABEL = {
    waiting: ['🕓', 'รอส่ง'],
    sent: ['✓', 'ส่งแล้ว'],
    received: ['✓✓', 'ถึงระบบแล้ว'],
    failed: ['⚠️', 'ส่งไม่สำเร็จ'],
};

const app = {
    mode: new URLSearchParams(location.search).has('anon') ? 'anon' : 'citizen',
    store: null,
    link: null,
    centres: [],
    bySlug: new Map(),
    byPrefix: new Map(),
    target: null, // a centre slug or GENERAL
    cases: {}, // ref -> {slug, pin, at}
    caseFor: {}, // slug -> ref of the case the conversation is about
    account: null,
    sentOn: new Set(), // origin-ids written to the current connection
    retryDelay: 1000,
    retryTimer: null,
    creating: false,
    flushing: false,
    flushAgain: false,
};

// -- small helpers ------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = v;
        else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) node.append(c);
    return node;
}

function persist() {
    if (app.mode !== 'citizen') return;
    prefs.set('cases', app.cases);
    prefs.set('caseFor', app.caseFor);
    prefs.set('target', app.target);
}

function status(state, th, en = '') {
    const s = $('chat-status');
    s.dataset.state = state;
    s.textContent = th;
    if (en) s.append(' ', el('span', { lang: 'en', class: 'en', text: en }));
}

function showStatus() {
    const online = navigator.onLine;
    const st = app.link ? app.link.state : 'offline';
    if (!cfg.websocketUrl) {
        status('unavailable', `แชตบนเว็บยังไม่เปิดให้บริการ ใช้แอปแชตตามวิธีด้านล่าง หรือโทร ${cfg.hotline}`);
    } else if (st === 'online' && online) {
        status('online', '🟢 เชื่อมต่อแล้ว', 'online');
    } else if (st === 'busy') {
        const s = Math.round(app.retryDelay / 1000);
        status('busy', `🟡 มีผู้ใช้จากเครือข่ายเดียวกับคุณจำนวนมาก จะลองเชื่อมต่อใหม่เองใน ${s} วินาที`,
            `busy: many people on your network; retrying by itself in ${s} s`);
    } else if (st === 'authfail') {
        status('authfail', '⚠️ เข้าสู่ระบบไม่สำเร็จ ตรวจสอบบัญชีในเมนู "บัญชีของฉัน"', 'sign-in failed');
    } else if (app.creating) {
        status('connecting', '🟡 กำลังสร้างบัญชีสำหรับเครื่องนี้…', 'creating an account');
    } else if (st === 'connecting' && online) {
        status('connecting', '🟡 กำลังเชื่อมต่อ…', 'connecting');
    } else {
        status('offline', '🔴 ออฟไลน์ ข้อความที่เขียนจะเก็บไว้และส่งให้เองเมื่อกลับมาออนไลน์',
            'offline: messages are kept and sent when you are back online');
    }
}

function centreLabel(slug) {
    if (slug === GENERAL) return 'ศูนย์ดำรงธรรม (ระบบหาจังหวัดให้)';
    const c = app.bySlug.get(slug);
    return c ? c.name_th : slug;
}

/** Which centre a bot address belongs to (a case address maps through its case). */
function slugFor(jid) {
    const [local, domain] = bare(jid).includes('@') ? bare(jid).split('@') : ['', bare(jid)];
    if (domain !== cfg.botDomain || !local) return GENERAL;
    if (app.bySlug.has(local)) return local;
    if (REF_LOCAL.test(local)) {
        const known = app.cases[local.toUpperCase()];
        if (known) return known.slug;
        const c = app.byPrefix.get(local.slice(0, 4).toUpperCase());
        return c ? c.slug : GENERAL;
    }
    return GENERAL;
}

function addressFor(slug, body) {
    const centre = slug === GENERAL ? cfg.botDomain : `${slug}@${cfg.botDomain}`;
    const ref = app.caseFor[slug];
    if (!ref || COMMAND.test(body)) return centre;
    return `${ref.toLowerCase()}@${cfg.botDomain}`;
}

// -- rendering -------------------------------------------------------------------------------

function linkify(parent, body) {
    const parts = body.split(/(https?:\/\/[^\s<>"]+)/g);
    for (const part of parts) {
        if (/^https?:\/\//.test(part)) {
            parent.append(el('a', { href: part, rel: 'noopener noreferrer', target: '_blank', text: part }));
        } else if (part) {
            parent.append(document.createTextNode(part));
        }
    }
}

function renderMessage(m) {
    const list = $('messages');
    let li = list.querySelector(`li[data-key="${CSS.escape(m.key)}"]`);
    const fresh = !li;
    if (fresh) li = el('li', { 'data-key': m.key });
    li.className = `msg ${m.dir}`;
    li.replaceChildren();
    li.dataset.at = String(m.at);
    if (m.oid) li.dataset.oid = m.oid;
    if (m.ref) li.dataset.ref = m.ref;
    const peer = m.dir === 'out' ? m.to : m.from;
    const who = el('div', { class: 'who small' });
    const slug = slugFor(peer);
    const local = bare(peer).split('@')[0];
    who.textContent = m.dir === 'out'
        ? `ถึง ${REF_LOCAL.test(local) ? `เรื่อง ${local.toUpperCase()}` : centreLabel(slug)}`
        : centreLabel(slug);
    li.append(who);
    if (m.thumb) {
        const img = el('img', { class: 'thumb', src: m.thumb, alt: 'รูปที่แนบ' });
        img.addEventListener('load', () => {
            const list = $('messages');
            if (list.lastElementChild === li) list.scrollTop = list.scrollHeight;
        });
        li.append(img);
    }
    const body = el('div', { class: 'body' });
    if (m.url && m.body === m.url) {
        body.append(el('a', { href: m.url, rel: 'noopener noreferrer', target: '_blank', text: '📎 ไฟล์แนบ / รูปภาพ' }));
    } else if (m.body) {
        linkify(body, m.body);
    } else if (m.photo) {
        body.textContent = '📷 รูปภาพ (รออัปโหลด)';
    }
    if (m.ref) {
        const card = el('div', { class: 'case-card' },
            el('span', { text: 'เลขที่เรื่อง ' }), el('strong', { class: 'ref', text: m.ref }));
        if (m.pin) card.append(el('span', { text: ' · PIN ' }), el('strong', { class: 'pin', text: m.pin }));
        li.append(card);
    }
    li.append(body);
    const meta = el('div', { class: 'meta small' });
    meta.append(new Date(m.at).toLocaleString('th-TH', { dateStyle: 'short', timeStyle: 'short' }));
    if (m.dir === 'out') {
        li.dataset.state = m.state;
        const [icon, label] = STATE_LABEL[m.state] || ['', m.state];
        meta.append(' ', el('span', { class: `state state-${m.state}`, title: label, text: `${icon} ${label}` }));
        if (m.state === 'failed') {
            const retry = el('button', { type: 'button', class: 'small-button', text: 'ส่งใหม่' });
            retry.addEventListener('click', () => retryMessage(m.key));
            meta.append(' ', retry);
        }
    }
    li.append(meta);
    if (fresh) {
        // keep the list in time order (history may arrive after newer local messages)
        const after = [...list.children].find((x) => Number(x.dataset.at) > m.at);
        list.insertBefore(li, after || null);
        if (!after) list.scrollTop = list.scrollHeight; // newest at the bottom, page stays put
    }
}

async function renderAll() {
    $('messages').replaceChildren();
    const all = (await app.store.all()).sort((a, b) => a.at - b.at);
    for (const m of all) renderMessage(m);
    $('messages').scrollTop = $('messages').scrollHeight;
}

function renderHeader() {
    const slug = app.target;
    $('conv-name').textContent = centreLabel(slug);
    const ref = app.caseFor[slug];
    $('conv-case').textContent = ref ? `เรื่อง ${ref}` : '';
    $('new-report').hidden = !ref;
    const c = app.bySlug.get(slug);
    const phone = (c && c.phone) || cfg.hotline;
    $('call-centre').href = `tel:${phone.replace(/[^0-9+]/g, '')}`;
    $('call-centre-label').textContent = c ? `โทรศูนย์ ${phone}` : 'โทรหาศูนย์';
    $('call-centre').hidden = phone === cfg.hotline; // the hotline button is right next to it
}

function showPicker() {
    $('pick').hidden = false;
    $('conv').hidden = true;
}

function choose(slug) {
    app.target = slug;
    persist();
    renderHeader();
    $('pick').hidden = true;
    $('conv').hidden = false;
    $('messages').scrollTop = $('messages').scrollHeight;
    $('compose-text').focus({ preventScroll: true });
}

function renderProvinceList(filter = '') {
    const norm = (s) => s.toLowerCase().replace(/\s+/g, '').replace(/^(จังหวัด|จ\.)/, '');
    const q = norm(filter);
    const list = $('province-list');
    list.replaceChildren();
    for (const c of app.centres) {
        const hay = norm(c.province_th) + norm(c.province_en) + c.slug;
        if (q && !hay.includes(q)) continue;
        const b = el('button', { type: 'button', 'data-slug': c.slug },
            el('span', { text: c.province_th }), ' ', el('span', { lang: 'en', class: 'en', text: c.province_en }));
        b.addEventListener('click', () => choose(c.slug));
        list.append(el('li', {}, b));
    }
    if (!list.children.length) list.append(el('li', { class: 'small', text: 'ไม่พบจังหวัดนี้' }));
}

// -- geolocation ------------------------------------------------------------------------------

function distanceKm(a, b) {
    const r = (x) => (x * Math.PI) / 180;
    const h = Math.sin(r(b.lat - a.lat) / 2) ** 2
        + Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(r(b.lon - a.lon) / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.sqrt(h));
}

function nearest() {
    const out = $('nearest-result');
    if (!navigator.geolocation) {
        out.textContent = 'เครื่องนี้หาตำแหน่งไม่ได้ เลือกจังหวัดจากรายการ';
        return;
    }
    out.textContent = 'กำลังหาตำแหน่ง…';
    navigator.geolocation.getCurrentPosition((pos) => {
        const me = { lat: pos.coords.latitude, lon: pos.coords.longitude };
        let best = null;
        for (const c of app.centres) {
            if (c.lat === null || c.lon === null) continue;
            const d = distanceKm(me, c);
            if (!best || d < best.d) best = { c, d };
        }
        if (!best) {
            out.textContent = 'ไม่พบศูนย์ เลือกจังหวัดจากรายการ';
            return;
        }
        out.textContent = `ใกล้ที่สุด: ${best.c.name_th} (ประมาณ ${Math.round(best.d)} กม.) ไม่ใช่จังหวัดของท่าน? แตะ "เปลี่ยนศูนย์"`;
        choose(best.c.slug);
        const note = el('li', { class: 'system small', text: out.textContent });
        $('messages').append(note);
    }, () => {
        out.textContent = 'ไม่ได้รับอนุญาตให้ใช้ตำแหน่ง เลือกจังหวัดจากรายการด้านล่าง';
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
}

// -- writing ------------------------------------------------------------------------------------

async function write(body, extra = {}) {
    const oid = newId();
    const m = {
        key: `o:${oid}`,
        oid,
        dir: 'out',
        to: addressFor(app.target, body),
        body,
        at: Date.now(),
        state: 'waiting',
        jid: null,
        ...extra,
    };
    await app.store.put(m); // in the outbox before anything is sent
    renderMessage(m);
    flush();
    return m;
}

async function retryMessage(key) {
    const m = await app.store.get(key);
    if (!m) return;
    m.state = 'waiting';
    app.sentOn.delete(m.oid);
    await app.store.put(m);
    renderMessage(m);
    flush();
}

async function onSubmit(ev) {
    ev.preventDefault();
    const box = $('compose-text');
    const body = box.value.trim();
    if (!body) return;
    if (body.length > MAX_CHARS) {
        alert(`ข้อความยาวเกิน ${MAX_CHARS} ตัวอักษร กรุณาแบ่งส่ง`);
        return;
    }
    box.value = '';
    await write(body);
}

function onSticker(ev) {
    const b = ev.currentTarget;
    const box = $('compose-text');
    box.value = `${b.dataset.text}\nสถานที่: `;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
}

async function shrink(file) {
    // A phone photo is several MB: send at most PHOTO_EDGE pixels as JPEG.
    try {
        const bitmap = await createImageBitmap(file);
        const scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        const blob = await new Promise((res) => canvas.toBlob(res, 'image/jpeg', 0.8));
        const t = document.createElement('canvas');
        const ts = Math.min(1, 240 / Math.max(canvas.width, canvas.height));
        t.width = Math.round(canvas.width * ts);
        t.height = Math.round(canvas.height * ts);
        t.getContext('2d').drawImage(canvas, 0, 0, t.width, t.height);
        return { blob: blob || file, thumb: t.toDataURL('image/jpeg', 0.6), mime: blob ? 'image/jpeg' : file.type };
    } catch {
        return { blob: file, thumb: null, mime: file.type || 'application/octet-stream' };
    }
}

async function onPhoto(ev) {
    const file = ev.target.files && ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    const { blob, thumb, mime } = await shrink(file);
    if (blob.size > MAX_PHOTO) {
        alert('ไฟล์ใหญ่เกิน 10 MB');
        return;
    }
    const ext = mime === 'image/jpeg' ? 'jpg' : (mime.split('/')[1] || 'bin').replace(/[^a-z0-9]/g, '');
    await write('', { photo: blob, thumb, mime, size: blob.size, filename: `photo-${Date.now()}.${ext}` });
}

// -- sending: the outbox ---------------------------------------------------------------------

/** An upload the server refused, with its Thai and English reason for the citizen. */
class UploadRefused extends Error {
    constructor(th, en) { super(en || th); this.th = th; this.en = en; }
}

/** Prosody's answer to a slot request (e.g. its quotas) as an UploadRefused. */
function slotRefusal(err) {
    const error = err && err.getElementsByTagName ? err.getElementsByTagName('error')[0] : null;
    if (!error) return err;
    const text = error.getElementsByTagName('text')[0];
    const why = text ? text.textContent : '';
    if (error.getElementsByTagName('resource-constraint').length) {
        return new UploadRefused('พื้นที่รับไฟล์เต็มแล้ว (โควตาอัปโหลด) โปรดส่งเป็นข้อความ หรือลองใหม่พรุ่งนี้',
            why || 'upload quota reached');
    }
    return new UploadRefused('เซิร์ฟเวอร์ไม่รับไฟล์นี้', why || 'upload refused');
}

async function uploadPhoto(m) {
    let slot;
    try {
        slot = await app.link.uploadSlot(cfg.uploadDomain, m.filename, m.size, m.mime);
    } catch (err) {
        throw slotRefusal(err);
    }
    const headers = { 'Content-Type': m.mime, 'X-Upload-Url': slot.put };
    for (const name of ['Authorization', 'Cookie', 'Expires']) {
        if (slot.headers[name]) headers[`X-Upload-${name}`] = slot.headers[name];
    }
    const res = await fetch(cfg.uploadUrl, { method: 'PUT', headers, body: m.photo });
    if (!res.ok) {
        const answer = await res.json().catch(() => null);
        if (answer && answer.message_th) throw new UploadRefused(answer.message_th, answer.message_en);
        throw new Error(`upload ${res.status}`);
    }
    m.url = slot.get;
    m.body = slot.get; // a bare link: the bridge relays it with XEP-0066
    delete m.photo;
    await app.store.put(m);
}

async function flushOnce() {
    const link = app.link;
    for (const m of await app.store.pending()) {
        if (!link.online || !navigator.onLine) return;
        if (m.jid && m.jid !== link.jid) continue; // written under another account
        if (app.sentOn.has(m.oid)) continue;
        if (link.unacked(m.oid)) { // resumed session: the library resends it itself
            app.sentOn.add(m.oid);
            continue;
        }
        if (m.photo && !m.url) {
            try {
                await uploadPhoto(m);
            } catch (err) {
                console.warn('photo upload failed; will retry', err);
                if (err instanceof UploadRefused) status('upload-refused', `⚠️ ${err.th}`, err.en);
                return;
            }
        }
        link.sendMessage({ to: m.to, body: m.body, oid: m.oid, url: m.url || null });
        app.sentOn.add(m.oid);
        m.state = 'sent';
        m.jid = link.jid;
        await app.store.put(m);
        renderMessage(m);
    }
}

async function flush() {
    if (app.flushing) {
        app.flushAgain = true;
        return;
    }
    app.flushing = true;
    try {
        do {
            app.flushAgain = false;
            if (!app.link || !app.link.online || !navigator.onLine) return;
            // One tab at a time sends the outbox (a second tab would only resend the same
            // origin-ids, which the bot drops, but there is no need to).
            if (navigator.locks && app.mode === 'citizen') {
                await navigator.locks.request('damrongdham-outbox', flushOnce);
            } else {
                await flushOnce();
            }
        } while (app.flushAgain);
    } finally {
        app.flushing = false;
    }
}

async function markReceived(oid) {
    const m = await app.store.get(`o:${oid}`);
    if (!m || m.state === 'received') return;
    m.state = 'received';
    delete m.photo;
    await app.store.put(m);
    renderMessage(m);
}

async function onAcked() {
    for (const oid of app.sentOn) {
        if (!app.link.unacked(oid)) await markReceived(oid);
    }
}

// -- receiving --------------------------------------------------------------------------------

async function ingest(msg, fromArchive = false) {
    const me = app.link ? app.link.jid : '';
    if (bare(msg.from) === me || (!msg.from && fromArchive)) {
        // our own message, from the archive (this device or another)
        const oid = msg.originId || msg.id;
        if (!oid) return;
        const known = await app.store.get(`o:${oid}`);
        if (known) {
            if (known.state !== 'received') await markReceived(oid);
            return;
        }
        const m = { key: `o:${oid}`, oid, dir: 'out', to: bare(msg.to), body: msg.body || '', url: msg.url, at: msg.at, state: 'received', jid: me };
        await app.store.put(m);
        renderMessage(m);
        return;
    }
    if (msg.error && msg.id) {
        const mine = await app.store.get(`o:${msg.id}`);
        if (mine) { // the server could not deliver it (e.g. the bot is down)
            mine.state = 'failed';
            app.sentOn.delete(mine.oid);
            await app.store.put(mine);
            renderMessage(mine);
            return;
        }
    }
    const key = msg.stanzaId ? `s:${msg.stanzaId}` : `m:${bare(msg.from)}:${msg.id || msg.at}`;
    if (await app.store.get(key)) return;
    const slug = slugFor(msg.from);
    const body = msg.error ? `ส่งข้อความไม่สำเร็จ (${msg.body || 'error'})` : msg.body;
    const m = { key, dir: 'in', from: bare(msg.from), body, url: msg.url, at: msg.at, slug };
    const opened = body && body.match(OPENED);
    if (opened) {
        const ref = opened[1];
        const pin = body.match(PIN);
        m.ref = ref;
        m.pin = pin ? pin[1] : null;
        const centre = app.byPrefix.get(ref.slice(0, 4));
        const owner = slug === GENERAL && centre ? centre.slug : slug;
        app.cases[ref] = { slug: owner, pin: m.pin, at: msg.at };
        // follow-ups go to the case address while this conversation is about that case
        if (!app.caseFor[slug] || (app.cases[app.caseFor[slug]] || {}).at <= msg.at) {
            app.caseFor[slug] = ref;
        }
        persist();
        renderHeader();
        renderCases();
    }
    await app.store.put(m);
    renderMessage(m);
    // a signed-in second device: open the conversation the history is about
    if (!app.target) choose(slug);
}

async function syncArchive() {
    if (app.mode !== 'citizen') return;
    try {
        const after = await app.store.getMeta('mamLast');
        let last;
        try {
            last = await app.link.archive((m) => ingest(m, true), after);
        } catch (err) {
            if (!after) throw err;
            last = await app.link.archive((m) => ingest(m, true), null); // id expired
        }
        if (last) await app.store.setMeta('mamLast', last);
    } catch (err) {
        console.warn('archive sync failed', err);
    }
}

async function pushProfile() {
    const profile = prefs.get('profile');
    if (!profile || !profile.pending || !app.link.online) return;
    try {
        await app.link.setVCard(profile);
        profile.pending = false;
        prefs.set('profile', profile);
        $('profile-result').textContent = 'บันทึกแล้ว';
    } catch {
        $('profile-result').textContent = 'ยังบันทึกไม่ได้ จะลองใหม่';
    }
}

// -- the connection -------------------------------------------------------------------------------

function scheduleReconnect() {
    clearTimeout(app.retryTimer);
    if (!navigator.onLine) return; // the 'online' event brings us back
    app.retryTimer = setTimeout(connect, app.retryDelay);
    app.retryDelay = Math.min(app.retryDelay * 2, 30000);
}

async function onStatus(state) {
    showStatus();
    if (state === 'online') {
        app.retryDelay = 1000;
        app.busyDelay = 0;
        app.sentOn = new Set();
        await flush();
        if (!app.link.resumed) await syncArchive();
        await pushProfile();
        await flush();
    } else if (state === 'offline') {
        if (app.link && app.link.wanted) scheduleReconnect();
    } else if (state === 'busy') {
        // Asked to wait: at least 30 s, doubling to 5 minutes, with jitter so that the
        // phones behind one address do not all come back in the same second.
        clearTimeout(app.retryTimer);
        app.busyDelay = Math.min(Math.max((app.busyDelay || 15000) * 2, 30000), 300000);
        app.retryDelay = Math.round(app.busyDelay * (0.8 + 0.4 * Math.random()));
        showStatus();
        app.retryTimer = setTimeout(connect, app.retryDelay);
    }
}

async function createAccount() {
    app.creating = true;
    showStatus();
    try {
        const res = await fetch(cfg.accountUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: '{}',
            cache: 'no-store',
        });
        if (!res.ok) throw new Error(`account ${res.status}`);
        const data = await res.json();
        app.account = { jid: data.jid, password: data.password, created: Date.now() };
        prefs.set('account', app.account);
        renderAccount();
        return true;
    } catch (err) {
        console.warn('account creation failed; will retry', err);
        return false;
    } finally {
        app.creating = false;
        showStatus();
    }
}

async function connect() {
    clearTimeout(app.retryTimer);
    if (!cfg.websocketUrl || !navigator.onLine) {
        showStatus();
        return;
    }
    if (app.mode === 'anon') {
        if (!app.link.wanted) app.link.start(cfg.anonDomain, null);
        else app.link.kick();
        return;
    }
    if (!app.account) {
        if (app.creating) return;
        if (!(await createAccount())) {
            scheduleReconnect();
            return;
        }
    }
    if (!app.link.wanted) app.link.start(app.account.jid, app.account.password);
    else app.link.kick();
}

// -- account panel --------------------------------------------------------------------------------

function renderAccount() {
    const has = app.mode === 'citizen' && app.account;
    $('account-info').hidden = !has;
    if (has) {
        $('account-jid').textContent = app.account.jid;
        $('account-password').textContent = app.account.password;
    }
    const profile = prefs.get('profile') || {};
    $('profile-name').value = profile.name || '';
    $('profile-phone').value = profile.phone || '';
    $('profile-email').value = profile.email || '';
}

function renderCases() {
    const list = $('my-cases');
    list.replaceChildren();
    const refs = Object.keys(app.cases).sort((a, b) => app.cases[b].at - app.cases[a].at);
    for (const ref of refs) {
        const c = app.cases[ref];
        const li = el('li', {}, el('strong', { text: ref }));
        if (c.pin) li.append(` · PIN ${c.pin}`);
        li.append(` · ${centreLabel(c.slug)}`);
        list.append(li);
    }
    $('my-cases-box').hidden = !refs.length;
}

function credentialsText() {
    return `ศูนย์ดำรงธรรม แชต · Damrongdham Chat\nที่อยู่ (JID): ${app.account.jid}\nรหัสผ่าน (password): ${app.account.password}\n`;
}

function wireAccount() {
    $('show-password').addEventListener('click', () => {
        const p = $('account-password');
        p.hidden = !p.hidden;
        $('show-password').textContent = p.hidden ? 'แสดง' : 'ซ่อน';
    });
    $('copy-credentials').addEventListener('click', async () => {
        try {
            await navigator.clipboard.writeText(credentialsText());
            $('copy-credentials').textContent = 'คัดลอกแล้ว';
        } catch {
            $('account-password').hidden = false;
        }
    });
    $('save-credentials').addEventListener('click', () => {
        const a = el('a', {
            href: `data:text/plain;charset=utf-8,${encodeURIComponent(credentialsText())}`,
            download: 'damrongdham-chat-account.txt',
        });
        document.body.append(a);
        a.click();
        a.remove();
    });
    $('profile-form').addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const profile = {
            name: $('profile-name').value.trim(),
            phone: $('profile-phone').value.trim(),
            email: $('profile-email').value.trim(),
            pending: true,
        };
        prefs.set('profile', profile);
        $('profile-result').textContent = 'จะบันทึกเมื่อเชื่อมต่อ';
        if (app.link && app.link.online) await pushProfile();
    });
    $('signin-form').addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const jid = $('signin-jid').value.trim().toLowerCase();
        const password = $('signin-password').value;
        if (!/^[^@\s/]+@[^@\s/]+$/.test(jid) || !password) {
            $('signin-result').textContent = 'กรอกที่อยู่ (เช่น w…@citizens…) และรหัสผ่าน';
            return;
        }
        await signIn({ jid, password, created: Date.now() });
    });
    $('signout').addEventListener('click', async () => {
        const pending = await app.store.pending();
        const warn = pending.length
            ? `ยังมีข้อความรอส่ง ${pending.length} ข้อความ จะถูกลบด้วย `
            : '';
        if (!confirm(`${warn}ลบบัญชีและข้อความทั้งหมดออกจากเครื่องนี้? (บัญชียังอยู่ที่เซิร์ฟเวอร์ เข้าสู่ระบบใหม่ได้ถ้าบันทึกรหัสผ่านไว้)`)) return;
        await forget();
        location.reload();
    });
}

async function forget() {
    if (app.link) app.link.stop();
    await app.store.clear();
    for (const k of ['account', 'cases', 'caseFor', 'target', 'profile']) prefs.remove(k);
}

async function signIn(account) {
    $('signin-result').textContent = 'กำลังเข้าสู่ระบบ…';
    const probe = new Link(cfg.websocketUrl, false, {
        onStatus: async (state) => {
            if (state === 'online') {
                probe.stop();
                await forget();
                prefs.set('account', account);
                location.reload();
            } else if (state === 'authfail') {
                $('signin-result').textContent = 'ที่อยู่หรือรหัสผ่านไม่ถูกต้อง';
            } else if (state === 'offline' && probe.wanted) {
                probe.wanted = false;
                $('signin-result').textContent = 'เชื่อมต่อไม่ได้ ลองใหม่เมื่อออนไลน์';
            }
        },
        onMessage: () => {},
        onAcked: () => {},
    });
    probe.start(account.jid, account.password);
}

// -- start ------------------------------------------------------------------------------------------

async function loadCentres() {
    const res = await fetch(cfg.centresUrl);
    const data = await res.json();
    app.centres = data.centres;
    for (const c of app.centres) {
        app.bySlug.set(c.slug, c);
        app.byPrefix.set(c.ref_prefix, c);
    }
}

async function main() {
    if (!root) return;
    if ('serviceWorker' in navigator && cfg.swUrl) {
        navigator.serviceWorker.register(cfg.swUrl, { scope: '/' }).catch((err) => console.warn('service worker', err));
    }
    app.store = await openStore(app.mode === 'citizen');
    try {
        await loadCentres();
    } catch (err) {
        status('unavailable', `โหลดรายชื่อศูนย์ไม่ได้ ลองใหม่ภายหลัง หรือโทร ${cfg.hotline}`);
        return;
    }
    if (app.mode === 'citizen') {
        app.account = prefs.get('account');
        app.cases = prefs.get('cases', {});
        app.caseFor = prefs.get('caseFor', {});
        app.target = prefs.get('target');
    }
    document.body.classList.add(`mode-${app.mode}`);
    $(app.mode === 'anon' ? 'mode-anon' : 'mode-citizen').setAttribute('aria-current', 'page');
    $('anon-note').hidden = app.mode !== 'anon';
    $('account').hidden = app.mode !== 'citizen';
    $('chat-app').hidden = false;

    renderProvinceList();
    $('province-search').addEventListener('input', (ev) => renderProvinceList(ev.target.value));
    $('nearest').addEventListener('click', nearest);
    $('pick-general').addEventListener('click', () => choose(GENERAL));
    $('change-centre').addEventListener('click', showPicker);
    $('new-report').addEventListener('click', () => {
        delete app.caseFor[app.target];
        persist();
        renderHeader();
        $('compose-text').focus();
    });
    $('compose').addEventListener('submit', onSubmit);
    $('compose-text').addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) $('compose').requestSubmit();
    });
    $('photo').addEventListener('change', onPhoto);
    for (const b of document.querySelectorAll('.sticker')) b.addEventListener('click', onSticker);
    for (const b of document.querySelectorAll('.chat-here')) {
        b.hidden = false;
        b.addEventListener('click', () => {
            choose(b.dataset.slug);
            root.scrollIntoView({ behavior: 'smooth' });
        });
    }
    wireAccount();
    renderAccount();
    renderCases();

    if (app.target && (app.target === GENERAL || app.bySlug.has(app.target))) choose(app.target);
    else showPicker();
    await renderAll();

    if (!cfg.websocketUrl) {
        showStatus();
        return;
    }
    app.link = new Link(cfg.websocketUrl, app.mode === 'anon', {
        onStatus,
        onMessage: (m) => ingest(m),
        onAcked,
    });
    window.addEventListener('online', () => {
        app.retryDelay = 1000;
        showStatus();
        if (app.link.online) flush();
        else connect();
    });
    window.addEventListener('offline', () => {
        // No network: the socket cannot be alive. Drop it (the server keeps the session
        // resumable) so nothing is written to a dead link.
        app.link.drop();
        showStatus();
    });
    document.addEventListener('visibilitychange', () => {
        // a phone waking up: check the link at once rather than at the next ping
        if (document.visibilityState !== 'visible') return;
        if (app.link.online) app.link.ping();
        else connect();
    });
    window.addEventListener('pagehide', () => {
        if (app.mode === 'anon') app.link.stop(); // nothing to come back to
    });
    showStatus();
    connect();
}

window.damrongdhamChat = app; // for people debugging on a phone, and the browser tests
main();
