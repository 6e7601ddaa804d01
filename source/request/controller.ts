/**
 * What the Request pane's keys set off: sending (with the engine), cancelling, history on disk,
 * copying as curl, and the stream a request opens (stream-control.ts). The pane's hook calls
 * these; the network and the disk are touched only here.
 */
import path from 'node:path';
import {
  localHostId,
  notify,
  type HostId,
  type OwnConnection,
  type PortholeStore,
} from '../store/store.js';
import {
  keptExchanges,
  sameForm,
  wholeForm,
  type KeptExchange,
  type RequestState,
  type WholeForm,
} from '../store/request-state.js';
import {methodSemantics, urlProblem} from './form.js';
import {hostOf, withoutCredentials} from './credentials.js';
import {appendHistory, historyFile, loadHistory, withEntry, type HistoryEntry} from './history.js';
import {credentialsIn, curlText, planForm} from './plan-form.js';
import {createConnectionPool, type ConnectionPool} from './pool.js';
import {nextExpiry, pruned, withClosed, withOpened} from './own-connections.js';
import type {RequestEvent, RequestOptions, RequestResult, TranscriptLine, Via} from './types.js';
import {isEventStreamType} from '../stream/event-stream.js';
import {header} from './response.js';
import type {ReadHead} from './events.js';
import type {StreamLimits, StreamSession} from '../stream/types.js';
import {createStreamControl, type StreamControl} from './stream-control.js';

export type RequestController = {
  /** Sends the form; asks first when re-sending a request that is not idempotent. */
  send(options?: {confirmed?: boolean}): void;
  cancel(): void;
  copyAsCurl(): void;
  loadHistory(): Promise<void>;
  /** Answers the password prompt (undefined: cancelled). */
  answerPassword(password: string | undefined): void;
  /** Resolves when the request in flight (if any) has finished; for tests and the soak. */
  settled(): Promise<void>;
  /**
   * Keep connections open per origin (on), or one connection per request (off: the kept ones
   * close, after the request in flight if there is one).
   */
  setKeepAlive(on: boolean): void;
  /** The stream the last request opened: its messages, ping, close, reconnect, save. */
  stream: Omit<StreamControl, 'attach' | 'switched' | 'bodyEnded' | 'clear' | 'dispose'>;
  /** Cancels the request in flight and closes the kept connections: the dashboard is leaving. */
  dispose(): void;
};

/** How often the transcript and byte count of a request in flight are shown as they grow. */
const transcriptFlushMs = 100;
/** Polls wait for a request at most this long (an event stream's head lets them go at once). */
const pollsHeldMs = 2000;
/** The body kept for the body tab, as the engine keeps one when not told otherwise. */
const shownBodyBytes = 2 * 1024 * 1024;

export type ControllerOptions = {
  send?: (options: RequestOptions) => Promise<RequestResult>;
  /** Where history lives; null keeps no history on disk. Default: the XDG state directory. */
  historyPath?: string | null;
  /** Writes text to the clipboard (OSC 52 on a terminal). */
  copy?: (text: string) => void;
  timeoutMs?: number;
  /**
   * Called when a request is about to be timed: resolves once the dashboard's own work (a poll
   * reading /proc) is out of the way, to a function that lets it go on. Without it, a poll that
   * ran beside the exchange would be counted in its phases.
   */
  quiet?: () => Promise<() => void>;
  /** Makes the pool that keeps connections open while `request.keepAlive` is on. */
  createPool?: () => ConnectionPool;
  /**
   * Load and warm the engine this long after start, in the background, so that the first
   * request neither waits for it nor is timed cold. Unset: with the first request.
   */
  prewarmAfterMs?: number;
  /** How long a frame may wait in the renderer's throttle; a request starts after it. */
  frameSettleMs?: number;
  /**
   * How a request sent from another host reaches it (an SSH channel from that host); undefined
   * for this machine, whose requests go out directly.
   */
  via?: (host: HostId) => Via | undefined;
  /** A stream's window (entries and bytes kept, the largest message taken); the defaults if unset. */
  streamLimits?: Partial<StreamLimits>;
};

/** A word as a POSIX shell reads it back: bare when it is safe, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

type Engine = {
  sendRequest(options: RequestOptions): Promise<RequestResult>;
  warmEngine?(options?: {thorough?: boolean}): Promise<void>;
};

/** The engine (and with it tls, zlib, dns and http2) loads with the first request or the prewarm, not at start. */
async function engineSend(request: RequestOptions): Promise<RequestResult> {
  const engine: Engine = await import('./send-request.js');
  // Loading and first-use work happen before the request starts, so no phase is charged for them.
  await engine.warmEngine?.({thorough: true});
  return engine.sendRequest(request);
}

export function createRequestController(
  store: PortholeStore,
  options: ControllerOptions = {},
): RequestController {
  const send = options.send ?? engineSend;
  if (options.send === undefined && options.prewarmAfterMs !== undefined) {
    setTimeout(() => {
      import('./send-request.js')
        .then((engine) => engine.warmEngine({thorough: true}))
        .catch(() => undefined);
      import('../stream/open.js').catch(() => undefined);
    }, options.prewarmAfterMs).unref();
  }
  const historyPath = options.historyPath === undefined ? historyFile() : options.historyPath;
  let historyOff = false;
  let abort: AbortController | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let passwordAnswer: ((password: string | undefined) => void) | undefined;
  let sending = false;
  const streams = createStreamControl(store, historyPath);

  // The connections kept open between requests, made with the first request that keeps one.
  let pool: ConnectionPool | undefined;
  let unsubscribePool: (() => void) | undefined;
  /** Connections seen in the pool: one that leaves it has closed. */
  const pooledIds = new Set<number>();

  // Our connections for the Sockets pane. Written to the store in batches, not at each event: a
  // render between the socket's events would be timed as the exchange's.
  let own = store.getState().ownConnections;
  let ownFlush: NodeJS.Timeout | undefined;
  let forgetTimer: NodeJS.Timeout | undefined;
  const publishOwn = () => {
    clearTimeout(ownFlush);
    ownFlush = undefined;
    own = pruned(own, Date.now());
    if (store.getState().ownConnections !== own) store.setState({ownConnections: own});
    clearTimeout(forgetTimer);
    const expiry = nextExpiry(own);
    if (expiry !== undefined) {
      forgetTimer = setTimeout(publishOwn, Math.max(0, expiry - Date.now()) + 50);
      forgetTimer.unref();
    }
  };
  const ownChanged = (next: readonly OwnConnection[]) => {
    if (next === own) return;
    own = next;
    if (ownFlush === undefined) {
      ownFlush = setTimeout(publishOwn, transcriptFlushMs);
      ownFlush.unref();
    }
  };
  /** The pool's connections now: one seen before and gone has closed. */
  const poolChanged = () => {
    if (!pool) return;
    let next = own;
    const open = new Set<number>();
    for (const info of pool.open()) {
      open.add(info.id);
      pooledIds.add(info.id);
      if (!next.some((each) => each.id === info.id)) next = withOpened(next, info);
    }
    const gone = [...pooledIds].filter((id) => !open.has(id));
    for (const id of gone) pooledIds.delete(id);
    ownChanged(withClosed(next, gone, Date.now()));
  };
  const ownEvent = (event: RequestEvent, ids: Set<number>) => {
    if (event.type === 'connected') {
      ids.add(event.connection.id);
      ownChanged(withOpened(own, event.connection));
    } else if (event.type === 'closed' && !event.kept && event.id !== undefined) {
      ownChanged(withClosed(own, [event.id], Date.now()));
    }
  };
  const closePool = () => {
    if (!pool) return;
    pool.close();
    poolChanged();
    unsubscribePool?.();
    unsubscribePool = undefined;
    pool = undefined;
    // Whatever the pool did not report is closed now.
    ownChanged(withClosed(own, pooledIds, Date.now()));
    pooledIds.clear();
    publishOwn();
  };
  const poolForRequest = (): ConnectionPool | undefined => {
    if (!store.getState().request.keepAlive) {
      closePool();
      return undefined;
    }
    if (!pool) {
      pool = (options.createPool ?? createConnectionPool)();
      unsubscribePool = pool.subscribe(poolChanged);
    }
    return pool;
  };

  const update = (patch: Partial<RequestState>) =>
    store.setState({request: {...store.getState().request, ...patch}});

  /** The pane asks for the password in a masked prompt; Esc answers undefined. */
  const askPassword = (user: string) =>
    new Promise<string | undefined>((resolve) => {
      passwordAnswer = resolve;
      update({passwordPrompt: {user, text: ''}});
      store.setState({editing: 'field'});
    });

  async function exchange(form: WholeForm, notes: string[]) {
    const request = store.getState().request;
    const planned = await planForm(form, {askPassword});
    if (typeof planned === 'string') {
      update({notes: [...notes, `not sent: ${planned}`]});
      notify(store, `not sent: ${planned}`);
      return;
    }
    // The stream adapters (and the ws library) load with the first request, as the engine does.
    const {isWebSocketRequest, openStream} = await import('../stream/open.js');
    const controller = new AbortController();
    abort = controller;
    const startedAt = Date.now();
    const allNotes = [...notes, ...planned.notes];
    // A new request ends the stream of the one before (a WebSocket with close 1000).
    streams.clear();
    update({
      inFlight: {startedAt, transcript: [], bodyBytes: 0},
      confirmResend: false,
      lastSent: form,
      credentialHost: hostOf(form.url),
      notes: allNotes,
    });
    const savedTo =
      request.saveBodies && historyPath
        ? path.join(
            path.dirname(historyPath),
            'bodies',
            `${new Date(startedAt).toISOString().replaceAll(':', '-')}.body`,
          )
        : undefined;
    // Let the screen show "sending" first: React renders a store change in a microtask, the
    // terminal gets the frame when the renderer's throttle lets it, and a frame written after
    // the connection started would be counted as the exchange's time (the dashboard's first
    // request showed connect 3.1 ms and first byte 3.5 ms, where the engine alone has 0.35 and 1.1).
    await new Promise((resolve) => setImmediate(resolve));
    if (options.frameSettleMs !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, options.frameSettleMs));
    }
    // The live transcript and byte count reach the screen in batches: a render per line would run
    // on this same thread between the socket's events and delay them, and the timings would show
    // our own work (measured on loopback before: connect 7-18 ms shown, where curl sees 0.5 ms).
    const pending: TranscriptLine[] = [];
    let bodyBytes = 0;
    let firstBodyAt: number | undefined;
    let flush: NodeJS.Timeout | undefined;
    const showPending = () => {
      flush = undefined;
      const current = store.getState().request.inFlight;
      if (current) {
        update({
          inFlight: {
            ...current,
            transcript: [...current.transcript, ...pending.splice(0)],
            bodyBytes,
            firstBodyAt,
          },
        });
      }
    };
    const holding = (await options.quiet?.()) ?? (() => undefined);
    let resumed = false;
    const resume = () => {
      if (resumed) return;
      resumed = true;
      clearTimeout(holdLimit);
      holding();
    };
    // A stream may run for hours: the polls are held back while a request is timed, not longer.
    const holdLimit = setTimeout(resume, pollsHeldMs);
    holdLimit.unref();
    let result: RequestResult;
    const opened = new Set<number>();
    const requestPool = poolForRequest();
    // Sent from the host of the listener it was opened from; typed or pasted, from this machine.
    const via = options.via?.(store.getState().request.requestHost ?? localHostId);
    const webSocket = isWebSocketRequest(planned.options);
    let session: StreamSession | undefined;
    try {
      const requestOptions: RequestOptions = {
        ...planned.options,
        ...(via ? {via} : {}),
        timeoutMs: planned.options.timeoutMs ?? options.timeoutMs,
        saveBodyTo: savedTo,
        signal: controller.signal,
        pool: requestPool,
        onEvent(event) {
          // A connection from another host is not one of this machine's sockets.
          if (!via) ownEvent(event, opened);
          if (event.type === 'response-head' && !event.informational && eventStream(event.head))
            resume();
          planned.options.onEvent?.(event);
        },
        onTranscript(line) {
          pending.push(line);
          flush ??= setTimeout(showPending, transcriptFlushMs);
        },
        // A count, not the chunks: taking every chunk would make the engine decode a whole
        // compression bomb that the pane only ever shows 2 MiB of.
        onBodyProgress(wireBytes) {
          firstBodyAt ??= Date.now();
          bodyBytes = wireBytes;
          flush ??= setTimeout(showPending, transcriptFlushMs);
        },
      };
      if (webSocket) {
        // The handshake's connection becomes the WebSocket's: it is not one to keep in the pool.
        session = openStream({
          ...requestOptions,
          pool: undefined,
          saveBodyTo: undefined,
          limits: options.streamLimits,
          send,
        });
      } else if (planned.options.compressed !== true) {
        // Read as it arrives: an event stream as events, any other body live as curl -N shows it.
        // A compressed body is not: passing its chunks on would decode all of it (a bomb too).
        session = openStream({
          ...requestOptions,
          maxBodyBytes: planned.options.maxBodyBytes ?? shownBodyBytes,
          limits: options.streamLimits,
          send,
        });
      }
      if (session) {
        streams.attach(session);
        result = await session.opened;
      } else result = await send(requestOptions);
    } finally {
      resume();
      // A connection of this request that is not kept in the pool has closed, said so or not;
      // one that became a WebSocket's closes with it.
      const kept = new Set(pool?.open().map((info) => info.id));
      const ended = [...opened].filter((id) => !kept.has(id));
      const closeOwn = () => {
        ownChanged(withClosed(own, ended, Date.now()));
        publishOwn();
      };
      if (webSocket && session?.snapshot().status.state === 'open')
        void session.done.then(closeOwn);
      else closeOwn();
    }
    clearTimeout(flush);
    abort = undefined;
    if (session && webSocket) {
      if (result.response?.status === 101 && result.error === undefined) streams.switched(session);
      else {
        allNotes.push(`no WebSocket: ${notSwitched(result)}`);
        streams.clear();
      }
    } else if (session) streams.bodyEnded(session);
    const entry: HistoryEntry = {
      at: new Date(startedAt).toISOString(),
      method: form.method,
      url: form.url,
      headers: form.headers,
      body: form.body,
      ...(form.options ? {options: form.options} : {}),
      ...(form.insecure ? {insecure: true} : {}),
      ...(form.followRedirects ? {followRedirects: true} : {}),
      status: result.response?.status,
      error: result.error?.message,
    };
    const kept: KeptExchange = {key: entry.at, form, at: startedAt, result, notes: allNotes};
    const state = store.getState().request;
    update({
      inFlight: undefined,
      result,
      notes: allNotes,
      answered: {form, at: startedAt},
      scroll: 0,
      column: 0,
      // A new response is searched afresh.
      search: '',
      match: undefined,
      searchCaret: 0,
      historyIndex: undefined,
      history: withEntry(state.history, entry),
      kept: [...state.kept, kept].slice(-keptExchanges),
    });
    if (store.getState().editing === 'search') store.setState({editing: undefined});
    if (historyPath && !historyOff) {
      const problem = await appendHistory(historyPath, entry);
      // A state directory that cannot be written (no HOME, a read-only disk, another user's home)
      // will not be writable at the next request either: said once, then history stays in memory.
      if (problem && !historyOff) {
        historyOff = true;
        notify(store, `history off (kept for this run only): ${problem}`);
      }
    }
  }

  return {
    send({confirmed = false} = {}) {
      const request = store.getState().request;
      // One exchange at a time: a second Enter must not silently cancel (or repeat) the first. An
      // event stream is the exception: it never ends by itself, and the new request ends it.
      const replacing = request.inFlight !== undefined && streams.live() && !passwordAnswer;
      if ((request.inFlight && !replacing) || passwordAnswer) {
        notify(store, 'a request is in flight: Esc cancels it');
        return;
      }
      let form = wholeForm(request);
      form = {...form, url: form.url.trim()};
      const problem = urlProblem(form.url);
      if (problem) {
        notify(store, `not sent: ${problem}`);
        return;
      }
      // Credentials entered for one host do not silently go to another (curl drops them on a
      // redirect to another host): judged on send, against the host they were entered for.
      const notes: string[] = [];
      const host = hostOf(form.url);
      const from = request.credentialHost;
      if (from !== undefined && host !== undefined && from !== host) {
        const stripped = withoutCredentials(form);
        const left = credentialsIn({...form, ...stripped.form});
        if (left.length > 0) {
          notify(
            store,
            `not sent: ${left.join(', ')} was entered for ${from}, not ${host}; remove it from the form to send`,
          );
          return;
        }
        if (stripped.dropped.length > 0) {
          form = {...form, ...stripped.form};
          notes.push(
            `dropped ${stripped.dropped.join(', ')}: the host changed from ${from} to ${host}`,
          );
          update({headers: form.headers, options: form.options});
        }
      }
      const repeat = sameForm(request.lastSent, form) && !methodSemantics(form.method).idempotent;
      if (repeat && !confirmed) {
        update({confirmResend: true});
        return;
      }
      update({confirmResend: false, curl: undefined});
      sending = true;
      if (replacing) streams.close();
      const before = replacing ? inFlight : Promise.resolve();
      inFlight = before
        .then(() => exchange(form, notes))
        .catch((error: unknown) => {
          abort = undefined;
          update({inFlight: undefined});
          notify(
            store,
            `request failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        })
        .finally(() => {
          sending = false;
          // Keep-alive was turned off while this request was in flight.
          if (!store.getState().request.keepAlive) closePool();
        });
    },
    cancel() {
      if (store.getState().request.confirmResend) update({confirmResend: false});
      // Esc stops what is going on: the request in flight, else an open stream.
      if (abort) abort.abort();
      else if (streams.live()) streams.close();
    },
    answerPassword(password) {
      const answer = passwordAnswer;
      passwordAnswer = undefined;
      update({passwordPrompt: undefined});
      store.setState({editing: undefined});
      if (password === undefined)
        notify(store, 'not sent: no password given (the form is as it was)');
      answer?.(password);
    },
    copyAsCurl() {
      const request = store.getState().request;
      const curl = curlText(wholeForm(request));
      // Sent from another host's side: the same curl, run there.
      const command =
        typeof curl === 'string' && request.requestHost !== undefined
          ? `ssh ${shellWord(request.requestHost)} -- ${shellWord(curl)}`
          : curl;
      if (typeof command === 'string') {
        options.copy?.(command);
        update({curl: command, curlRevealed: false});
        notify(
          store,
          'copied as curl (OSC 52 clipboard, where the terminal allows); shown in the response area',
        );
      } else notify(store, `cannot copy as curl: ${command.problem}`);
    },
    async loadHistory() {
      if (!historyPath) return;
      const history = await loadHistory(historyPath);
      update({history});
    },
    settled: () => inFlight,
    setKeepAlive(on) {
      update({keepAlive: on});
      if (!on && !sending) closePool();
    },
    stream: {
      live: () => streams.live(),
      sendText: (text) => streams.sendText(text),
      sendBinary: (bytes) => streams.sendBinary(bytes),
      ping: () => streams.ping(),
      close: (code, reason) => streams.close(code, reason),
      reconnect: () => streams.reconnect(),
      save: () => streams.save(),
    },
    dispose() {
      abort?.abort();
      streams.dispose();
      closePool();
      clearTimeout(ownFlush);
      clearTimeout(forgetTimer);
    },
  };
}

/** Why a handshake did not open a WebSocket, in one line: the answer, or the error. */
function notSwitched(result: RequestResult): string {
  if (result.error) return result.error.message.split('\n', 1)[0] ?? '';
  const response = result.response;
  if (!response) return 'no answer';
  return `the server answered ${`${response.status} ${response.statusText}`.trim()}, not 101 Switching Protocols`;
}

function eventStream(head: ReadHead): boolean {
  return isEventStreamType(header(head.headers, 'content-type'));
}
