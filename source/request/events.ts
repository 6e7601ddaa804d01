/**
 * What happens in an exchange, as the engine sees it happen. The engine emits these and writes no
 * text of its own: the transcript (transcript.ts), the timings and every view are told from them.
 * Values are raw, as they came off the wire; whoever shows them sanitizes them.
 */
import type {
  ConnectAttempt,
  ConnectionInfo,
  DnsAnswer,
  DnsInfo,
  HeaderList,
  Protocol,
  RequestError,
  TlsInfo,
} from './types.js';

/** A response head as read, HTTP/1.x or HTTP/2. */
export type ReadHead = {
  /** `1.1`, `1.0`, `2`. */
  httpVersion: string;
  status: number;
  statusText: string;
  /** In the order and spelling received. */
  headers: HeaderList;
  /** The status line and header lines as they read (`HTTP/2 200 `, `content-type: text/plain`), line ends removed. */
  lines: string[];
  /** What broke the rules in this head. */
  warnings: string[];
};

type At = {
  /** performance.now() when it happened. */
  at: number;
  /** Which exchange of the request (0, then 1 after the first redirect…). */
  exchange: number;
};

export type RequestEvent = At &
  (
    | {
        type: 'route';
        /** curl --connect-to moved the connection to another host or port. */
        host?: string;
        port?: number;
        /** curl --resolve named the addresses. */
        resolved?: {entry: string; host: string};
      }
    | {
        type: 'dns';
        host: string;
        source: DnsInfo['source'];
        answers: DnsAnswer[];
        family?: 4 | 6;
        /** The lookup's error code (ENOTFOUND) when it failed. */
        error?: string;
      }
    | {
        type: 'connect-attempt';
        address: string;
        port: number;
        family: 4 | 6;
        /** Asked of a via stream (`ssh web-1`) instead of dialed; address may then be a name. */
        via?: string;
      }
    | {
        type: 'connect-failed';
        attempt: ConnectAttempt;
      }
    | {
        type: 'connected';
        /** The host as the URL (or --connect-to) names it. */
        host: string;
        /**
         * At TCP connect, before TLS: its `protocol` is HTTP/1.1 until ALPN has spoken;
         * result.connection has the protocol the exchange spoke.
         */
        connection: ConnectionInfo;
        attempts: ConnectAttempt[];
      }
    | {type: 'tls'; tls: TlsInfo}
    | {
        type: 'request-head';
        protocol: Protocol;
        /** As sent: the request line and header lines (HTTP/2: as curl shows them). */
        lines: string[];
        /** HTTP/2: the stream and the fields as they go in HEADERS. */
        stream?: number;
        fields?: HeaderList;
      }
    | {type: 'request-body'; bytes: number}
    | {type: 'continue-timeout'}
    | {type: 'body-not-sent'}
    | {type: 'response-head'; head: ReadHead; informational: boolean}
    | {type: 'data'; bytes: number; total: number}
    | {type: 'trailer'; line: string}
    | {type: 'warning'; text: string}
    /** Bytes that could not be read as a response, as they came. */
    | {type: 'garbage'; text: string}
    | {type: 'end'}
    | {type: 'redirect'; to: string}
    | {type: 'error'; error: RequestError}
    /** HTTP/2: the server sent GOAWAY or reset the stream. */
    | {type: 'h2-reset'; stream?: number; code: number; name: string; goaway: boolean}
    | {type: 'closed'; id: number | undefined; kept: boolean; requests: number}
  );

export type RequestEventType = RequestEvent['type'];
