/**
 * What a TLS handshake established, as plain data: protocol, cipher, ALPN, the certificate chain
 * field by field, and whether it is to be trusted, with the reason in words when not. The engine
 * connects with rejectUnauthorized false and decides here, after the handshake, before a request
 * byte is written.
 */
import {createHash, X509Certificate} from 'node:crypto';
import type {DetailedPeerCertificate, PeerCertificate, TLSSocket} from 'node:tls';
import {tls} from '../builtin-on-use.js';
import {insecureHint} from './errors.js';
import type {TlsCertificate, TlsInfo, TlsProblem} from './types.js';

export type TlsContext = {
  /** The host the URL names (brackets stripped), which the certificate must be valid for. */
  host: string;
  servername: string | undefined;
  insecure: boolean;
  /** curl --pinnedpubkey: base64 SHA-256 hashes, `sha256//` before each optional. */
  pinnedPublicKeys?: string[];
  clientCertificate: boolean;
  /** Date.now() to count days from; the present by default. */
  now?: number;
};

const dayMs = 24 * 60 * 60 * 1000;

/** Describes the session of a socket whose handshake just completed. */
export function describeTls(socket: TLSSocket, context: TlsContext): TlsInfo {
  const now = context.now ?? Date.now();
  const cipher = socket.getCipher();
  const peers = peerChain(socket);
  const x509s = peers.map((peer) => new X509Certificate(peer.raw));
  const chain = x509s.map((certificate) => describeCertificate(certificate, now));
  const info: TlsInfo = {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.standardName || cipher.name,
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : undefined,
    servername: context.servername,
    chain,
    verified: false,
    insecure: context.insecure,
    clientCertificate: context.clientCertificate,
  };
  const leaf = chain[0];
  const [leafPeer] = peers;

  let code = verificationCode(socket.authorized, socket.authorizationError);
  if (code === undefined && leafPeer === undefined) code = 'NO_PEER_CERTIFICATE';
  // Node checks the name only when tls.connect was given a host to check; check it here as well.
  if (code === undefined && leafPeer !== undefined) {
    const mismatch = tls().checkServerIdentity(context.host, leafPeer);
    if (mismatch !== undefined) {
      code = (mismatch as NodeJS.ErrnoException).code ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
    }
  }

  const pins = (context.pinnedPublicKeys ?? [])
    .flatMap((pin) => pin.split(';'))
    .map((pin) => pin.trim().replace(/^sha256\/\//, ''))
    .filter((pin) => pin !== '');
  if (pins.length > 0)
    info.pinned = leaf?.publicKeySha256 !== undefined && pins.includes(leaf.publicKeySha256);

  if (code !== undefined) {
    const {problem, reason} = explain(code, chain, x509s, context.host, now);
    Object.assign(info, {problem, reason, code});
  } else if (info.pinned === false) {
    Object.assign(info, {
      problem: 'pinned-key-mismatch',
      reason: pinReason(leaf, pins.length),
      code: 'PINNED_PUBLIC_KEY_MISMATCH',
    });
  } else {
    info.verified = true;
  }
  return info;
}

/**
 * The line that stops the exchange, or undefined when it may go on: a chain or name that did not
 * verify, unless insecure; a pinned key that did not match, always (curl -k does not skip a pin).
 */
export function tlsFailure(info: TlsInfo, where: string): string | undefined {
  if (info.pinned === false) {
    const leaf = info.chain[0];
    const reason =
      info.problem === 'pinned-key-mismatch' && info.reason !== undefined
        ? info.reason
        : pinReason(leaf, undefined);
    return `${where}: ${reason}`;
  }
  if (info.verified || info.insecure) return undefined;
  return `${where}: ${info.reason ?? 'certificate could not be verified'} ${insecureHint}`;
}

/** The handshake as curl -v tells it, one info line each (without curl's `* `). */
export function tlsTranscript(info: TlsInfo): string[] {
  const lines = [`SSL connection using ${info.protocol} / ${info.cipher}`];
  if (info.alpn !== undefined) lines.push(`ALPN: server accepted ${info.alpn}`);
  const leaf = info.chain[0];
  if (leaf !== undefined) {
    lines.push(
      'Server certificate:',
      ` subject: ${leaf.subject}`,
      ` start date: ${opensslDate(leaf.validFrom)}`,
      ` expire date: ${opensslDate(leaf.validTo)}`,
    );
    // Like curl -k, which does not check the name, insecure mode says nothing of it.
    const names = info.insecure ? undefined : nameLine(info, leaf);
    if (names !== undefined) lines.push(names);
    lines.push(` issuer: ${leaf.issuer}`);
  }
  const chainProblem =
    info.problem !== undefined && info.problem !== 'pinned-key-mismatch' ? info : undefined;
  if (chainProblem === undefined) lines.push(' SSL certificate verify ok.');
  else if (info.insecure) {
    lines.push(` SSL certificate verify result: ${verifyWords(info, true)}, continuing anyway.`);
  } else if (info.problem === 'name-mismatch')
    lines.push(`SSL: ${info.reason ?? 'host name mismatch'}`);
  else lines.push(` SSL certificate problem: ${verifyWords(info, false)}`);
  if (info.pinned !== undefined && leaf?.publicKeySha256 !== undefined) {
    lines.push(` public key hash: sha256//${leaf.publicKeySha256}`);
    if (!info.pinned) lines.push('SSL: public key does not match pinned public key');
  }
  if (info.clientCertificate) lines.push('client certificate presented');
  return lines;
}

/** curl's line on the name check: which of the certificate's names the host matched. */
function nameLine(info: TlsInfo, leaf: TlsCertificate): string | undefined {
  if (info.problem === 'name-mismatch') {
    return ` subjectAltName does not match ${info.servername ?? 'the host'}`;
  }
  const matched = info.servername === undefined ? undefined : matchingName(leaf, info.servername);
  if (matched !== undefined)
    return ` subjectAltName: host "${info.servername}" matched cert's "${matched}"`;
  return leaf.subjectAltNames.length > 0
    ? ` subjectAltName: ${leaf.subjectAltNames.join(', ')}`
    : undefined;
}

/** `expires in 10 days`, `expired 3 days ago`, from whole days left (rounded down). */
export function daysLeftWords(daysLeft: number): string {
  if (daysLeft === 0) return 'expires within a day';
  if (daysLeft === -1) return 'expired within the last day';
  if (daysLeft > 0) return `expires in ${daysLeft} ${daysLeft === 1 ? 'day' : 'days'}`;
  return `expired ${-daysLeft} days ago`;
}

/** Below this many days left a certificate is shown as a warning. */
export const soonDays = 14;

/** The leaf, then the issuers Node found: in the server's chain first, then in the trust store. */
function peerChain(socket: TLSSocket): PeerCertificate[] {
  const chain: PeerCertificate[] = [];
  const seen = new Set<PeerCertificate>();
  let peer: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (peer !== undefined && Buffer.isBuffer(peer.raw) && !seen.has(peer)) {
    seen.add(peer);
    chain.push(peer);
    // A self-signed certificate is its own issuer: Node points issuerCertificate back at it.
    peer = peer.issuerCertificate;
  }
  return chain;
}

function describeCertificate(certificate: X509Certificate, now: number): TlsCertificate {
  const validTo = Date.parse(certificate.validTo);
  // A key of a kind Node cannot load (publicKey throws) still leaves the rest of the certificate.
  const publicKey = attempt(() => certificate.publicKey);
  const spki = publicKey && attempt(() => publicKey.export({type: 'spki', format: 'der'}));
  return {
    subject: oneLineName(certificate.subject),
    issuer: oneLineName(certificate.issuer),
    subjectAltNames: splitAltNames(certificate.subjectAltName),
    validFrom: isoDate(certificate.validFrom),
    validTo: isoDate(certificate.validTo),
    daysLeft: Math.floor((validTo - now) / dayMs),
    ...(publicKey ? keyDescription(publicKey) : {keyType: 'unknown', keyBits: undefined}),
    fingerprint256: certificate.fingerprint256,
    ...(spki && {publicKeySha256: createHash('sha256').update(spki).digest('base64')}),
    serialNumber: certificate.serialNumber,
    selfSigned:
      certificate.checkIssued(certificate) &&
      publicKey !== undefined &&
      attempt(() => certificate.verify(publicKey)) === true,
    isCA: certificate.ca,
  };
}

function attempt<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch {
    return undefined;
  }
}

const curveBits: Record<string, number> = {
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
};

function keyDescription(key: X509Certificate['publicKey']): {
  keyType: string;
  keyBits: number | undefined;
} {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
    case 'dsa':
      return {keyType: key.asymmetricKeyType.toUpperCase(), keyBits: details.modulusLength};
    case 'ec':
      return {
        keyType: `EC (${details.namedCurve ?? 'unknown curve'})`,
        keyBits: details.namedCurve === undefined ? undefined : curveBits[details.namedCurve],
      };
    case 'ed25519':
      return {keyType: 'Ed25519', keyBits: 256};
    case 'ed448':
      return {keyType: 'Ed448', keyBits: 456};
    default:
      return {keyType: key.asymmetricKeyType ?? 'unknown', keyBits: undefined};
  }
}

/** Node's `CN=a\nO=b` as `CN=a, O=b`. */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** `DNS:a, IP Address:1.2.3.4` as a list; a quoted name with a comma in it stays whole. */
function splitAltNames(altNames: string | undefined): string[] {
  if (altNames === undefined || altNames === '') return [];
  return altNames.match(/(?:[^,"]|"(?:\\.|[^"\\])*")+/g)?.map((name) => name.trim()) ?? [];
}

function isoDate(opensslTime: string): string {
  const ms = Date.parse(opensslTime);
  return Number.isNaN(ms) ? opensslTime : new Date(ms).toISOString();
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO 8601 back in OpenSSL's words, as curl prints dates: `Dec  1 21:32:14 2026 GMT`. */
function opensslDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = date.toISOString().slice(11, 19);
  return `${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)} ${time} ${date.getUTCFullYear()} GMT`;
}

/** YYYY-MM-DD, the date a person reads. */
function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Node gives the reason a chain was not authorized as a code string (typed as an Error). */
function verificationCode(authorized: boolean, reason: unknown): string | undefined {
  if (typeof reason === 'string' && reason !== '') return reason;
  if (reason instanceof Error) {
    const {code} = reason as NodeJS.ErrnoException;
    return typeof code === 'string' ? code : reason.message;
  }
  return authorized ? undefined : 'UNKNOWN_VERIFICATION_ERROR';
}

type Explained = {problem: TlsProblem; reason: string};

function explain(
  code: string,
  chain: TlsCertificate[],
  x509s: X509Certificate[],
  host: string,
  now: number,
): Explained {
  const leaf = chain[0];
  const leafSubject = leaf?.subject ?? 'the server';
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return {problem: 'self-signed', reason: `certificate is self-signed (${leafSubject})`};
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      const root = chain.find((certificate) => certificate.selfSigned);
      return {
        problem: 'self-signed-in-chain',
        reason: `certificate chains up to a self-signed certificate that is not trusted${root ? `: ${root.subject}` : ''}`,
      };
    }
    case 'CERT_HAS_EXPIRED': {
      const expired = chain.findIndex((certificate) => Date.parse(certificate.validTo) < now);
      const certificate = chain[expired];
      if (certificate === undefined) {
        return {problem: 'expired', reason: 'a certificate of the chain has expired'};
      }
      return {
        problem: 'expired',
        reason: `${whichCertificate(chain, expired)} ${daysLeftWords(certificate.daysLeft)} (${day(certificate.validTo)})`,
      };
    }
    case 'CERT_NOT_YET_VALID': {
      const early = chain.findIndex((certificate) => Date.parse(certificate.validFrom) > now);
      const certificate = chain[early];
      if (certificate === undefined) {
        return {problem: 'not-yet-valid', reason: 'a certificate of the chain is not valid yet'};
      }
      const days = Math.floor((Date.parse(certificate.validFrom) - now) / dayMs);
      const when = days < 1 ? 'within a day' : `in ${days} ${days === 1 ? 'day' : 'days'}`;
      return {
        problem: 'not-yet-valid',
        reason: `${whichCertificate(chain, early)} is not valid until ${day(certificate.validFrom)} (${when})`,
      };
    }
    case 'NO_PEER_CERTIFICATE':
      return {problem: 'other', reason: 'the server sent no certificate'};
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH': {
      const names = validNames(leaf);
      return {
        problem: 'name-mismatch',
        reason: `certificate is for ${names.length === 0 ? 'no host name' : names.join(', ')}, not ${host}`,
      };
    }
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return unknownIssuer(chain, x509s);
    default:
      return {
        problem: 'other',
        reason: `certificate is not trusted: ${opensslWords[code]?.[1] ?? code}`,
      };
  }
}

/**
 * The issuer of the top of the chain is not known. When that top is the leaf itself and the leaf
 * says where its issuer's certificate is published (Authority Information Access, which public
 * CAs put in every leaf they sign from an intermediate), the server left the intermediate out. A
 * leaf that names no such place is most often signed straight by a private root (mkcert, a test
 * CA) that is simply not trusted here.
 */
function unknownIssuer(chain: TlsCertificate[], x509s: X509Certificate[]): Explained {
  const top = chain.at(-1);
  const topX509 = x509s.at(-1);
  if (top === undefined || topX509 === undefined) {
    return {problem: 'unknown-issuer', reason: "certificate's issuer is not trusted"};
  }
  const issuerUrl = /CA Issuers - URI:(\S+)/.exec(topX509.infoAccess ?? '')?.[1];
  if (chain.length === 1 && !top.isCA && top.issuer !== top.subject && issuerUrl !== undefined) {
    return {
      problem: 'missing-intermediate',
      reason: `the server sent no intermediate certificate for ${top.subject} (issued by ${top.issuer}, published at ${issuerUrl})`,
    };
  }
  return {
    problem: 'unknown-issuer',
    reason: `certificate's issuer is not trusted: ${top.issuer}${chain.length === 1 ? ' (the server sent no certificate for it)' : ''}`,
  };
}

function pinReason(leaf: TlsCertificate | undefined, pins: number | undefined): string {
  const hash = leaf?.publicKeySha256 === undefined ? '' : ` (sha256//${leaf.publicKeySha256})`;
  const of =
    pins === undefined || pins === 1
      ? 'the pinned public key'
      : `any of the ${pins} pinned public keys`;
  return `certificate's public key${hash} does not match ${of}`;
}

/** The DNS names and addresses a certificate is valid for, the common name when it has none. */
function validNames(certificate: TlsCertificate | undefined): string[] {
  if (certificate === undefined) return [];
  const names = certificate.subjectAltNames
    .filter((name) => /^(DNS|IP Address):/.test(name))
    .map((name) => name.replace(/^(DNS|IP Address):/, ''));
  if (names.length > 0) return names;
  const commonName = /(?:^|, )CN=([^,]*)/.exec(certificate.subject)?.[1];
  return commonName === undefined ? [] : [commonName];
}

/** `certificate for localhost` for the leaf, `issuer certificate CN=…` for one above it. */
function whichCertificate(chain: TlsCertificate[], index: number): string {
  return index === 0
    ? `certificate for ${certificateName(chain[0])}`
    : `issuer certificate ${chain[index]?.subject ?? ''}`;
}

function certificateName(certificate: TlsCertificate | undefined): string {
  return validNames(certificate)[0] ?? certificate?.subject ?? 'the server';
}

/** The certificate's name that a host name matched, as curl names it (`*.example.com` for a wildcard). */
function matchingName(certificate: TlsCertificate, host: string): string | undefined {
  const wanted = host.toLowerCase();
  return validNames(certificate).find((name) => {
    const candidate = name.toLowerCase();
    if (candidate === wanted) return true;
    if (!candidate.startsWith('*.')) return false;
    const dot = wanted.indexOf('.');
    return dot > 0 && wanted.slice(dot) === candidate.slice(1);
  });
}

/** OpenSSL's verification codes: its number and its words, as curl prints them. */
const opensslWords: Record<string, [number, string]> = {
  UNABLE_TO_GET_ISSUER_CERT: [2, 'unable to get issuer certificate'],
  CERT_SIGNATURE_FAILURE: [7, 'certificate signature failure'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_REVOKED: [23, 'certificate revoked'],
  INVALID_CA: [24, 'invalid CA certificate'],
  PATH_LENGTH_EXCEEDED: [25, 'path length constraint exceeded'],
  INVALID_PURPOSE: [26, 'unsupported certificate purpose'],
  CERT_UNTRUSTED: [27, 'certificate not trusted'],
  CERT_REJECTED: [28, 'certificate rejected'],
};

/** `self-signed certificate (18)` for a chain code; the reason itself for the name and the rest. */
function verifyWords(info: TlsInfo, numbered: boolean): string {
  const known = info.code === undefined ? undefined : opensslWords[info.code];
  if (known !== undefined) return numbered ? `${known[1]} (${known[0]})` : known[1];
  return info.reason ?? info.code ?? 'not verified';
}
