import { describe, expect, it } from 'vitest';
import { CHAT_KINDS, chatMessage, sendSchemaFor } from './messages';

describe('chat messages', () => {
  it("knows the seed's nine kinds and accepts a well-formed one of each", () => {
    expect(CHAT_KINDS).toEqual(['text', 'news', 'voice', 'image', 'redpacket', 'emoji', 'link', 'video', 'contact']);
    const good = [
      { kind: 'text', text: 'hi' },
      { kind: 'news', title: 'Spear 1.1', url: 'https://example.com/n' },
      { kind: 'voice', url: 'https://example.com/v.ogg', seconds: 12 },
      { kind: 'image', url: 'https://example.com/i.png', width: 640, height: 480 },
      { kind: 'redpacket', amount: 8.88, greeting: 'happy new year' },
      { kind: 'emoji', code: ':smile:' },
      { kind: 'link', url: 'https://example.com' },
      { kind: 'video', url: 'https://example.com/v.mp4', seconds: 90 },
      { kind: 'contact', uid: 'carol', name: 'Carol' },
    ];
    for (const m of good) expect(chatMessage.safeParse(m).success, m.kind).toBe(true);
  });

  it('refuses unknown kinds, missing or extra fields, bad urls and bounds', () => {
    const bad = [
      { kind: 'fax', text: 'x' },
      { kind: 'text' },
      { kind: 'text', text: '   ' },
      { kind: 'text', text: 'x'.repeat(4001) },
      { kind: 'text', text: 'hi', extra: 1 },
      { kind: 'image', url: 'not a url', width: 1, height: 1 },
      { kind: 'redpacket', amount: -1, greeting: 'x' },
      { kind: 'emoji', code: 'smile' },
      { kind: 'voice', url: 'https://e.x/v', seconds: 0 },
      null,
    ];
    for (const m of bad) expect(chatMessage.safeParse(m).success, JSON.stringify(m)).toBe(false);
  });

  it('sends to a user or to a room, never both', () => {
    const message = { kind: 'text', text: 'hi' };
    const check = (data: object) => sendSchemaFor(data).safeParse(data);
    expect(check({ to: 'bob', message }).success).toBe(true);
    expect(check({ room: 'lobby', message }).success).toBe(true);
    expect(check({ to: 'bob', room: 'lobby', message }).success).toBe(false);
    expect(check({ room: 'Not A Room', message }).success).toBe(false);
    const bad = check({ to: 'bob', message: { kind: 'image', url: 'https://e.x/i.png' } });
    expect(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.'))).toEqual(['message.width', 'message.height']);
  });
});
