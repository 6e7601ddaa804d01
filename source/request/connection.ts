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
  sent?: number;
  response?: number;
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
};

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
    const socket = target.secure
      ? tls.connect({
          host: target.host,
          port: target.port,
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
          lookup,
        })
      : net.connect({host: target.host, port: target.port, lookup});
    options.onSocket(socket);
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) {
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
      info(`Connected to ${target.host} (${socket.remoteAddress ?? '?'}) port ${target.port}`);
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
