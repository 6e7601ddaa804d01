/**
 * porthole as a library: the same functions the dashboard and the command line use.
 *
 *   import {classifyAddress, snapshot, sendRequest} from 'porthole';
 */
export {classifyAddress, addressKinds, type AddressKind} from './net/classify.js';
export {
  snapshot,
  type Snapshot,
  type SnapshotInterface,
  type SnapshotOptions,
  type SnapshotSocket,
} from './snapshot.js';
export {sendRequest, warmEngine} from './request/send-request.js';
export {createConnectionPool, type ConnectionPool} from './request/pool.js';
export {transcriptLines} from './request/transcript.js';
export type {RequestEvent, ReadHead} from './request/events.js';
export type {
  ConnectAttempt,
  ConnectionInfo,
  DnsAnswer,
  DnsInfo,
  HttpVersionChoice,
  Protocol as HttpProtocol,
  TlsCertificate,
  TlsInfo,
  TlsProblem,
  HeaderList,
  HttpMethod,
  HttpResponse,
  RedirectHop,
  RequestError,
  RequestErrorCode,
  RequestOptions,
  RequestResult,
  StatusClass,
  Timings,
  TranscriptLine,
} from './request/types.js';
export type {
  Exposure,
  Family,
  InterfaceAddress,
  NetworkInterface,
  Protocol,
  Socket,
  SocketSource,
  SocketState,
} from './model.js';
export {sanitizeLine, sanitizeLines} from './sanitize.js';
