/**
 * Orders two message ids (canonical decimal snowflakes) numerically: -1, 0 or 1.
 * A shorter decimal is a smaller number, so plain string order would be wrong
 * ("9" > "10"). Kept here rather than imported from the server's snowflake
 * library so the SDK bundle carries nothing but itself and socket.io-client.
 */
export function compareIds(a: string, b: string): -1 | 0 | 1 {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
