/**
 * The curl -vv style transcript, told from the engine's events: `*` what happened, `>` what was
 * sent, `<` what came back. The lines are raw (a server's header is as it came); transcriptText
 * in describe.ts makes each one safe to show.
 */
import type {RequestEvent} from './events.js';
import {hostPort} from './errors.js';
import {tlsTranscript} from './tls-info.js';
import type {ConnectionInfo, TranscriptLine} from './types.js';

const info = (text: string): TranscriptLine => ({kind: 'info', text});

/** `12 s ago`, `3 min ago`, `just now`. */
function ago(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 120) return `${seconds} s ago`;
  return `${Math.round(seconds / 60)} min ago`;
}

function peerOf(connection: ConnectionInfo): string {
  if (connection.via !== undefined) {
    return `${hostPort(connection.remoteAddress, connection.remotePort)} via ${connection.via}`;
  }
  return connection.unixSocket ?? hostPort(connection.remoteAddress, connection.remotePort);
}

/** Which layer of the exchange a transcript line tells of, for the transcript tab's tag. */
export type TranscriptLayer = 'DNS' | 'TCP' | 'TLS' | 'HTTP';
export const transcriptLayers: readonly TranscriptLayer[] = ['DNS', 'TCP', 'TLS', 'HTTP'];

// The info lines' openings, as transcriptLines and tlsTranscript write them (and the errors'
// messages, errors.ts): what is not named here is HTTP, as every sent and received line is.
const layerOpenings: ReadonlyArray<[RegExp, TranscriptLayer]> = [
  [
    /^(Host \S+ was resolved|IPv[46]: |Added \S+ to DNS cache|Hostname \S+ was found in DNS cache|could not resolve host)/,
    'DNS',
  ],
  [
    /^ ?(SSL|ALPN|Server certificate:|subject|start date|expire date|issuer|public key hash|client certificate|TLS handshake)|during the TLS handshake/,
    'TLS',
  ],
  [
    /^(Connecting to|Trying |connect to |Connected to |Re-using existing connection|Closing connection|Connection #\d+ left intact|connection refused|connection to \S+ timed out|no route to host)/,
    'TCP',
  ],
];

/** The layer a line tells of: DNS, TCP, TLS, or HTTP for the request and response themselves. */
export function transcriptLayer(line: TranscriptLine): TranscriptLayer {
  if (line.kind !== 'info') return 'HTTP';
  for (const [opening, layer] of layerOpenings) if (opening.test(line.text)) return layer;
  return 'HTTP';
}

/** The lines one event adds to the transcript (often none). */
export function transcriptLines(event: RequestEvent): TranscriptLine[] {
  switch (event.type) {
    case 'route': {
      const lines: TranscriptLine[] = [];
      if (event.host !== undefined) lines.push(info(`Connecting to hostname: ${event.host}`));
      if (event.port !== undefined) lines.push(info(`Connecting to port: ${event.port}`));
      if (event.resolved !== undefined) {
        lines.push(
          info(`Added ${event.resolved.entry} to DNS cache`),
          info(`Hostname ${event.resolved.host} was found in DNS cache`),
        );
      }
      return lines;
    }
    case 'dns': {
      // As curl 8: the answers of the resolver, or of `localhost` answered without it.
      if ((event.source !== 'dns' && event.source !== 'localhost') || event.answers.length === 0) {
        return [];
      }
      const of = (family: 4 | 6) =>
        event.answers.filter((answer) => answer.family === family).map((answer) => answer.address);
      const lines = [info(`Host ${event.host} was resolved.`)];
      const six = of(6);
      const four = of(4);
      lines.push(info(`IPv6: ${six.length > 0 ? six.join(', ') : '(none)'}`));
      lines.push(info(`IPv4: ${four.length > 0 ? four.join(', ') : '(none)'}`));
      return lines;
    }
    case 'connect-attempt':
      return event.via === undefined
        ? [info(`Trying ${hostPort(event.address, event.port)}...`)]
        : [info(`Connecting to ${event.address} port ${event.port} via ${event.via}`)];
    case 'connect-failed': {
      const {attempt} = event;
      const outcome =
        attempt.outcome === 'timeout'
          ? 'timed out (trying the next address)'
          : `failed: ${attempt.error ?? 'unknown error'}`;
      return [info(`connect to ${attempt.address} port ${attempt.port} ${outcome}`)];
    }
    case 'connected': {
      const {connection} = event;
      if (connection.reused) {
        const opened = ago(performance.timeOrigin + event.at - connection.openedAt);
        return [
          info(
            `Re-using existing connection #${connection.id} with host ${event.host} (${peerOf(connection)}, opened ${opened}, ${connection.requests} requests)`,
          ),
        ];
      }
      if (connection.via !== undefined) {
        return [
          info(
            `Connected to ${event.host} (via ${connection.via}) port ${connection.remotePort} (#${connection.id})`,
          ),
        ];
      }
      if (connection.unixSocket !== undefined) {
        return [
          info(`Connected to ${event.host} (${connection.unixSocket}) port 0 (#${connection.id})`),
        ];
      }
      return [
        info(
          `Connected to ${event.host} (${connection.remoteAddress}) port ${connection.remotePort} (#${connection.id}) from local port ${connection.localPort}`,
        ),
      ];
    }
    case 'tls':
      return tlsTranscript(event.tls).map(info);
    case 'request-head': {
      const lines: TranscriptLine[] = [];
      if (event.stream !== undefined) {
        for (const [name, value] of event.fields ?? [])
          lines.push(info(`[HTTP/2] [${event.stream}] [${name}: ${value}]`));
        lines.push(info(`Using Stream ID: ${event.stream}`));
      }
      for (const line of event.lines) lines.push({kind: 'out', text: line});
      lines.push({kind: 'out', text: ''});
      return lines;
    }
    case 'continue-timeout':
      return [info('Done waiting for 100-continue')];
    case 'body-not-sent':
      return [info('the server answered before the body was sent: it was not sent')];
    case 'response-head':
      return [
        ...event.head.lines.map((text): TranscriptLine => ({kind: 'in', text})),
        {kind: 'in', text: ''},
        ...event.head.warnings.map((text) => info(`Warning: ${text}`)),
      ];
    case 'trailer':
      return [{kind: 'in', text: event.line}];
    case 'warning':
      return [info(`Warning: ${event.text}`)];
    case 'garbage':
      return event.text
        .split('\n')
        .map((line): TranscriptLine => ({kind: 'in', text: line.replace(/\r$/, '')}));
    case 'redirect':
      return [info(`Issue another request to this URL: '${event.to}'`)];
    case 'error':
      return [info(event.error.message)];
    case 'h2-reset':
      return [
        info(
          event.goaway
            ? `the server sent GOAWAY (${event.name}) on the HTTP/2 connection`
            : `HTTP/2 stream ${event.stream ?? '?'} was reset (${event.name})`,
        ),
      ];
    case 'closed':
      return event.id === undefined
        ? []
        : [
            info(
              event.kept
                ? `Connection #${event.id} left intact (${event.requests} ${event.requests === 1 ? 'request' : 'requests'})`
                : `Closing connection #${event.id}`,
            ),
          ];
    case 'request-body':
    case 'data':
    case 'end':
      return [];
  }
}
