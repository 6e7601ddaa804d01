/**
 * Opening the one connection an exchange uses: DNS (every answer kept), TCP (every address tried,
 * as Node's happy eyeballs tries them) and TLS (ALPN, the certificate), each timed and reported
 * as events. The certificate is checked here, before a single request byte is written, so a
 * request with credentials never reaches a server that failed verification.
 */
import dns, {type LookupAddress} from 'node:dns';
import net, {type LookupFunction, type Socket} from 'node:net';
import {Duplex} from 'node:stream';
import tls, {type TLSSocket} from 'node:tls';
import type {AdapterEvent} from './adapter.js';
import {formatSeconds, hostPort, RequestFailure, type Phase} from './errors.js';
import {describeTls, tlsFailure} from './tls-info.js';
import type {
  ConnectAttempt,
  ConnectionInfo,
  ConnectToEntry,
  DnsAnswer,
  DnsInfo,
  RequestErrorCode,
  ResolveEntry,
  TlsInfo,
  Via,
} from './types.js';

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
  /** A client certificate, its key and the key's passphrase (mTLS). */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  passphrase?: string;
  pinnedPublicKeys?: string[];
  /** The protocols offered by ALPN, in order of preference. */
  alpn: string[];
  timeoutMs: number;
  marks: Marks;
  emit: (event: AdapterEvent) => void;
  /** Called with the socket as soon as it exists, so the caller can destroy it to cancel. */
  onSocket: (socket: Socket) => void;
  onPhase: (phase: Phase) => void;
  /** What is known of the lookup and the attempts, filled in as they happen, also when they fail. */
  onDns?: (dns: DnsInfo) => void;
  /** The TLS session as the handshake left it, also when its certificate is then refused. */
  onTls?: (tls: TlsInfo) => void;
  /**
   * Called in the event that makes the connection ready (connect, or secureConnect once the
   * certificate passed), so the request goes out without waiting for a promise to resume.
   */
  onReady?: (opened: Opened) => void;
  /** Where to connect instead of the URL's host and port (curl -4/-6, --resolve, --connect-to, --unix-socket). */
  route?: Route;
  /** Reach host:port through this stream instead of dialing (see RequestOptions.via). */
  via?: Via;
};

export type Route = {
  family?: 4 | 6;
  resolve?: ResolveEntry[];
  connectTo?: ConnectToEntry[];
  unixSocket?: string;
};

/** A connection that is up: its socket and what was learnt opening it. */
export type Opened = {
  socket: Socket;
  dns: DnsInfo;
  connection: ConnectionInfo;
  tls: TlsInfo | undefined;
  /** What ALPN agreed on (https), or undefined. */
  alpn: string | undefined;
};

/** Where the socket goes: a Unix socket, or a host (or address) and port. */
type Destination =
  | {path: string}
  | {host: string; port: number; family: 4 | 6 | undefined; resolved: string[] | undefined};

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const unbracketed = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** As curl: --unix-socket wins, then --connect-to changes host and port, then --resolve names the addresses. */
function destinationOf(target: Target, route: Route, emit: ConnectOptions['emit']): Destination {
  if (route.unixSocket !== undefined) return {path: route.unixSocket};
  let {host, port} = target;
  const moved = route.connectTo?.find(
    (entry) =>
      (entry.host === '' || same(unbracketed(entry.host), host)) &&
      (entry.port === 0 || entry.port === port),
  );
  if (moved !== undefined && (moved.toHost !== '' || moved.toPort !== 0)) {
    if (moved.toHost !== '') host = unbracketed(moved.toHost);
    if (moved.toPort !== 0) port = moved.toPort;
    emit({
      type: 'route',
      host: moved.toHost === '' ? undefined : moved.toHost,
      port: moved.toPort === 0 ? undefined : moved.toPort,
    });
  }
  const resolved = route.resolve?.find(
    (entry) =>
      same(unbracketed(entry.host), host) &&
      (entry.port === 0 || entry.port === port) &&
      entry.addresses.length > 0,
  );
  if (resolved !== undefined) {
    emit({
      type: 'route',
      resolved: {
        entry: `${resolved.host}:${resolved.port === 0 ? '*' : resolved.port}:${resolved.addresses.join(',')}`,
        host,
      },
    });
  }
  return {
    host,
    port,
    family: route.family,
    resolved: resolved?.addresses.map(unbracketed),
  };
}

/** A key naming where a connection goes and how, so a pooled one is reused only for the same. */
export function routeKey(target: Target, route: Route): string {
  return JSON.stringify([
    target.secure,
    target.host.toLowerCase(),
    target.port,
    route.family,
    route.unixSocket,
    route.resolve?.filter((entry) => same(unbracketed(entry.host), target.host)),
    route.connectTo,
  ]);
}

const familyOf = (address: string): 4 | 6 => (net.isIPv6(address) ? 6 : 4);

/** RFC 6761 §6.3: `localhost` and the names under it are loopback; curl answers them itself. */
const loopbackName = /(^|\.)localhost\.?$/i;

/** Connections are numbered as curl numbers them, from 0 within the process. */
let nextConnectionId = 0;

/** Numbers the next connection 0 again: the engine's warming connections are not the user's. */
export function restartConnectionIds(): void {
  nextConnectionId = 0;
}

/** The system's error words for a failed attempt, as curl prints them. */
const attemptErrors: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  ETIMEDOUT: 'Connection timed out',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ECONNRESET: 'Connection reset by peer',
  EACCES: 'Permission denied',
  ENOENT: 'No such file or directory',
};

function attemptError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return attemptErrors[code] ?? code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * TLS settings made once per set of options and kept: making them loads every trusted
 * certificate authority, which would otherwise be paid by every connection.
 */
const secureContexts = new Map<string, tls.SecureContext>();
const keptContexts = 16;

function secureContextFor(options: ConnectOptions): tls.SecureContext {
  const text = (value: string | Uint8Array | undefined) =>
    value === undefined || typeof value === 'string'
      ? value
      : Buffer.from(value).toString('base64');
  const key = JSON.stringify([
    options.ca?.map(text),
    text(options.cert),
    text(options.key),
    options.passphrase,
  ]);
  const known = secureContexts.get(key);
  if (known !== undefined) return known;
  const made = tls.createSecureContext({
    ca:
      options.ca === undefined
        ? undefined
        : [
            ...tls.rootCertificates,
            ...options.ca.map((pem) => (typeof pem === 'string' ? pem : Buffer.from(pem))),
          ],
    cert:
      options.cert === undefined || typeof options.cert === 'string'
        ? options.cert
        : Buffer.from(options.cert),
    key:
      options.key === undefined || typeof options.key === 'string'
        ? options.key
        : Buffer.from(options.key),
    passphrase: options.passphrase,
  });
  if (secureContexts.size >= keptContexts) secureContexts.clear();
  secureContexts.set(key, made);
  return made;
}

export function openConnection(target: Target, options: ConnectOptions): Promise<Opened> {
  if (options.via !== undefined) return openVia(target, options, options.via);
  const {marks, emit} = options;
  return new Promise((resolve, reject) => {
    const destination = destinationOf(target, options.route ?? {}, emit);
    const attempts: ConnectAttempt[] = [];
    const started = new Map<ConnectAttempt, number>();
    const dnsInfo: DnsInfo =
      'path' in destination
        ? {
            host: target.host,
            source: 'unix-socket',
            answers: [],
            ms: undefined,
            attempts,
            connected: undefined,
          }
        : {
            host: destination.host,
            source:
              destination.resolved !== undefined
                ? 'resolve'
                : net.isIP(destination.host) !== 0
                  ? 'address'
                  : loopbackName.test(destination.host)
                    ? 'localhost'
                    : 'dns',
            answers: [],
            family: destination.family,
            ms: undefined,
            attempts,
            connected: undefined,
          };
    options.onDns?.(dnsInfo);
    const tellDns = (answers: DnsAnswer[], error?: string) => {
      dnsInfo.answers = answers;
      emit({
        type: 'dns',
        host: dnsInfo.host,
        source: dnsInfo.source,
        answers,
        family: dnsInfo.family,
        error,
      });
    };
    /**
     * Every answer is asked for and kept, in the resolver's order; the socket gets what it asked
     * for (all of them for happy eyeballs, else the first). --resolve answers without asking.
     */
    const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
      const answer = (error: NodeJS.ErrnoException | null, found: LookupAddress[]) => {
        const family =
          lookupOptions.family === 4 || lookupOptions.family === 6
            ? lookupOptions.family
            : undefined;
        const answers = found
          .filter((each) => family === undefined || each.family === family)
          .map((each): DnsAnswer => ({address: each.address, family: each.family === 6 ? 6 : 4}));
        if (dnsInfo.source === 'dns') dnsInfo.ms = performance.now() - marks.start;
        if (error !== null) {
          tellDns([], error.code);
          callback(error, '');
          return;
        }
        tellDns(answers);
        if (answers.length === 0) {
          const none: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          none.code = 'ENOTFOUND';
          none.syscall = 'getaddrinfo';
          callback(none, '');
        } else if (lookupOptions.all === true) {
          callback(null, answers);
        } else {
          callback(null, answers[0]?.address ?? '', answers[0]?.family ?? 4);
        }
      };
      const named =
        'resolved' in destination && destination.resolved !== undefined
          ? destination.resolved
          : dnsInfo.source === 'localhost'
            ? ['127.0.0.1', '::1']
            : undefined;
      if (named !== undefined) {
        const found = named.map((address) => ({address, family: familyOf(address)}));
        process.nextTick(() => answer(null, found));
        return;
      }
      // RFC 6761 §6.4: names under .invalid never resolve, and resolvers should say so without
      // asking the network.
      if (/(^|\.)invalid\.?$/i.test(hostname)) {
        const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
        error.code = 'ENOTFOUND';
        error.syscall = 'getaddrinfo';
        process.nextTick(() => answer(error, []));
        return;
      }
      dns.lookup(hostname, {...lookupOptions, all: true}, (error, found) =>
        answer(error, found ?? []),
      );
    };

    // An address in the URL, or one --resolve gave alone, needs no lookup at all.
    const direct =
      'resolved' in destination &&
      destination.resolved !== undefined &&
      destination.resolved.length === 1 &&
      (destination.family === undefined ||
        familyOf(destination.resolved[0] ?? '') === destination.family)
        ? destination.resolved[0]
        : undefined;
    if ('path' in destination) {
      tellDns([]);
    } else if (dnsInfo.source === 'address' || direct !== undefined) {
      tellDns([
        {address: direct ?? destination.host, family: familyOf(direct ?? destination.host)},
      ]);
    }
    const where =
      'path' in destination
        ? {path: destination.path}
        : {
            host: direct ?? destination.host,
            port: destination.port,
            family: destination.family,
            lookup,
          };
    if ('path' in destination) {
      emit({type: 'connect-attempt', address: destination.path, port: 0, family: 4});
    }
    // TCP first; TLS is started over it once it is connected, so that setting TLS up is timed
    // as the TLS phase (curl's appconnect), not as connecting.
    let socket: Socket = net.connect(where);
    options.onSocket(socket);
    let settled = false;
    let tlsInfo: TlsInfo | undefined;
    let connection: ConnectionInfo | undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const attempt of attempts) {
        if (attempt.outcome !== 'pending') continue;
        attempt.outcome = error === undefined ? 'abandoned' : 'failed';
        attempt.ms = performance.now() - (started.get(attempt) ?? marks.start);
        if (error !== undefined) attempt.error = attemptError(error);
      }
      if (error === undefined && connection !== undefined) {
        const alpn =
          target.secure && typeof (socket as TLSSocket).alpnProtocol === 'string'
            ? ((socket as TLSSocket).alpnProtocol as string)
            : undefined;
        const opened: Opened = {socket, dns: dnsInfo, connection, tls: tlsInfo, alpn};
        options.onReady?.(opened);
        resolve(opened);
      } else {
        socket.destroy();
        reject(error ?? new RequestFailure('network', `no connection to ${target.where}`));
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
      if (error === null && dnsInfo.source === 'dns') marks.lookup = performance.now();
    });
    const attemptOf = (ip: string, port: number) =>
      attempts.findLast(
        (each) => each.address === ip && each.port === port && each.outcome === 'pending',
      );
    socket.on('connectionAttempt', (ip: string, port: number, family: number) => {
      const attempt: ConnectAttempt = {
        address: ip,
        port,
        family: family === 6 ? 6 : 4,
        outcome: 'pending',
        ms: undefined,
      };
      attempts.push(attempt);
      started.set(attempt, performance.now());
      emit({type: 'connect-attempt', address: ip, port, family: attempt.family});
    });
    const attemptOver = (
      ip: string,
      port: number,
      outcome: 'failed' | 'timeout',
      error?: unknown,
    ) => {
      const attempt = attemptOf(ip, port);
      if (attempt === undefined) return;
      attempt.outcome = outcome;
      attempt.ms = performance.now() - (started.get(attempt) ?? marks.start);
      if (error !== undefined) attempt.error = attemptError(error);
      emit({type: 'connect-failed', attempt: {...attempt}});
    };
    socket.on(
      'connectionAttemptFailed',
      (ip: string, port: number, _family: number, error: unknown) =>
        attemptOver(ip, port, 'failed', error),
    );
    socket.on('connectionAttemptTimeout', (ip: string, port: number) =>
      attemptOver(ip, port, 'timeout'),
    );
    socket.once('connect', () => {
      marks.connect = performance.now();
      const remoteAddress = 'path' in destination ? '' : (socket.remoteAddress ?? '');
      const remotePort = 'path' in destination ? 0 : (socket.remotePort ?? 0);
      const attempt =
        attemptOf(remoteAddress, remotePort) ??
        attempts.findLast((each) => each.outcome === 'pending');
      if (attempt !== undefined) {
        attempt.outcome = 'connected';
        attempt.ms = marks.connect - (started.get(attempt) ?? marks.start);
      }
      dnsInfo.connected = 'path' in destination ? destination.path : remoteAddress;
      connection = {
        id: nextConnectionId++,
        reused: false,
        protocol: 'http/1.1',
        localAddress: socket.localAddress ?? '',
        localPort: socket.localPort ?? 0,
        remoteAddress,
        remotePort,
        ...('path' in destination ? {unixSocket: destination.path} : {}),
        openedAt: Date.now(),
        requests: 1,
      };
      emit({
        type: 'connected',
        host: 'path' in destination ? target.host : unbracketed(destination.host),
        connection: {...connection},
        attempts: attempts.map((each) => ({...each})),
      });
      if (!target.secure) {
        settle();
        return;
      }
      options.onPhase('tls');
      const secure = startTls(socket, target, options, settle, (described) => {
        tlsInfo = described;
      });
      if (secure !== undefined) socket = secure;
    });
    socket.on('error', (error: Error) => settle(error));
    socket.once('close', () => {
      settle(new RequestFailure('reset', `connection to ${target.where} closed while connecting`));
    });
  });
}

/**
 * Starts TLS over a connected stream and checks the certificate once the handshake is over.
 * Returns the TLS socket, which carries the exchange from then on (undefined when it could not
 * be started: `settle` was told why).
 */
function startTls(
  raw: Socket,
  target: Target,
  options: ConnectOptions,
  settle: (error?: Error) => void,
  onTls: (described: TlsInfo) => void,
): TLSSocket | undefined {
  let secure: TLSSocket;
  try {
    secure = tls.connect({
      socket: raw,
      // SNI carries names only (RFC 6066); an address is checked against the certificate's IP names.
      servername: net.isIP(target.host) === 0 ? target.host : undefined,
      // Verified below, after the handshake and before the request is written.
      rejectUnauthorized: false,
      secureContext: secureContextFor(options),
      ALPNProtocols: options.alpn,
    });
  } catch (error) {
    // A client key that does not match its certificate is refused at once.
    const reason = error instanceof Error ? error.message : String(error);
    settle(new RequestFailure('tls', `the client certificate cannot be used: ${reason}`));
    return undefined;
  }
  options.onSocket(secure);
  secure.on('error', (error: Error) => settle(error));
  secure.once('close', () => {
    settle(new RequestFailure('reset', `connection to ${target.where} closed while connecting`));
  });
  secure.once('secureConnect', () => {
    const described = describeTls(secure, {
      host: target.host,
      servername: net.isIP(target.host) === 0 ? target.host : undefined,
      insecure: options.insecure,
      pinnedPublicKeys: options.pinnedPublicKeys,
      clientCertificate: options.cert !== undefined,
    });
    onTls(described);
    options.onTls?.(described);
    options.emit({type: 'tls', tls: described});
    const failure = tlsFailure(described, target.where);
    // The handshake is over once the certificate is checked, as curl's appconnect.
    options.marks.secure = performance.now();
    settle(failure === undefined ? undefined : new RequestFailure('tls', failure));
  });
  return secure;
}

const viaCodes = new Set<RequestErrorCode>(['refused', 'dns', 'connect-timeout', 'network']);

/**
 * A via stream made to look like a socket to the exchange and the pool: they use its stream
 * side, and ref/unref where it has none (a stream over a child process refs the child).
 */
function asSocket(stream: Duplex): Socket {
  const socket = stream as Duplex & Partial<Pick<Socket, 'ref' | 'unref'>>;
  socket.ref ??= () => stream as Socket;
  socket.unref ??= () => stream as Socket;
  return socket as Socket;
}

/**
 * The connection of an exchange with `via`: nothing is resolved or dialed here; the far side is
 * asked for host:port (as --connect-to and --resolve leave them), and TLS runs over its stream.
 * The time the stream takes to open is the connect phase; the lookup is the far side's, 0 here.
 */
function openVia(target: Target, options: ConnectOptions, via: Via): Promise<Opened> {
  const {marks, emit} = options;
  return new Promise((resolve, reject) => {
    const destination = destinationOf(target, {...options.route, unixSocket: undefined}, emit);
    if ('path' in destination) throw new Error('unreachable: a via has no Unix socket');
    const host = destination.resolved?.[0] ?? destination.host;
    const {port} = destination;
    const where = hostPort(host, port);
    const attempt: ConnectAttempt = {
      address: host,
      port,
      family: net.isIPv6(host) ? 6 : 4,
      outcome: 'pending',
      ms: undefined,
    };
    const dnsInfo: DnsInfo = {
      host: destination.host,
      source: 'via',
      answers: [],
      ms: 0,
      attempts: [attempt],
      connected: undefined,
    };
    marks.lookup = marks.start;
    options.onDns?.(dnsInfo);
    const controller = new AbortController();
    let settled = false;
    let socket: Socket | undefined;
    let tlsInfo: TlsInfo | undefined;
    let connection: ConnectionInfo | undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined && socket !== undefined && connection !== undefined) {
        const alpn =
          target.secure && typeof (socket as TLSSocket).alpnProtocol === 'string'
            ? ((socket as TLSSocket).alpnProtocol as string)
            : undefined;
        const opened: Opened = {socket, dns: dnsInfo, connection, tls: tlsInfo, alpn};
        options.onReady?.(opened);
        resolve(opened);
        return;
      }
      controller.abort();
      socket?.destroy();
      reject(error ?? new RequestFailure('network', `no connection to ${where} via ${via.label}`));
    };
    // Until the stream exists, this stands for it: the caller destroys it to cancel.
    options.onSocket(
      asSocket(
        new Duplex({
          read() {},
          write(_chunk, _encoding, callback) {
            callback();
          },
          destroy(error, callback) {
            settle(new RequestFailure('aborted', 'request aborted'));
            callback(error);
          },
        }),
      ),
    );
    const timer = setTimeout(() => {
      const message =
        marks.connect === undefined
          ? `cannot connect to ${where} via ${via.label}: no channel within ${formatSeconds(options.timeoutMs)}`
          : `TLS handshake with ${target.where} timed out after ${formatSeconds(options.timeoutMs)}`;
      settle(new RequestFailure('connect-timeout', message));
    }, options.timeoutMs);
    const started = performance.now();
    emit({type: 'connect-attempt', address: host, port, family: attempt.family, via: via.label});
    let opening: Promise<Duplex>;
    try {
      opening = via.open(host, port, controller.signal);
    } catch (error) {
      opening = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    opening.then(
      (stream) => {
        if (settled) {
          stream.destroy();
          return;
        }
        const raw = asSocket(stream);
        socket = raw;
        options.onSocket(raw);
        marks.connect = performance.now();
        attempt.outcome = 'connected';
        attempt.ms = marks.connect - started;
        dnsInfo.connected = host;
        connection = {
          id: nextConnectionId++,
          reused: false,
          protocol: 'http/1.1',
          localAddress: '',
          localPort: 0,
          remoteAddress: host,
          remotePort: port,
          via: via.label,
          openedAt: Date.now(),
          requests: 1,
        };
        emit({
          type: 'connected',
          host: unbracketed(destination.host),
          connection: {...connection},
          attempts: [{...attempt}],
        });
        raw.on('error', (error: Error) => settle(error));
        raw.once('close', () => {
          settle(
            new RequestFailure(
              'reset',
              `connection to ${where} via ${via.label} closed while connecting`,
            ),
          );
        });
        if (!target.secure) {
          settle();
          return;
        }
        options.onPhase('tls');
        const secure = startTls(raw, target, options, settle, (described) => {
          tlsInfo = described;
        });
        if (secure !== undefined) socket = secure;
      },
      (error: unknown) => {
        if (settled) return;
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        const code = (error as {code?: unknown} | undefined)?.code;
        attempt.outcome = 'failed';
        attempt.ms = performance.now() - started;
        attempt.error = reason;
        emit({type: 'connect-failed', attempt: {...attempt}});
        settle(
          new RequestFailure(
            viaCodes.has(code as RequestErrorCode) ? (code as RequestErrorCode) : 'network',
            `cannot connect to ${where} via ${via.label}: ${reason}`,
          ),
        );
      },
    );
  });
}
