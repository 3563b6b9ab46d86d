'use strict';
// The Duplex demo page: an echo panel, a chat room and a frame log, in plain JavaScript.
// Everything received is shown with textContent, never as HTML: chat text is untrusted.

/** RFC 6455 7.4.1 and the IANA registry: close codes in words. */
const CLOSE_CODES = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status code received',
  1006: 'connection lost (no close frame)',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failure',
};

function closeInWords(code, reason) {
  let words = CLOSE_CODES[code];
  if (!words) {
    words = code >= 4000 && code <= 4999 ? 'application-defined' : code >= 3000 && code <= 3999 ? 'registered' : 'unknown';
  }
  return code + ' ' + words + (reason ? ' — ' + reason : '');
}

const $ = (id) => document.getElementById(id);
const wsBase = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
const utf8 = new TextEncoder();

function item(list, className, text, newestFirst) {
  const li = document.createElement('li');
  li.className = className;
  li.textContent = text;
  if (newestFirst) list.prepend(li); else list.append(li);
  while (list.children.length > 200) (newestFirst ? list.lastElementChild : list.firstElementChild).remove();
  if (!newestFirst) list.scrollTop = list.scrollHeight;
  return li;
}

function hexPreview(bytes) {
  const shown = Array.from(bytes.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > 16 ? shown + ' …' : shown;
}

/** One row of the frame log: which socket, direction, type, size and compression. */
function logFrame(socketName, direction, type, size, compressed, detail) {
  const li = document.createElement('li');
  li.className = direction === '↑' ? 'out' : direction === '↓' ? 'in' : 'info';
  const cells = [
    ['time', new Date().toLocaleTimeString()],
    ['socket', socketName],
    ['dir', direction],
    ['what', type],
    ['size', size === null ? '' : size + ' B'],
    ['compression', compressed],
    ['detail', detail],
  ];
  for (const [name, text] of cells) {
    const span = document.createElement('span');
    span.className = name;
    span.textContent = text;
    li.append(span);
  }
  const frames = $('frames');
  frames.prepend(li);
  while (frames.children.length > 300) frames.lastElementChild.remove();
}

/**
 * A WebSocket that comes back after the server goes away: waits base·2^n ms, capped, with
 * "equal jitter" (half fixed, half random) so that many pages do not all return at once.
 */
class ReconnectingSocket {
  constructor(name, url, handlers) {
    this.name = name;
    this.url = url;
    this.handlers = handlers;
    this.attempt = 0;
    this.baseMs = 500;
    this.capMs = 15000;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.timer);
    // duplex serve --demo-auth (demo-auth.js): every attempt fetches a fresh single-use ticket first.
    if (window.duplexAuth && !this.ticketUrl) {
      window.duplexAuth.url(this.url).then(
        (url) => { if (!this.stopped) { this.ticketUrl = url; this.connect(); } },
        (e) => this.handlers.closed('no ticket: ' + e.message, null));
      return;
    }
    const url = this.ticketUrl || this.url;
    this.ticketUrl = null;
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      logFrame(this.name, '•', 'open', null, this.compression(), ws.extensions ? 'extensions: ' + ws.extensions : 'no extensions');
      this.handlers.open(ws);
    };
    ws.onmessage = (e) => {
      const binary = typeof e.data !== 'string';
      const size = binary ? e.data.byteLength : utf8.encode(e.data).length;
      logFrame(this.name, '↓', binary ? 'binary' : 'text', size, this.compression(),
        binary ? hexPreview(new Uint8Array(e.data)) : e.data.slice(0, 80));
      this.handlers.message(e.data);
    };
    ws.onclose = (e) => {
      const words = closeInWords(e.code, e.reason);
      logFrame(this.name, '•', 'close', null, '', words + (e.wasClean ? '' : ' (not clean)'));
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) {
        this.handlers.closed(words, null);
        return;
      }
      const ceiling = Math.min(this.capMs, this.baseMs * 2 ** this.attempt);
      const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
      this.attempt++;
      this.handlers.closed(words, { delay, attempt: this.attempt });
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  /** Whether permessage-deflate was agreed; the browser does not say which messages it compressed. */
  compression() {
    return this.ws && this.ws.extensions.includes('permessage-deflate') ? 'deflate' : 'none';
  }

  send(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    const binary = typeof data !== 'string';
    const size = binary ? data.byteLength : utf8.encode(data).length;
    logFrame(this.name, '↑', binary ? 'binary' : 'text', size, this.compression(),
      binary ? hexPreview(new Uint8Array(data)) : data.slice(0, 80));
    return true;
  }

  stop(code, reason) {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(code, reason);
  }
}

function closedStatus(words, retry) {
  return 'closed: ' + words + (retry ? '; reconnecting in ' + (retry.delay / 1000).toFixed(1) + ' s (attempt ' + retry.attempt + ')' : '');
}

// --- Echo -------------------------------------------------------------------------------------

const echoLog = $('echo-log');
const echo = new ReconnectingSocket('echo', wsBase + '/echo', {
  open() { $('echo-status').textContent = 'open (' + echo.url + ')'; }, // without a ticket, if any
  message(data) {
    if (typeof data === 'string') item(echoLog, 'in', '← text: ' + data, true);
    else item(echoLog, 'in', '← binary: ' + data.byteLength + ' bytes: ' + hexPreview(new Uint8Array(data)), true);
  },
  closed(words, retry) { $('echo-status').textContent = closedStatus(words, retry); },
});

$('echo-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('echo-text').value;
  if (echo.send(text)) item(echoLog, 'out', '→ text: ' + text, true);
  else item(echoLog, 'bad', 'not connected', true);
});

$('echo-file').addEventListener('change', async () => {
  const file = $('echo-file').files[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  if (echo.send(bytes)) item(echoLog, 'out', '→ binary: ' + bytes.byteLength + ' bytes from ' + file.name, true);
  else item(echoLog, 'bad', 'not connected', true);
  $('echo-file').value = '';
});

// --- Chat -------------------------------------------------------------------------------------

const chatList = $('chat-messages');
let chatName = '';

function chatTime(millis) {
  const t = new Date(millis);
  return String(t.getHours()).padStart(2, '0') + ':' + String(t.getMinutes()).padStart(2, '0');
}

function showChatMessage(m) {
  const li = document.createElement('li');
  li.className = 'message';
  for (const [name, text] of [['time', chatTime(m.time) + ' '], ['name', m.name], ['text', ': ' + m.text]]) {
    const span = document.createElement('span');
    span.className = name;
    span.textContent = text;
    li.append(span);
  }
  chatList.append(li);
  chatList.scrollTop = chatList.scrollHeight;
}

function setChatEnabled(on) {
  $('chat-text').disabled = !on;
  $('chat-send').disabled = !on;
}

let chat = null;

function joinChat(name) {
  if (chat) chat.stop(1000, 'changing name');
  chatName = name;
  chat = new ReconnectingSocket('chat', wsBase + '/chat?name=' + encodeURIComponent(name), {
    open() { $('chat-status').textContent = 'connected'; },
    message(data) {
      if (typeof data !== 'string') return;
      const m = JSON.parse(data);
      if (m.type === 'welcome') {
        chatName = m.name;
        chatList.replaceChildren();
        m.history.forEach(showChatMessage);
        item(chatList, 'info', '* you joined as ' + m.name, false);
        $('chat-status').textContent = 'joined as ' + m.name;
        $('chat-members').textContent = '(' + m.members.length + ' here)';
        setChatEnabled(true);
      } else if (m.type === 'message') {
        showChatMessage(m);
      } else if (m.type === 'missed') {
        item(chatList, 'bad', '* you fell behind and missed ' + m.count + ' message(s)', false);
      } else if (m.type === 'refused') {
        item(chatList, 'bad', '* not posted: ' + m.reason, false);
      } else if (m.type === 'join' || m.type === 'leave') {
        item(chatList, 'info', '* ' + m.name + (m.type === 'join' ? ' joined' : ' left'), false);
        $('chat-members').textContent = '(' + m.count + ' here)';
      }
    },
    closed(words, retry) {
      setChatEnabled(false);
      $('chat-status').textContent = closedStatus(words, retry);
      item(chatList, 'bad', '* disconnected: ' + words, false);
    },
  });
  chat.connect();
}

$('chat-join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = $('chat-name').value.trim();
  if (name) joinChat(name);
});

$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-text').value.trim();
  if (text && chat && chat.send(text)) $('chat-text').value = '';
});

echo.connect();
window.duplexDemo = { echo, get chat() { return chat; }, closeInWords };
