/**
 * The Request pane's tls tab: the session, the verdict with its reason, and the chain certificate
 * by certificate. Pure, and every field from the certificate goes through the sanitizer. A line
 * that warns starts with ⚠, one that reports a failure with ✗, so the words say it without colour
 * and the pane colours them by that mark (lineTone).
 */
import {daysLeftWords, soonDays} from '../../request/tls-info.js';
import type {RequestResult, TlsCertificate, TlsInfo} from '../../request/types.js';
import {sanitizeLine} from '../../sanitize.js';

export type LineTone = 'warning' | 'error';

const warningMark = '⚠ ';
const errorMark = '✗ ';

/** Whether a line of the tls tab is a warning or an error, by its mark. */
export function lineTone(line: string): LineTone | undefined {
  const text = line.trimStart();
  if (text.startsWith(errorMark)) return 'error';
  if (text.startsWith(warningMark)) return 'warning';
  return undefined;
}

/** The tone of a certificate's days left: an error once expired, a warning under two weeks. */
export function daysLeftTone(daysLeft: number): LineTone | undefined {
  if (daysLeft < 0) return 'error';
  return daysLeft < soonDays ? 'warning' : undefined;
}

/** `cert 10 d left`, `cert expired 3 d ago`, for the status line. */
export function certificateDaysShort(daysLeft: number): string {
  return daysLeft < 0 ? `cert expired ${-daysLeft} d ago` : `cert ${daysLeft} d left`;
}

/**
 * The last exchange's session: result.tls, or when the certificate was refused (the exchange
 * stopped after the handshake) what the tls event of that exchange told.
 */
export function sessionOf(result: RequestResult): TlsInfo | undefined {
  if (result.tls !== undefined) return result.tls;
  const last = result.events.reduce((most, event) => Math.max(most, event.exchange), 0);
  const told = result.events.findLast((event) => event.type === 'tls' && event.exchange === last);
  return told?.type === 'tls' ? told.tls : undefined;
}

export function tlsLines(result: RequestResult): string[] {
  const tls = sessionOf(result);
  if (tls === undefined) return withoutSession(result);
  const lines = [
    sanitizeLine(
      [
        `${tls.protocol} · ${tls.cipher}`,
        tls.alpn === undefined ? 'no ALPN protocol agreed' : `ALPN ${tls.alpn}`,
        tls.servername === undefined ? 'no SNI (an address)' : `SNI ${tls.servername}`,
      ].join(' · '),
    ),
    verdict(tls),
  ];
  if (tls.pinned !== undefined) {
    lines.push(
      tls.pinned
        ? 'pinned public key: matches'
        : `${errorMark}pinned public key: does not match (insecure mode does not skip this)`,
    );
  }
  lines.push(`client certificate: ${tls.clientCertificate ? 'presented' : 'none presented'}`);
  lines.push('', `certificate chain (${tls.chain.length}), leaf first:`);
  tls.chain.forEach((certificate, index) => {
    lines.push(...certificateLines(certificate, index, tls));
  });
  if (tls.chain.length === 0) lines.push('  (the server sent no certificate)');
  return lines;
}

function verdict(tls: TlsInfo): string {
  if (tls.verified) return 'verified: the chain is trusted and the name matches';
  const reason = sanitizeLine(tls.reason ?? tls.code ?? 'not verified');
  if (tls.problem === 'pinned-key-mismatch') return `${errorMark}not trusted: ${reason}`;
  if (tls.insecure) return `${warningMark}NOT VERIFIED, went on in insecure mode: ${reason}`;
  return `${errorMark}not verified: ${reason}`;
}

/** Node puts the trusted root it verified against at the end, whether or not the server sent it. */
function role(certificate: TlsCertificate, index: number, tls: TlsInfo): string {
  if (index === 0) return 'leaf';
  if (!certificate.selfSigned) return 'intermediate';
  if (tls.problem === 'self-signed-in-chain') return 'root, sent by the server, not trusted';
  return 'root (trusted; from the local store unless the server sent it)';
}

function certificateLines(certificate: TlsCertificate, index: number, tls: TlsInfo): string[] {
  const field = (label: string, value: string) => sanitizeLine(`   ${label.padEnd(9)} ${value}`);
  const lines = [
    sanitizeLine(`#${index} ${role(certificate, index, tls)}: ${certificate.subject}`),
  ];
  if (certificate.subjectAltNames.length > 0) {
    lines.push(field('names', certificate.subjectAltNames.join(', ')));
  }
  lines.push(
    field('issuer', certificate.selfSigned ? `${certificate.issuer} (itself)` : certificate.issuer),
    field('valid', `${shortTime(certificate.validFrom)} → ${shortTime(certificate.validTo)}`),
  );
  const tone = daysLeftTone(certificate.daysLeft);
  const days = daysLeftWords(certificate.daysLeft);
  lines.push(
    tone === 'error'
      ? `   ${errorMark}${days}`
      : tone === 'warning'
        ? `   ${warningMark}${days} — soon`
        : `   ${days}`,
  );
  lines.push(
    field(
      'key',
      `${certificate.keyType}${certificate.keyBits === undefined ? '' : `, ${certificate.keyBits} bits`}${certificate.isCA ? ' · CA' : ''}`,
    ),
    field('sha256', certificate.fingerprint256),
  );
  // curl --pinnedpubkey checks the server's own key, so only the leaf's is worth copying.
  if (index === 0 && certificate.publicKeySha256 !== undefined) {
    lines.push(field('pin', `sha256//${certificate.publicKeySha256}`));
  }
  lines.push(field('serial', certificate.serialNumber));
  return lines;
}

/** `2026-12-01 21:31 UTC` from ISO 8601. */
function shortTime(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso)
    ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
    : iso;
}

/** No session to show: plain http, or a handshake that never completed. */
function withoutSession(result: RequestResult): string[] {
  const url = result.response?.url;
  if (url !== undefined) {
    return /^http:/i.test(url)
      ? ['no TLS: plain http']
      : ['no TLS details were recorded for this response'];
  }
  if (result.error?.code === 'tls' || (result.error && result.connection)) {
    const lines = [`${errorMark}no TLS session: ${sanitizeLine(result.error.message)}`];
    const peer = result.connection;
    if (peer !== undefined) {
      lines.push(sanitizeLine(`connected to ${peer.remoteAddress}:${peer.remotePort} first`));
    } else if (result.dns?.connected !== undefined) {
      lines.push(sanitizeLine(`connected to ${result.dns.connected} first`));
    }
    return lines;
  }
  return [sanitizeLine(`no TLS session: ${result.error?.message ?? 'no connection was made'}`)];
}
