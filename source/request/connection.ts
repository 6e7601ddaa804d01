/**
 * Opening the one connection an exchange uses: DNS, TCP and TLS, each timed and told in the
 * transcript. The certificate is checked here, before a single request byte is written, so a
 * request with credentials never reaches a server that failed verification.
 */
import dns from 'node:dns';
import net, {type LookupFunction, type Socket} from 'node:net';
import tls, {type TLSSocket} from 'node:tls';
import {
  certificateProblem,
  certificateProblemWords,
  distinguishedName,
  formatSeconds,
  RequestFailure,
  type Phase,
} from './errors.js';
import type {ConnectToEntry, ResolveEntry} from './types.js';

export type Target = {
  /** As the URL names it (brackets stripped from IPv6 addresses). */
  host: string;
  port: number;
  secure: boolean;
  /** `host:port`, for messages. */
  where: string;
};

/** performance.now() at each step of one exchange. */
export type Marks = {
  start: number;
  lookup?: number;
  connect?: number;
  secure?: number;
  /** The write callback of the last request byte. */
  sent?: number;
  /** The first response chunk after the request was sent (or the first one, if it came early). */
  firstByte?: number;
  /** The end of the body. */
  end?: number;
};

export type ConnectOptions = {
  insecure: boolean;
  ca: Array<string | Uint8Array> | undefined;
  timeoutMs: number;
  marks: Marks;
  info: (text: string) => void;
  /** Called with the socket as soon as it exists, so the caller can destroy it to cancel. */
  onSocket: (socket: Socket) => void;
  onPhase: (phase: Phase) => void;
  /**
   * Called in the event that makes the connection ready (connect, or secureConnect once the
   * certificate passed), so the request goes out without waiting for a promise to resume.
   */
  onReady?: (socket: Socket) => void;
  /** Where to connect instead of the URL's host and port (curl -4/-6, --resolve, --connect-to, --unix-socket). */
  route?: Route;
};

export type Route = {
  family?: 4 | 6;
  resolve?: ResolveEntry[];
  connectTo?: ConnectToEntry[];
  unixSocket?: string;
};

/** Where the socket goes: a Unix socket, or a host (or address) and port. */
type Destination = {path: string} | {host: string; port: number; family: 4 | 6 | undefined};

/** As curl: --unix-socket wins, then --connect-to changes host and port, then --resolve names the address. */
function destinationOf(target: Target, route: Route, info: (text: string) => void): Destination {
  if (route.unixSocket !== undefined) return {path: route.unixSocket};
  let {host, port} = target;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const moved = route.connectTo?.find(
    (entry) =>
      (entry.host === '' || same(entry.host.replace(/^\[(.*)\]$/, '$1'), host)) &&
      (entry.port === 0 || entry.port === port),
  );
  if (moved !== undefined) {
    if (moved.toHost !== '') {
      host = moved.toHost.replace(/^\[(.*)\]$/, '$1');
      info(`Connecting to hostname: ${moved.toHost}`);
    }
    if (moved.toPort !== 0) {
      port = moved.toPort;
      info(`Connecting to port: ${moved.toPort}`);
    }
  }
  const resolved = route.resolve?.find(
    (entry) =>
      same(entry.host.replace(/^\[(.*)\]$/, '$1'), host) &&
      (entry.port === 0 || entry.port === port) &&
      entry.addresses.length > 0,
  );
  if (resolved !== undefined) {
    const addresses = resolved.addresses.map((address) => address.replace(/^\[(.*)\]$/, '$1'));
    info(
      `Added ${resolved.host}:${resolved.port === 0 ? '*' : resolved.port}:${resolved.addresses.join(',')} to DNS cache`,
    );
    info(`Hostname ${host} was found in DNS cache`);
    host = addresses[0] ?? host;
  }
  return {host, port, family: route.family};
}

/**
 * RFC 6761 §6.4: names under .invalid never resolve, and resolvers should say so without asking
 * the network. Everything else goes to the system resolver.
 */
const lookup: LookupFunction = (hostname, options, callback) => {
  if (/(^|\.)invalid\.?$/i.test(hostname)) {
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    error.code = 'ENOTFOUND';
    error.syscall = 'getaddrinfo';
    process.nextTick(() => callback(error, ''));
    return;
  }
  dns.lookup(hostname, options, callback);
};

export function openConnection(target: Target, options: ConnectOptions): Promise<Socket> {
  const {marks, info} = options;
  return new Promise((resolve, reject) => {
    const destination = destinationOf(target, options.route ?? {}, info);
    const where =
      'path' in destination
        ? {path: destination.path}
        : {host: destination.host, port: destination.port, family: destination.family, lookup};
    if ('path' in destination) info(`Trying ${destination.path}:0...`);
    const socket = target.secure
      ? tls.connect({
          ...where,
          // SNI carries names only (RFC 6066); an address is checked against the certificate's IP names.
          servername: net.isIP(target.host) === 0 ? target.host : undefined,
          // Verified below, after the handshake and before the request is written.
          rejectUnauthorized: false,
          ca:
            options.ca === undefined
              ? undefined
              : [
                  ...tls.rootCertificates,
                  ...options.ca.map((pem) => (typeof pem === 'string' ? pem : Buffer.from(pem))),
                ],
          ALPNProtocols: ['http/1.1'],
        })
      : net.connect(where);
    options.onSocket(socket);
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) {
        options.onReady?.(socket);
        resolve(socket);
      } else {
        socket.destroy();
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      const message =
        marks.connect === undefined
          ? `connection to ${target.where} timed out after ${formatSeconds(options.timeoutMs)}`
          : `TLS handshake with ${target.where} timed out after ${formatSeconds(options.timeoutMs)}`;
      settle(new RequestFailure('connect-timeout', message));
    }, options.timeoutMs);

    socket.once('lookup', (error) => {
      if (error === null) marks.lookup = performance.now();
    });
    socket.on('connectionAttempt', (ip: string, port: number, family: number) => {
      info(`Trying ${family === 6 ? `[${ip}]` : ip}:${port}...`);
    });
    socket.once('connect', () => {
      marks.connect = performance.now();
      const peer = 'path' in destination ? destination.path : (socket.remoteAddress ?? '?');
      info(`Connected to ${target.host} (${peer}) port ${target.port}`);
      if (target.secure) options.onPhase('tls');
      else settle();
    });
    if (target.secure) {
      socket.once('secureConnect', () => {
        marks.secure = performance.now();
        settle(verify(socket as TLSSocket, target, options));
      });
    }
    socket.on('error', (error: Error) => settle(error));
    socket.once('close', () => {
      settle(new RequestFailure('reset', `connection to ${target.where} closed while connecting`));
    });
  });
}

/** Tells the handshake and the certificate as curl -v does; a failure when it must not be trusted. */
function verify(socket: TLSSocket, target: Target, options: ConnectOptions): Error | undefined {
  const {info} = options;
  const cipher = socket.getCipher();
  info(
    `SSL connection using ${socket.getProtocol() ?? '?'} / ${cipher.standardName || cipher.name}`,
  );
  if (typeof socket.alpnProtocol === 'string') info(`ALPN: server accepted ${socket.alpnProtocol}`);
  const certificate = socket.getPeerCertificate();
  const hasCertificate = Object.keys(certificate).length > 0;
  if (hasCertificate) {
    info('Server certificate:');
    info(` subject: ${distinguishedName(certificate.subject)}`);
    info(` start date: ${certificate.valid_from}`);
    info(` expire date: ${certificate.valid_to}`);
    if (certificate.subjectaltname) info(` subjectAltName: ${certificate.subjectaltname}`);
    info(` issuer: ${distinguishedName(certificate.issuer)}`);
  }
  if (socket.authorized) {
    info(' SSL certificate verify ok.');
    return undefined;
  }
  const code = verificationCode(socket.authorizationError);
  if (options.insecure) {
    info(
      ` SSL certificate verify result: ${certificateProblemWords(code)}, continuing anyway (insecure)`,
    );
    return undefined;
  }
  info(` SSL certificate problem: ${certificateProblemWords(code)}`);
  const message = certificateProblem(
    code,
    hasCertificate ? certificate : undefined,
    target.host,
    target.where,
  );
  return new RequestFailure('tls', message);
}

/** Node gives the reason a certificate was not authorized as a code string (typed as an Error). */
function verificationCode(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  if (reason instanceof Error) {
    const {code} = reason as NodeJS.ErrnoException;
    return typeof code === 'string' ? code : reason.message;
  }
  return 'unknown verification error';
}
