/**
 * curl's cookie files (the Netscape format): reading the cookies that apply to a URL (-b FILE)
 * and writing the ones a response set (-c FILE).
 */
import type {HeaderList} from '../types.js';

type CookieIo = {readFile(file: string): Promise<Uint8Array>};

type Cookie = {
  domain: string;
  subdomains: boolean;
  path: string;
  secure: boolean;
  /** Seconds since the epoch; 0 for a session cookie. */
  expires: number;
  name: string;
  value: string;
  httpOnly: boolean;
};

function parseCookieFile(text: string): Cookie[] {
  const cookies: Cookie[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const httpOnly = raw.startsWith('#HttpOnly_');
    const line = httpOnly ? raw.slice('#HttpOnly_'.length) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [domain, subdomains, path, secure, expires, name, value = ''] = line.split('\t');
    if (domain === undefined || name === undefined || path === undefined) continue;
    cookies.push({
      domain: domain.replace(/^\./, '').toLowerCase(),
      subdomains: subdomains === 'TRUE',
      path,
      secure: secure === 'TRUE',
      expires: Number(expires) || 0,
      name,
      value,
      httpOnly,
    });
  }
  return cookies;
}

function applies(cookie: Cookie, url: URL, now: number): boolean {
  const host = url.hostname.toLowerCase();
  const domainMatch =
    host === cookie.domain || (cookie.subdomains && host.endsWith(`.${cookie.domain}`));
  const pathMatch =
    url.pathname === cookie.path ||
    url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`);
  return (
    domainMatch &&
    pathMatch &&
    (!cookie.secure || url.protocol === 'https:') &&
    (cookie.expires === 0 || cookie.expires > now)
  );
}

/** The Cookie header a cookie file gives for a URL; as curl, a file that cannot be read gives none. */
export async function cookieFileHeader(
  file: string,
  url: URL,
  io: CookieIo,
): Promise<{header?: string; note?: string}> {
  let text: string;
  try {
    text = Buffer.from(await io.readFile(file)).toString('utf8');
  } catch {
    return {note: `cookie file ${file} could not be read; no cookies from it`};
  }
  const now = Date.now() / 1000;
  const chosen = parseCookieFile(text).filter((cookie) => applies(cookie, url, now));
  // Longer paths first, as RFC 6265 orders them.
  chosen.sort((a, b) => b.path.length - a.path.length);
  if (chosen.length === 0) return {};
  return {header: chosen.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')};
}

function setCookie(header: string, url: URL, now: number): Cookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const equals = pair.indexOf('=');
  if (equals <= 0) return undefined;
  const cookie: Cookie = {
    domain: url.hostname.toLowerCase(),
    subdomains: false,
    path: url.pathname.replace(/\/[^/]*$/, '') || '/',
    secure: false,
    expires: 0,
    name: pair.slice(0, equals).trim(),
    value: pair.slice(equals + 1).trim(),
    httpOnly: false,
  };
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.split('=');
    const value = rest.join('=').trim();
    switch (key.trim().toLowerCase()) {
      case 'domain':
        if (value !== '') {
          cookie.domain = value.replace(/^\./, '').toLowerCase();
          cookie.subdomains = true;
        }
        break;
      case 'path':
        if (value.startsWith('/')) cookie.path = value;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'max-age': {
        const seconds = Number(value);
        if (Number.isFinite(seconds)) cookie.expires = Math.floor(now + seconds);
        break;
      }
      case 'expires': {
        const at = Date.parse(value);
        if (!Number.isNaN(at) && cookie.expires === 0) cookie.expires = Math.floor(at / 1000);
        break;
      }
    }
  }
  return cookie;
}

/** A cookie jar (-c) holding what the file had and what the response set, newest winning. */
export function cookieJarText(
  existing: string | undefined,
  url: URL,
  headers: HeaderList,
  now = Date.now() / 1000,
): string {
  const cookies = existing === undefined ? [] : parseCookieFile(existing);
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    const cookie = setCookie(value, url, now);
    if (cookie === undefined) continue;
    const same = cookies.findIndex(
      (each) =>
        each.name === cookie.name && each.domain === cookie.domain && each.path === cookie.path,
    );
    if (same !== -1) cookies.splice(same, 1);
    cookies.push(cookie);
  }
  const live = cookies.filter((cookie) => cookie.expires === 0 || cookie.expires > now);
  const lines = live.map((cookie) =>
    [
      (cookie.httpOnly ? '#HttpOnly_' : '') + (cookie.subdomains ? '.' : '') + cookie.domain,
      cookie.subdomains ? 'TRUE' : 'FALSE',
      cookie.path,
      cookie.secure ? 'TRUE' : 'FALSE',
      String(cookie.expires),
      cookie.name,
      cookie.value,
    ].join('\t'),
  );
  return ['# Netscape HTTP Cookie File', '# Written by porthole.', '', ...lines, ''].join('\n');
}
