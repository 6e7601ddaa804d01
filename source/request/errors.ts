/** Turning what can go wrong in an exchange into one clear line with a code. */
import {formatBytes} from '../format.js';
import type {RequestError, RequestErrorCode} from './types.js';

/** A failure already described, thrown inside the engine and returned as `result.error`. */
export class RequestFailure extends Error {
  readonly failure: RequestError;

  constructor(code: RequestErrorCode, message: string) {
    super(message);
    this.name = 'RequestFailure';
    this.failure = {code, message};
  }
}

/** Where in the exchange it was when something went wrong. */
export type Phase = 'connecting' | 'tls' | 'waiting' | 'body';

export type ErrorContext = {
  /** The host as the URL names it. */
  host: string;
  /** `host:port`, brackets around IPv6 addresses. */
  where: string;
  phase: Phase;
  /** Body bytes received so far, on the wire. */
  received: number;
  /** The Content-Length of the response, when it had one. */
  expected: number | undefined;
};

export const maxResponseHeaderBytes = 16 * 1024;

export const insecureHint = '(use insecure mode, like curl -k, to skip verification)';

/** 2000 -> "2.0 s", 300 -> "0.3 s", 30000 -> "30 s". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return seconds >= 10 && Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}

export function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

export function receivedSoFar(received: number, expected: number | undefined): string {
  return expected === undefined
    ? `received ${formatBytes(received)}`
    : `received ${formatBytes(received)} of ${formatBytes(expected)}`;
}

type SystemError = Error & {
  code?: unknown;
  address?: unknown;
  port?: unknown;
  reason?: unknown;
};

/** Describes an error from a socket, the HTTP parser or TLS in the words of the exchange. */
export function describeError(error: unknown, context: ErrorContext): RequestError {
  if (error instanceof RequestFailure) return error.failure;
  const failure: SystemError = error instanceof Error ? error : new Error(String(error));
  const code = typeof failure.code === 'string' ? failure.code : '';
  const {where} = context;
  const peer =
    typeof failure.address === 'string' && typeof failure.port === 'number'
      ? hostPort(failure.address, failure.port)
      : where;
  const reason = typeof failure.reason === 'string' ? failure.reason : failure.message;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
    case 'EAI_FAIL':
      return {code: 'dns', message: `could not resolve host: ${context.host}`};
    case 'EAI_AGAIN':
      return {
        code: 'dns',
        message: `could not resolve host: ${context.host} (temporary DNS failure)`,
      };
    case 'ECONNREFUSED':
      return {code: 'refused', message: `connection refused by ${peer}`};
    case 'ETIMEDOUT':
      return {code: 'connect-timeout', message: `connection to ${peer} timed out`};
    case 'EHOSTUNREACH':
      return {code: 'network', message: `no route to host ${peer}`};
    case 'ENETUNREACH':
      return {
        code: 'network',
        message:
          typeof failure.address === 'string' && failure.address.includes(':')
            ? `network unreachable for ${peer}: this host has no route for IPv6 there`
            : `network unreachable for ${peer}`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'headers-too-large',
        message: `response headers exceed ${maxResponseHeaderBytes / 1024} KiB`,
      };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return closedEarly(failure.message, context);
  }
  if (code.startsWith('HPE_')) {
    return {code: 'protocol', message: `malformed response from ${where}: ${reason}`};
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return {code: 'tls', message: `TLS handshake with ${where} failed: ${reason}`};
  }
  return {code: 'network', message: `${where}: ${failure.message}`};
}

function closedEarly(message: string, context: ErrorContext): RequestError {
  const {where} = context;
  switch (context.phase) {
    case 'body':
      return {
        code: 'reset',
        message: `connection to ${where} closed before the body was complete (${receivedSoFar(context.received, context.expected)})`,
      };
    case 'waiting':
      return {code: 'reset', message: `connection closed by ${where} before a response arrived`};
    case 'tls':
      return {code: 'reset', message: `connection reset by ${where} during the TLS handshake`};
    case 'connecting':
      return {
        code: 'reset',
        message:
          message === 'socket hang up'
            ? `connection to ${where} closed`
            : `connection reset by ${where}`,
      };
  }
}
