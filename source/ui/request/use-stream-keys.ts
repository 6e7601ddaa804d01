/**
 * The Request pane's keys for a stream: the message line under a WebSocket's messages, the
 * stream's own keys (ping, close, reconnect, type a message) on the messages or events tab, and
 * the response keys that mean something else on a log (scrolling pauses following the tail,
 * End resumes it; on the messages or events tab `w` writes the log to a file). The request keys call
 * in first.
 */
import {notify, type PortholeStore} from '../../store/store.js';
import {
  responseTabs,
  type RequestState,
  type ResponseTab,
  type StreamFollow,
} from '../../store/request-state.js';
import type {RequestController} from '../../request/controller.js';
import type {Keymap} from '../keymap.js';
import {updateRequest} from './request-actions.js';
import {readMessageInput} from './message-input.js';
import {anchorAt, newestSeq, visibleLines, type StreamLine} from './stream-lines.js';
import {editWithKey} from './text-edit.js';

/** The log as the pane draws it: its lines and the rows it has for them. */
export type StreamLogView = {lines: readonly StreamLine[]; rows: number};

/** Whether the response area shows a stream's log: its tab, or a body still arriving. */
export function showsStream(request: RequestState): boolean {
  const {stream} = request;
  if (!stream || request.curl !== undefined) return false;
  if (stream.kind === 'body') {
    return (
      request.tab === 'body' &&
      request.inFlight !== undefined &&
      stream.status.state !== 'connecting'
    );
  }
  return request.tab === 'stream';
}

/** The response tabs, a stream's log among them while there is a WebSocket or an event stream. */
export function tabsShown(request: RequestState): readonly ResponseTab[] {
  const kind = request.stream?.kind;
  return kind === 'websocket' || kind === 'sse' ? [...responseTabs, 'stream'] : responseTabs;
}

/** A WebSocket that is open: it takes messages. */
export function takesMessages(request: RequestState): boolean {
  return request.stream?.kind === 'websocket' && request.stream.status.state === 'open';
}

function sendLine(store: PortholeStore, controller: RequestController): void {
  const {message} = store.getState().request;
  if (message === '') return updateRequest(store, {messageProblem: 'type a message first'});
  const read = readMessageInput(message);
  if ('problem' in read) return updateRequest(store, {messageProblem: read.problem});
  const {stream} = controller;
  let problem: string | undefined;
  if (read.send === 'text') problem = stream.sendText(read.text);
  else if (read.send === 'binary') problem = stream.sendBinary(read.bytes);
  else if (read.send === 'ping') problem = stream.ping();
  else stream.close(read.code, read.reason);
  // What was typed stays when it could not be sent.
  if (problem !== undefined) return updateRequest(store, {messageProblem: problem});
  updateRequest(store, {message: '', messageCaret: 0, messageProblem: undefined});
}

function messageKey(
  store: PortholeStore,
  keymap: Keymap,
  controller: RequestController,
  name: string,
  input: string,
): void {
  const action = keymap.action('message', name);
  if (action === 'leave-message') return store.setState({editing: undefined});
  if (action === 'send-message') return sendLine(store, controller);
  const {request} = store.getState();
  const edit = {
    text: request.message,
    caret: Math.min(request.messageCaret, request.message.length),
  };
  const next = editWithKey(edit, keymap.action('line', name), name, input, false);
  if (next && (next.text !== edit.text || next.caret !== edit.caret)) {
    updateRequest(store, {
      message: next.text,
      messageCaret: next.caret,
      ...(next.text === edit.text ? {} : {messageProblem: undefined}),
    });
  }
}

/** Holds the log at line `top` (or follows the tail again from its last screenful). */
function scrollLog(store: PortholeStore, view: StreamLogView, top: number): void {
  const {stream, streamFollow} = store.getState().request;
  if (!stream) return;
  const lastTop = Math.max(0, view.lines.length - view.rows);
  if (top >= lastTop) return updateRequest(store, {streamFollow: {paused: false}});
  const follow: StreamFollow = {
    paused: true,
    top: anchorAt(view.lines, Math.max(0, top)),
    seen: streamFollow.paused ? streamFollow.seen : newestSeq(stream),
  };
  updateRequest(store, {streamFollow: follow});
}

/**
 * Handles a key that means something for the stream shown; false leaves it to the request keys.
 */
export function streamKey(
  store: PortholeStore,
  keymap: Keymap,
  controller: RequestController,
  name: string,
  input: string,
  view: StreamLogView | undefined,
): boolean {
  const state = store.getState();
  const {request} = state;
  if (state.editing === 'message') {
    messageKey(store, keymap, controller, name, input);
    return true;
  }
  if (state.editing !== undefined || !view || !showsStream(request) || !request.stream)
    return false;
  const own = request.tab === 'stream' ? keymap.action('stream', name) : undefined;
  const problem = (text: string | undefined) => {
    if (text !== undefined) notify(store, text);
    return true;
  };
  switch (own) {
    case 'type-message':
      if (!takesMessages(request)) {
        return problem(
          request.stream.kind === 'websocket'
            ? 'the WebSocket is not open: R opens it again'
            : 'an event stream is one-way: nothing can be sent',
        );
      }
      store.setState({editing: 'message'});
      return true;
    case 'ping':
      return problem(controller.stream.ping());
    case 'close-stream':
      controller.stream.close();
      return true;
    case 'reconnect':
      controller.stream.reconnect();
      return true;
  }
  const {top} = visibleLines(view.lines, request.streamFollow, view.rows);
  const page = Math.max(1, view.rows - 1);
  switch (keymap.action('request', name)) {
    case 'scroll-up':
      scrollLog(store, view, top - page);
      return true;
    case 'scroll-down':
      if (request.streamFollow.paused) scrollLog(store, view, top + page);
      return true;
    case 'top':
      scrollLog(store, view, 0);
      return true;
    case 'bottom':
      updateRequest(store, {streamFollow: {paused: false}});
      return true;
    case 'save':
      // On a live body, w keeps its meaning (whole bodies to files); the log is saved from its tab.
      if (request.tab !== 'stream') return false;
      void controller.stream.save();
      return true;
    default:
      return false;
  }
}
