/** The request engine's contract: what goes in, what comes back. Shared by the panel, the CLI and the library. */
import type {Duplex} from 'node:stream';
import type {RequestEvent} from './events.js';
import type {ConnectionPool} from './pool.js';

export type {RequestEvent} from './events.js';
export type {ConnectionPool} from './pool.js';

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof httpMethods)[number];

/**
 * Headers in order. A request header may carry its line exactly as it is to be written, when
 * that is not `Name: value` (curl sends `-H 'Name:value'` and `-H 'Name:  value'` as typed).
 */
export type HeaderList = Array<[name: string, value: string, line?: string]>;

/** curl --resolve `host:port:address[,address]…`; port 0 stands for any port (`*`). */
export type ResolveEntry = {host: string; port: number; addresses: string[]};

/** curl --connect-to `host:port:toHost:toPort`; '' and 0 stand for "any" and "unchanged". */
export type ConnectToEntry = {host: string; port: number; toHost: string; toPort: number};

export type RequestOptions = {
  url: string;
  /** Any token, sent exactly as written (`wHat` stays `wHat`, as curl -X). Default GET. */
  method?: string;
  /**
   * Sent in this order and spelling, after the engine's own headers, as curl sends -H headers. A
   * header named here replaces the engine's own of that name (a given Host takes Host's place).
   * An empty value is sent as `Name:` (curl's `-H 'Name;'`).
   */
  headers?: HeaderList | Record<string, string>;
  /** Names of the engine's own headers not to send at all (curl's `-H 'Name:'`). */
  omitHeaders?: string[];
  body?: string | Uint8Array;
  /**
   * Content-Type sent after Content-Length when `headers` name none: curl's
   * `application/x-www-form-urlencoded` for -d, `multipart/form-data; boundary=…` for -F.
   */
  bodyType?: string;
  /** Send `Expect: 100-continue` and hold the body back until a 100 arrives or 1 s passes (curl -T). */
  expectContinue?: boolean;
  /** `name:password`, sent as `Authorization: Basic …` in curl's place, right after Host (curl -u). */
  user?: string;
  /** Sent as `Authorization: Bearer …` in curl's place (curl --oauth2-bearer). */
  bearer?: string;
  /** Sent as `Range: bytes=…` (curl -r). */
  range?: string;
  /** Default `porthole/VERSION`; '' sends none (curl -A ''). */
  userAgent?: string;
  /** Sent as Referer (curl -e). */
  referer?: string;
  /** Sent as Cookie (curl -b with a string). */
  cookie?: string;
  /**
   * Ask for a compressed body (`Accept-Encoding: deflate, gzip, br, zstd`, as curl --compressed)
   * and decode it. Without it the body is kept as it came, as curl does. Default false.
   */
  compressed?: boolean;
  /**
   * '1.0' and '1.1' speak HTTP/1.x only (curl --http1.0 / --http1.1). '2' offers h2 and
   * http/1.1 by ALPN on https and speaks what the server picks (curl --http2; on http it is
   * HTTP/1.1). '2-prior-knowledge' speaks HTTP/2 from the first byte, h2c on http (curl
   * --http2-prior-knowledge). Default: '2' for https, '1.1' for http.
   */
  httpVersion?: HttpVersionChoice;
  /** Connect over IPv4 or IPv6 only (curl -4 / -6). */
  family?: 4 | 6;
  /** Use these addresses for host:port instead of asking DNS (curl --resolve). */
  resolve?: ResolveEntry[];
  /** Connect to another host:port for host:port, the URL and Host unchanged (curl --connect-to). */
  connectTo?: ConnectToEntry[];
  /** Connect to this Unix socket instead of the URL's host and port (curl --unix-socket). */
  unixSocket?: string;
  /**
   * Reach the URL's host and port from somewhere else (an SSH host's side): instead of resolving
   * and dialing, the engine asks `open` for a stream to host:port (after --resolve/--connect-to
   * rewrote them; the far side resolves the name) and speaks TLS and HTTP over it.
   */
  via?: Via;
  /** Send the path as written, `/../` and `/./` included (curl --path-as-is). */
  pathAsIs?: boolean;
  /** Follow 3xx responses with a Location, as curl -L. Default false. */
  followRedirects?: boolean;
  /** Default 10. */
  maxRedirects?: number;
  /** Skip certificate verification, as curl -k. Default false. */
  insecure?: boolean;
  /** Extra trusted certificate authorities (PEM), beside the system's (curl --cacert, --capath). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** A client certificate chain (PEM) to present when the server asks for one (curl --cert). */
  cert?: string | Uint8Array;
  /** The client certificate's private key (PEM) (curl --key); may be in `cert`'s text. */
  key?: string | Uint8Array;
  /** Passphrase for an encrypted `key` (curl --pass). */
  passphrase?: string;
  /**
   * SHA-256 hashes (base64) of the SubjectPublicKeyInfo the server's certificate must have, any
   * one of them (curl --pinnedpubkey sha256//…). Checked even with `insecure`.
   */
  pinnedPublicKeys?: string[];
  /**
   * Connections kept open per origin and used again (HTTP/1.1 keep-alive; one HTTP/2 connection
   * per origin). Without one, every exchange opens its own connection and closes it after.
   */
  pool?: ConnectionPool;
  /** Whole exchange, redirects included. Default 30 000 ms. */
  timeoutMs?: number;
  /** Until the TCP connection (and TLS handshake) is up. Default min(10 000, timeoutMs). */
  connectTimeoutMs?: number;
  /** How much of the (decoded) body is kept in memory for display; the rest is counted. Default 2 MiB. */
  maxBodyBytes?: number;
  /** Also write the whole decoded body to this file (mode 0600). */
  saveBodyTo?: string;
  /**
   * Every decoded body chunk of the final response, unbounded (the CLI streams these to stdout).
   * Return a promise to hold the next chunk back until it settles (backpressure); a rejection ends
   * the exchange with a 'file' error.
   */
  onBodyChunk?: (chunk: Uint8Array) => void | Promise<void>;
  /**
   * The body bytes received on the wire so far, after each chunk, for a live view of the
   * download. Unlike onBodyChunk it does not ask for the whole body to be decoded.
   */
  onBodyProgress?: (wireBytes: number) => void;
  /** Each transcript line as it happens, for a live view of a request in flight. */
  onTranscript?: (line: TranscriptLine) => void;
  /** Each event of the exchange as it happens (the transcript is told from these). */
  onEvent?: (event: RequestEvent) => void;
  signal?: AbortSignal;
  /**
   * Ask to switch protocols (a WebSocket handshake, HTTP/1.1 only): on a 101 the engine hands the
   * connection over in `result.upgraded` instead of reading a body; any other answer is read as a
   * normal response.
   */
  upgrade?: 'websocket';
};

/** A way to reach host:port from elsewhere, such as an SSH host's direct-tcpip channel. */
export type Via = {
  /** Named in the transcript and the result (`ssh web-1`). */
  label: string;
  /**
   * A stream to host:port as the far side sees it, once the far side has it open. Rejects with
   * an Error of one line (its `code` may be a RequestErrorCode: `refused`, `dns`…) when it cannot.
   */
  open(host: string, port: number, signal: AbortSignal): Promise<Duplex>;
};

/**
 * Durations of each phase in milliseconds, as curl -w reports them but as phases, not cumulative,
 * each taken at a socket event. The phases follow one another without gaps: each runs from the
 * end of the one before it (the start of the exchange for the first present one) to its own
 * event, so a waterfall draws them end to end, `redirect` first. An absent phase (no DNS for an
 * address, no TLS for http) is undefined and takes no time.
 *
 * After redirects the phases are those of the last exchange and `redirect` is all the time before
 * it. For an exchange that completed, total = redirect + dns + connect + tls + send + firstByte +
 * download. For one that failed, total runs to the failure and the phase cut short is undefined
 * (the time after the last phase is where it failed).
 */
export type Timings = {
  /** Resolving the name (the socket's lookup event); undefined for an address or --resolve. */
  dns: number | undefined;
  /** Until TCP is connected (or the Unix socket). */
  connect: number | undefined;
  /** The TLS handshake, until secureConnect. */
  tls: number | undefined;
  /**
   * Writing the request (headers and body) until the kernel has taken its last byte; with
   * Expect: 100-continue this includes waiting for the 100.
   */
  send: number | undefined;
  /** From the request being sent to the first response byte (server think time). */
  firstByte: number | undefined;
  /** From the first response byte to the end of the body (headers included). */
  download: number | undefined;
  /** The exchanges before the last one, when redirects were followed. */
  redirect?: number;
  total: number;
};

/** One line of a curl -vv style transcript: `*` info, `>` sent, `<` received. */
export type TranscriptLine = {kind: 'info' | 'out' | 'in'; text: string};

export type StatusClass =
  'informational' | 'success' | 'redirection' | 'client error' | 'server error' | 'unknown';

export type HttpResponse = {
  url: string;
  httpVersion: string;
  status: number;
  statusText: string;
  statusClass: StatusClass;
  remoteAddress: string;
  remotePort: number;
  /** In the order and spelling received. */
  headers: HeaderList;
  /** At most maxBodyBytes of the decoded body. */
  body: Uint8Array;
  /** Decoded body bytes received in all (may exceed body.length). */
  bodyBytes: number;
  /** Bytes on the wire for the body, before content decoding. */
  wireBytes: number;
  bodyTruncated: boolean;
  /**
   * True when decoding stopped at maxBodyBytes because nothing streamed the body: the rest was
   * counted on the wire only, so bodyBytes is a lower bound (a compression bomb costs no CPU).
   */
  bodyBytesIsLowerBound?: boolean;
  /** Content-Encoding that was decoded, if any. */
  decoded: string | undefined;
  contentType: string | undefined;
  savedTo: string | undefined;
  /**
   * Ways the response broke HTTP's rules that did not stop it being read, each one line naming
   * the problem and the header (`header X-Bad: value has a control character`). Raw; sanitize to show.
   */
  warnings: string[];
};

export type RedirectHop = {url: string; status: number; location: string};

export type RequestErrorCode =
  | 'invalid-url'
  | 'unsupported-scheme'
  | 'dns'
  | 'refused'
  | 'reset'
  | 'connect-timeout'
  | 'timeout'
  | 'tls'
  | 'too-many-redirects'
  | 'headers-too-large'
  | 'protocol'
  | 'aborted'
  | 'file'
  | 'invalid-request'
  | 'network';

export type RequestError = {code: RequestErrorCode; message: string};

export type RequestResult = {
  /** The final response, when one arrived (also set, partial, when the body failed mid-way). */
  response: HttpResponse | undefined;
  /** Set when the exchange did not complete. */
  error: RequestError | undefined;
  timings: Timings;
  transcript: TranscriptLine[];
  /** Each followed redirect, in order. */
  redirects: RedirectHop[];
  /** The protocol the last exchange spoke, once its connection was up. */
  protocol: Protocol | undefined;
  /** How the last exchange's host was found: every answer, every address tried. */
  dns: DnsInfo | undefined;
  /** The last exchange's connection, once it was up. */
  connection: ConnectionInfo | undefined;
  /** The last exchange's TLS session, for https once the handshake completed. */
  tls: TlsInfo | undefined;
  /** Everything that broke the rules but was read anyway, in order (the response's and the rest). */
  warnings: string[];
  /** Every event of every exchange, in order. */
  events: RequestEvent[];
  /**
   * With `upgrade`, after a 101: the connection, now the new protocol's, and the bytes read past
   * the response head. Whoever asked takes it (and deletes it: a result is otherwise plain data).
   */
  upgraded?: {socket: Duplex; head: Buffer};
};

export type HttpVersionChoice = '1.0' | '1.1' | '2' | '2-prior-knowledge';

export type Protocol = 'http/1.0' | 'http/1.1' | 'h2';

export type DnsAnswer = {address: string; family: 4 | 6};

/** One address the connection was tried on (Node's happy eyeballs tries them in turn). */
export type ConnectAttempt = {
  address: string;
  port: number;
  family: 4 | 6;
  /** `abandoned`: another address connected first. */
  outcome: 'connected' | 'failed' | 'timeout' | 'abandoned' | 'pending';
  /** From the attempt's start to its outcome. */
  ms: number | undefined;
  /** The failure in words (`connection refused`). */
  error?: string;
};

export type DnsInfo = {
  /** The name that was resolved (after --connect-to). */
  host: string;
  /**
   * `dns`: the system resolver; `resolve`: curl --resolve; `address`: the URL names an address;
   * `unix-socket`: no address at all; `localhost`: `localhost` and names under it are loopback,
   * 127.0.0.1 and ::1, without asking the resolver (RFC 6761 §6.3, as curl does); `via`: the far
   * side of a via stream resolved it, if it needed to.
   */
  source: 'dns' | 'resolve' | 'address' | 'unix-socket' | 'localhost' | 'via';
  /** In the order given; empty when the lookup failed. */
  answers: DnsAnswer[];
  /** Only this family was asked for (curl -4 / -6). */
  family?: 4 | 6;
  /** The lookup's duration; undefined when nothing was looked up. */
  ms: number | undefined;
  /** In the order tried. */
  attempts: ConnectAttempt[];
  /** The address that connected. */
  connected: string | undefined;
};

export type ConnectionInfo = {
  /** Counts up from 0 within the process, as curl numbers its connections. */
  id: number;
  reused: boolean;
  protocol: Protocol;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Set instead of the addresses for curl --unix-socket. */
  unixSocket?: string;
  /**
   * The via stream's label (`ssh web-1`): remoteAddress and remotePort are then what the far side
   * was asked for, and the local ones are empty and 0.
   */
  via?: string;
  /** Date.now() when it was opened. */
  openedAt: number;
  /** Requests it has carried, this one included. */
  requests: number;
};

export type TlsCertificate = {
  /** `CN=localhost, O=Example` */
  subject: string;
  issuer: string;
  /** `DNS:localhost`, `IP Address:127.0.0.1` as given. */
  subjectAltNames: string[];
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Whole days from now to validTo, negative once expired (rounded down). */
  daysLeft: number;
  /** `RSA`, `EC (prime256v1)`, `Ed25519` … */
  keyType: string;
  keyBits: number | undefined;
  /** SHA-256 of the DER, `AB:CD:…`. */
  fingerprint256: string;
  /** Base64 SHA-256 of the SubjectPublicKeyInfo: what curl --pinnedpubkey sha256//… names. */
  publicKeySha256?: string;
  serialNumber: string;
  selfSigned: boolean;
  isCA: boolean;
};

export type TlsProblem =
  | 'self-signed'
  | 'self-signed-in-chain'
  | 'expired'
  | 'not-yet-valid'
  | 'name-mismatch'
  | 'unknown-issuer'
  | 'missing-intermediate'
  | 'pinned-key-mismatch'
  | 'other';

export type TlsInfo = {
  /** `TLSv1.3` */
  protocol: string;
  /** IANA name, `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** What ALPN agreed on, or undefined when the server picked nothing. */
  alpn: string | undefined;
  /** The server name sent (SNI); undefined for an address, which SNI cannot carry. */
  servername: string | undefined;
  /** As the server sent it, leaf first. */
  chain: TlsCertificate[];
  /** The chain verified against the trusted authorities and the name matched. */
  verified: boolean;
  /** Why not, when not verified. */
  problem?: TlsProblem;
  /** The reason in words (`certificate expired 3 days ago on 2026-11-28`). */
  reason?: string;
  /** OpenSSL's code (`CERT_HAS_EXPIRED`). */
  code?: string;
  /** The exchange went on without verification (curl -k). */
  insecure: boolean;
  /** Set when a pinned public key was asked for: whether it matched. */
  pinned?: boolean;
  /** A client certificate was presented. */
  clientCertificate: boolean;
};
