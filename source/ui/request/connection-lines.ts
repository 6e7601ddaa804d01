/**
 * Where an exchange went, under the timing waterfall: the name and every answer it had, each
 * address tried and how that went, and the connection (new or re-used, its local port, how many
 * requests it has carried). Pure; every value from outside is sanitized.
 */
import {hostPort} from '../../request/errors.js';
import type {ConnectAttempt, RequestResult} from '../../request/types.js';
import {formatDuration} from '../../format.js';
import {sanitizeLine} from '../../sanitize.js';

const sources = {
  dns: 'system resolver',
  resolve: 'given by --resolve',
  address: 'an address: no lookup',
  'unix-socket': 'a Unix socket: no lookup',
  localhost: 'loopback by name: no lookup',
  via: 'resolved on the far side',
} as const;

function attemptText(attempt: ConnectAttempt): string {
  const outcome =
    attempt.outcome === 'failed'
      ? `failed (${attempt.error ?? 'unknown error'})`
      : attempt.outcome === 'timeout'
        ? 'too slow, next tried'
        : attempt.outcome === 'abandoned'
          ? 'given up: another connected first'
          : attempt.outcome;
  const took = attempt.ms === undefined ? '' : ` in ${formatDuration(attempt.ms)}`;
  return `${hostPort(attempt.address, attempt.port)} ${outcome}${took}`;
}

/** `12 s ago`, `3 min ago`. */
function ago(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

export function connectionLines(result: RequestResult, now = Date.now()): string[] {
  const lines: string[] = [];
  const {dns, connection} = result;
  if (dns !== undefined && dns.source !== 'unix-socket') {
    const answers =
      dns.answers.length === 0
        ? 'no answer'
        : dns.answers.map((answer) => `${answer.address} (IPv${answer.family})`).join(', ');
    const took = dns.ms === undefined ? '' : `, ${formatDuration(dns.ms)}`;
    const only = dns.family === undefined ? '' : `, IPv${dns.family} only`;
    lines.push(`dns        ${dns.host} → ${answers} · ${sources[dns.source]}${took}${only}`);
    dns.attempts.forEach((attempt, index) => {
      lines.push(`${index === 0 ? 'tried' : ''}`.padEnd(11) + attemptText(attempt));
    });
  }
  if (connection !== undefined) {
    const where =
      connection.unixSocket ??
      (connection.via === undefined
        ? undefined
        : `${hostPort(connection.remoteAddress, connection.remotePort)} via ${connection.via}`) ??
      `${hostPort(connection.localAddress, connection.localPort)} → ${hostPort(connection.remoteAddress, connection.remotePort)}`;
    const state = connection.reused
      ? `re-used, opened ${ago(now - connection.openedAt)}, ${connection.requests} requests`
      : 'new';
    lines.push(`connection #${connection.id} ${connection.protocol} · ${where} · ${state}`);
  }
  return lines.map((line) => sanitizeLine(line));
}
