/** WebSocket close codes in words (RFC 6455 section 7.4, and the IANA registry). */
const closeWords: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status code',
  1006: 'abnormal closure: the connection was lost without a close frame',
  1007: 'invalid payload data (not UTF-8 in a text message)',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'an extension the client needs was not agreed',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
  1014: 'bad gateway',
  1015: 'TLS handshake failed',
};

/** `1000 normal closure`, `4001 application-defined`, `1099 reserved`. */
export function closeCodeWords(code: number): string {
  const known = closeWords[code];
  if (known) return `${code} ${known}`;
  if (code >= 4000 && code <= 4999) return `${code} application-defined`;
  if (code >= 3000 && code <= 3999) return `${code} registered for a library or framework`;
  return `${code} reserved`;
}

/** Whether a client may send this code in a close frame. */
export function sendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}
