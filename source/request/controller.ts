/**
 * What the Request pane's keys set off: sending (with the engine), cancelling, history on disk and
 * copying as curl. The pane's hook calls these; the network and the disk are touched only here.
 */
import path from 'node:path';
import {notify, type PortholeStore} from '../store/store.js';
import type {RequestForm, RequestState} from '../store/request-state.js';
import {formProblem, methodSemantics} from './form.js';
import {parseHeaderLines} from './header-lines.js';
import {appendHistory, historyFile, loadHistory} from './history.js';
import {toCurl} from './curl.js';
import type {RequestOptions, RequestResult, TranscriptLine} from './types.js';

export type RequestController = {
  /** Sends the form; asks first when re-sending a request that is not idempotent. */
  send(options?: {confirmed?: boolean}): void;
  cancel(): void;
  copyAsCurl(): void;
  loadHistory(): Promise<void>;
  /** Resolves when the request in flight (if any) has finished; for tests and the soak. */
  settled(): Promise<void>;
};

/** How often the transcript of a request in flight is shown as it grows. */
const transcriptFlushMs = 100;

export type ControllerOptions = {
  send?: (options: RequestOptions) => Promise<RequestResult>;
  /** Where history lives; null keeps no history. Default: the XDG state directory. */
  historyPath?: string | null;
  /** Writes text to the clipboard (OSC 52 on a terminal). */
  copy?: (text: string) => void;
  timeoutMs?: number;
};

function sameForm(a: RequestForm | undefined, b: RequestForm): boolean {
  return (
    a !== undefined &&
    a.method === b.method &&
    a.url === b.url &&
    a.headers === b.headers &&
    a.body === b.body
  );
}

function formOf(request: RequestState): RequestForm {
  return {
    method: request.method,
    url: request.url.trim(),
    headers: request.headers,
    body: request.body,
  };
}

export function createRequestController(
  store: PortholeStore,
  options: ControllerOptions = {},
): RequestController {
  // The engine (and with it tls, zlib and dns) loads with the first request, not at start.
  const send =
    options.send ??
    ((request: RequestOptions) =>
      import('./send-request.js').then(({sendRequest}) => sendRequest(request)));
  const historyPath = options.historyPath === undefined ? historyFile() : options.historyPath;
  let abort: AbortController | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const update = (patch: Partial<RequestState>) =>
    store.setState({request: {...store.getState().request, ...patch}});

  async function exchange(form: RequestForm, request: RequestState) {
    const parsed = parseHeaderLines(form.headers);
    const headers = typeof parsed === 'string' ? [] : parsed;
    const controller = new AbortController();
    abort = controller;
    const startedAt = Date.now();
    update({inFlight: {startedAt, transcript: []}, confirmResend: false, lastSent: form});
    const savedTo =
      request.saveBodies && historyPath
        ? path.join(
            path.dirname(historyPath),
            'bodies',
            `${new Date(startedAt).toISOString().replaceAll(':', '-')}.body`,
          )
        : undefined;
    // Let the screen show "sending" first: React renders a store change in a microtask, and a
    // render that ran after the connection started would be counted as connect time.
    await new Promise((resolve) => setImmediate(resolve));
    // The live transcript reaches the screen in batches: a render per line would run on this same
    // thread between the socket's events and delay them, and the timings would show our own work
    // (measured on loopback before: connect 7-18 ms shown, where curl sees 0.5 ms).
    const pending: TranscriptLine[] = [];
    let flush: NodeJS.Timeout | undefined;
    const showPending = () => {
      flush = undefined;
      const current = store.getState().request.inFlight;
      if (current && pending.length > 0) {
        update({inFlight: {...current, transcript: [...current.transcript, ...pending.splice(0)]}});
      }
    };
    const result = await send({
      url: form.url,
      method: form.method,
      headers,
      body: form.body === '' ? undefined : form.body,
      followRedirects: request.followRedirects,
      insecure: request.insecure,
      timeoutMs: options.timeoutMs,
      saveBodyTo: savedTo,
      signal: controller.signal,
      onTranscript(line) {
        pending.push(line);
        flush ??= setTimeout(showPending, transcriptFlushMs);
      },
    });
    clearTimeout(flush);
    abort = undefined;
    update({inFlight: undefined, result, scroll: 0, historyIndex: undefined});
    if (historyPath) {
      const entry = {
        at: new Date(startedAt).toISOString(),
        ...form,
        status: result.response?.status,
        error: result.error?.message,
      };
      const problem = await appendHistory(historyPath, entry);
      if (problem) notify(store, `history not saved: ${problem}`);
      else update({history: [...store.getState().request.history, entry].slice(-200)});
    }
  }

  return {
    send({confirmed = false} = {}) {
      const request = store.getState().request;
      // One exchange at a time: a second Enter must not silently cancel (or repeat) the first.
      if (request.inFlight) {
        notify(store, 'a request is in flight: Esc cancels it');
        return;
      }
      const form = formOf(request);
      const problem = formProblem(form);
      if (problem) {
        notify(store, `not sent: ${problem}`);
        return;
      }
      const repeat = sameForm(request.lastSent, form) && !methodSemantics(form.method).idempotent;
      if (repeat && !confirmed) {
        update({confirmResend: true});
        return;
      }
      inFlight = exchange(form, request).catch((error: unknown) => {
        update({inFlight: undefined});
        notify(store, `request failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
    cancel() {
      if (store.getState().request.confirmResend) update({confirmResend: false});
      abort?.abort();
    },
    copyAsCurl() {
      const request = store.getState().request;
      const command = toCurl({
        ...formOf(request),
        insecure: request.insecure,
        followRedirects: request.followRedirects,
      });
      options.copy?.(command);
      update({curl: command});
      notify(
        store,
        'copied as curl (OSC 52 clipboard, where the terminal allows); also shown below',
      );
    },
    async loadHistory() {
      if (!historyPath) return;
      const history = await loadHistory(historyPath);
      update({history});
    },
    settled: () => inFlight,
  };
}
