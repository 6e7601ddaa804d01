/** The request engine's contract: what goes in, what comes back. Shared by the panel, the CLI and the library. */

export const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export type HeaderList = Array<[name: string, value: string]>;

export type RequestOptions = {
  url: string;
  /** Any token is sent as given; the panel offers the seven in httpMethods. Default GET. */
  method?: string;
  /** Sent in this order and spelling. Host, User-Agent, Accept and Content-Length are added unless given. */
  headers?: HeaderList | Record<string, string>;
  body?: string | Uint8Array;
  /** Follow 3xx responses with a Location, as curl -L. Default false. */
  followRedirects?: boolean;
  /** Default 10. */
  maxRedirects?: number;
  /** Skip certificate verification, as curl -k. Default false. */
  insecure?: boolean;
  /** Extra trusted certificate authorities (PEM). */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
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
  /** Each transcript line as it happens, for a live view of a request in flight. */
  onTranscript?: (line: TranscriptLine) => void;
  signal?: AbortSignal;
};

/**
 * Durations of each phase in milliseconds, as curl -w reports them but as phases, not cumulative.
 * After redirects the phases are those of the last exchange; total covers them all.
 */
export type Timings = {
  dns: number | undefined;
  connect: number | undefined;
  tls: number | undefined;
  /** From the request being written to the first response byte (server think time). */
  firstByte: number | undefined;
  download: number | undefined;
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
};
