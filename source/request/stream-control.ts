/**
 * The Request pane's stream: the session the last request opened (a WebSocket, an event stream, a
 * body still arriving), its snapshots put in the store as the session tells of changes (at most
 * every 100 ms), and what the pane's keys do to it: send, ping, close, reconnect, save. One at a
 * time: a new one closes the one before.
 */
import {mkdir} from 'node:fs/promises';
import path from 'node:path';
import {notify, type PortholeStore} from '../store/store.js';
import type {RequestState} from '../store/request-state.js';
import type {StreamSession} from '../stream/types.js';

export type StreamControl = {
  /** Shows this session from now on (the one before is closed). */
  attach(session: StreamSession): void;
  /** A WebSocket's handshake was answered with a 101: its messages are shown, its line ready. */
  switched(session: StreamSession): void;
  /** The request that opened a live body is over: the body view takes over from the live one. */
  bodyEnded(session: StreamSession): void;
  /** No stream any more (closed first): a request that opened none, a refused handshake. */
  clear(): void;
  /** A WebSocket or an event stream is open (not a body: that one ends by itself). */
  live(): boolean;
  sendText(text: string): string | undefined;
  sendBinary(bytes: Uint8Array): string | undefined;
  ping(): string | undefined;
  close(code?: number, reason?: string): void;
  reconnect(): void;
  /** Writes the log to a new file under the state directory, and everything after it. */
  save(): Promise<void>;
  dispose(): void;
};

const noStream = 'no stream is open: Enter sends the request';

/** Where `w` writes a stream: beside the history file, one JSON Lines file per save. */
export function streamSaveFile(historyPath: string, at = Date.now()): string {
  return path.join(
    path.dirname(historyPath),
    'streams',
    `${new Date(at).toISOString().replaceAll(':', '-')}.jsonl`,
  );
}

export function createStreamControl(
  store: PortholeStore,
  historyPath: string | null,
): StreamControl {
  let session: StreamSession | undefined;
  let unsubscribe: (() => void) | undefined;
  /** The tab moved to the log once for this session (a person may move away again). */
  let shownOnce = false;

  const update = (patch: Partial<RequestState>) =>
    store.setState({request: {...store.getState().request, ...patch}});

  const publish = (from: StreamSession) => {
    if (from !== session) return;
    const snapshot = from.snapshot();
    const request = store.getState().request;
    const patch: Partial<RequestState> = {stream: snapshot};
    // The events are what an event stream is about: shown as soon as the head says it is one.
    if (!shownOnce && snapshot.kind === 'sse') {
      shownOnce = true;
      Object.assign(patch, {tab: 'stream', scroll: 0, column: 0});
    }
    if (snapshot.status.state === 'closed' && store.getState().editing === 'message') {
      store.setState({editing: undefined});
    }
    if (request.stream?.version === snapshot.version && patch.tab === undefined) return;
    update(patch);
  };

  const detach = () => {
    unsubscribe?.();
    unsubscribe = undefined;
    session = undefined;
  };

  const live = () =>
    session !== undefined &&
    session.kind !== 'body' &&
    store.getState().request.stream?.status.state !== 'closed';

  // Leaving the pane ends its stream: nobody is reading it, and it would run on unseen.
  const unsubscribeFocus = store.subscribe((state, previous) => {
    if (previous.focus === 'request' && state.focus !== 'request' && live()) session?.close();
  });

  return {
    attach(next) {
      if (session && session !== next) session.close();
      detach();
      session = next;
      shownOnce = false;
      const request = store.getState().request;
      update({
        stream: next.snapshot(),
        streamFollow: {paused: false},
        messageProblem: undefined,
        ...(request.tab === 'stream' ? {tab: 'body'} : {}),
      });
      unsubscribe = next.subscribe(() => publish(next));
      void next.done.then(() => publish(next));
    },
    switched(opened) {
      if (opened !== session || shownOnce) return;
      shownOnce = true;
      update({stream: opened.snapshot(), tab: 'stream', scroll: 0, column: 0});
      const state = store.getState();
      if (state.focus === 'request' && state.editing === undefined && live()) {
        store.setState({editing: 'message'});
      }
    },
    clear() {
      session?.close();
      detach();
      const request = store.getState().request;
      if (request.stream !== undefined || request.tab === 'stream') {
        update({
          stream: undefined,
          streamFollow: {paused: false},
          ...(request.tab === 'stream' ? {tab: 'body'} : {}),
        });
      }
      if (store.getState().editing === 'message') store.setState({editing: undefined});
    },
    bodyEnded(ended) {
      if (ended !== session || ended.kind !== 'body') return;
      detach();
      update({stream: undefined, streamFollow: {paused: false}});
    },
    live,
    sendText: (text) => (session ? session.sendText(text) : noStream),
    sendBinary: (bytes) => (session ? session.sendBinary(bytes) : noStream),
    ping: () => (session ? session.ping() : noStream),
    close(code, reason) {
      session?.close(code, reason);
    },
    reconnect() {
      session?.reconnect();
    },
    async save() {
      if (!session) return notify(store, 'not saved: no stream is shown');
      if (!historyPath) {
        return notify(
          store,
          'not saved: history is off, so there is no state directory to save in',
        );
      }
      const saving = session;
      const file = streamSaveFile(historyPath);
      try {
        await mkdir(path.dirname(file), {recursive: true, mode: 0o700});
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        return notify(store, `not saved: cannot make ${path.dirname(file)}: ${code}`);
      }
      const problem = await saving.saveTo(file);
      publish(saving);
      notify(
        store,
        problem === undefined ? `saving the stream to ${file}` : `not saved: ${problem}`,
      );
    },
    dispose() {
      unsubscribeFocus();
      session?.close();
      detach();
    },
  };
}
