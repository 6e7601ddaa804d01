/** Hiding credentials before a header or URL is shown, so a screen share or a recording does not leak them. */

const hidden = '••••••••';
const hiddenShort = '••••';

const secretHeaderWords = /token|secret|key|password|passwd|auth|credential|session/i;
const secretParamWords = /token|key|secret|passw|pwd|sig|credential/i;

/** A header value as it may be shown: credentials replaced by dots, everything else unchanged. */
export function maskSecrets(headerName: string, value: string): string {
  const name = headerName.trim().toLowerCase();
  if (value === '') return value;
  if (name === 'authorization' || name === 'proxy-authorization') return maskCredentials(value);
  if (name === 'cookie') return maskCookiePairs(value);
  if (name === 'set-cookie') return maskSetCookie(value);
  // Challenges name a scheme and realm; they carry no secret and say why a request was refused.
  if (name === 'www-authenticate' || name === 'proxy-authenticate') return value;
  if (secretHeaderWords.test(name)) return hidden;
  return value;
}

/** `Bearer abc` -> `Bearer ••••••••`: the scheme says what kind of credential it is without giving it away. */
function maskCredentials(value: string): string {
  const match = /^(\s*[A-Za-z][\w.-]*)\s+\S/.exec(value);
  return match?.[1] === undefined ? hidden : `${match[1]} ${hidden}`;
}

/** `a=1; b=2` -> `a=••••; b=••••`. */
function maskCookiePairs(value: string): string {
  return value
    .split(';')
    .map((pair) => maskPair(pair))
    .join(';');
}

/** `sid=abc; Path=/; HttpOnly` -> `sid=••••; Path=/; HttpOnly`: only the first pair is the cookie. */
function maskSetCookie(value: string): string {
  const end = value.indexOf(';');
  if (end === -1) return maskPair(value);
  return maskPair(value.slice(0, end)) + value.slice(end);
}

function maskPair(pair: string): string {
  const equals = pair.indexOf('=');
  if (equals === -1) return pair.trim() === '' ? pair : hiddenShort;
  return `${pair.slice(0, equals + 1)}${hiddenShort}`;
}

/**
 * A URL as it may be shown: the password of its user info and the values of query parameters named
 * like credentials (token, key, secret, password, sig…) replaced by dots. The rest keeps its
 * spelling, so the URL stays recognisable; text that is not a URL is masked as far as it looks like one.
 */
export function maskUrl(url: string): string {
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt === -1 ? undefined : beforeHash.slice(queryAt + 1);
  return maskUserInfo(base) + (query === undefined ? '' : '?' + maskQuery(query)) + fragment;
}

function maskUserInfo(base: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/]*)@/.exec(base);
  if (match?.[1] === undefined || match[2] === undefined) return base;
  const userInfo = match[2];
  const colon = userInfo.indexOf(':');
  if (colon === -1) return base;
  return `${match[1]}${userInfo.slice(0, colon + 1)}${hiddenShort}@${base.slice(match[0].length)}`;
}

function maskQuery(query: string): string {
  return query
    .split('&')
    .map((parameter) => {
      const equals = parameter.indexOf('=');
      if (equals === -1) return parameter;
      const name = decodeLoosely(parameter.slice(0, equals));
      return secretParamWords.test(name)
        ? `${parameter.slice(0, equals + 1)}${hiddenShort}`
        : parameter;
    })
    .join('&');
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}
