// The chat page: libs/client in the browser, every chat action an `rpc` to the chat backend through Spear.
import { connect } from '/spear-client.js';

/** A template per kind: what the message box starts with when the kind is picked. */
const TEMPLATES = {
  text: { text: 'hello' },
  news: { title: 'Spear 1.1 is out', url: 'https://example.com/news' },
  voice: { url: 'https://example.com/voice.ogg', seconds: 5 },
  image: { url: 'https://example.com/cat.png', width: 640, height: 480 },
  redpacket: { amount: 8.88, greeting: 'good luck' },
  emoji: { code: ':smile:' },
  link: { url: 'https://example.com', title: 'a link' },
  video: { url: 'https://example.com/clip.mp4', seconds: 30 },
  contact: { uid: 'carol', name: 'Carol' },
};

/** One line per kind, as a chat app would render it. */
function render(m) {
  switch (m.kind) {
    case 'text': return m.text;
    case 'news': return `📰 ${m.title} (${m.url})`;
    case 'voice': return `🎤 voice ${m.seconds}s`;
    case 'image': return `🖼 image ${m.width}×${m.height}`;
    case 'redpacket': return `🧧 ${m.amount} · ${m.greeting}`;
    case 'emoji': return m.code;
    case 'link': return `🔗 ${m.title ?? m.url}`;
    case 'video': return `🎬 video ${m.seconds}s`;
    case 'contact': return `👤 ${m.name} (${m.uid})`;
    default: return JSON.stringify(m);
  }
}

const $ = (id) => document.getElementById(id);
let client;

function show(envelope) {
  if (!envelope || envelope.chat !== 1) return;
  const li = document.createElement('li');
  li.textContent = `${envelope.room ? `#${envelope.room} ` : ''}${envelope.from}: ${render(envelope.message)}`;
  $('messages').prepend(li);
}

async function refreshRooms() {
  const { rooms } = await client.rpc('chat.rooms.list');
  $('rooms').textContent = rooms.length ? rooms.join(', ') : 'none';
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: $('uid').value }) });
  const { uid, token, error } = await res.json();
  if (error) return ($('status').textContent = error);
  client = await connect({ ticketUrl: `${location.origin}/ticket`, uid, token });
  client.on('msg', (m) => show(m.body));
  client.on('group', (m) => show(m.body));
  client.on('reconnected', ({ node }) => ($('node').textContent = node));
  $('me').textContent = uid;
  $('node').textContent = client.session?.node ?? '';
  $('login').hidden = true;
  $('chat').hidden = false;
  const { kinds } = await client.rpc('chat.kinds');
  for (const kind of kinds) $('kind').append(new Option(kind, kind));
  $('payload').value = JSON.stringify(TEMPLATES.text);
  await refreshRooms();
});

$('kind').addEventListener('change', () => ($('payload').value = JSON.stringify(TEMPLATES[$('kind').value] ?? {})));

$('join').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await client.rpc('chat.rooms.join', { room: $('room').value });
    // The membership reaches this user's other connections within a second; this one joins now (and rejoins after reconnects).
    await client.join(`room:${$('room').value}`);
    await refreshRooms();
    $('status').textContent = `joined ${$('room').value}`;
  } catch (error) {
    $('status').textContent = `join refused: ${error.code}: ${error.message}`;
  }
});

$('send').addEventListener('submit', async (e) => {
  e.preventDefault();
  const to = $('to').value.trim();
  let fields;
  try {
    fields = JSON.parse($('payload').value);
  } catch {
    return ($('status').textContent = 'the message is not JSON');
  }
  const message = { kind: $('kind').value, ...fields };
  try {
    const { id } = await client.rpc('chat.send', to.startsWith('#') ? { room: to.slice(1), message } : { to, message });
    $('status').textContent = `sent (${id})`;
    if (!to.startsWith('#')) show({ chat: 1, from: 'me', message });
  } catch (error) {
    $('status').textContent = `refused: ${error.code}: ${error.message}`;
  }
});
