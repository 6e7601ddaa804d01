import {notify, type PortholeStore} from '../../store/store.js';
import {requestFields, type RequestState, type TextField} from '../../store/request-state.js';
import {nextMethod, previousMethod} from '../../request/form.js';
import type {RequestController} from '../../request/controller.js';
import type {Keymap} from '../keymap.js';
import {useKeymap, usePortholeStore, useRequestController} from '../store-context.js';
import {usePaneInput} from '../use-pane-input.js';
import {fieldEdited, recallHistory, updateRequest} from './request-actions.js';
import {findMatch} from './response-lines.js';
import {httpVersionLabel, nextHttpVersion} from './http-version.js';
import {pasteText} from './paste.js';
import {editWithKey, insertText, moveLine, type Edit} from './text-edit.js';
import {streamKey, tabsShown, type StreamLogView} from './use-stream-keys.js';

/** What the response area shows, as the keys need it: its lines and the room it has. */
export type ResponseView = {
  lines: readonly string[];
  rows: number;
  width: number;
  /** A stream's log, when the response area shows one instead. */
  stream?: StreamLogView | undefined;
};

const multiline = (field: TextField) => field === 'headers' || field === 'body';

/** A plain paste (no bracketed-paste markers) of several lines or a curl command. */
function isPaste(input: string): boolean {
  return [...input].length > 1 && (/[\r\n]/.test(input) || /^\s*(?:\$\s+)?curl\s/.test(input));
}

function editField(store: PortholeStore, keymap: Keymap, name: string, input: string): void {
  const request = store.getState().request;
  const field = request.field as TextField;
  if (name === 'paste' || (field === 'url' && isPaste(input)))
    return pasteText(store, input, field);
  const edit: Edit = {text: request[field], caret: Math.min(request.caret, request[field].length)};
  const apply = (next: Edit) => {
    if (next.text === edit.text && next.caret === edit.caret) return;
    updateRequest(store, {[field]: next.text, caret: next.caret});
    if (next.text !== edit.text) fieldEdited(store, field);
  };
  if (name === 'up' || name === 'down') {
    if (multiline(field)) apply(moveLine(edit, name === 'up' ? -1 : 1));
    else if (field === 'url') recallHistory(store, name === 'up' ? -1 : 1);
    return;
  }
  if (name === 'enter') return apply(insertText(edit, '\n', true));
  const next = editWithKey(edit, keymap.action('line', name), name, input, multiline(field));
  if (next) apply(next);
}

/** Scrolls sideways so that a match at `column` is in view (long lines are not wrapped). */
function columnFor(request: RequestState, at: number, length: number, width: number): number {
  if (request.wrap) return 0;
  if (at >= request.column && at + length <= request.column + width) return request.column;
  return Math.max(0, at - Math.floor(width / 3));
}

function showMatch(store: PortholeStore, view: ResponseView, from: number): void {
  const {request} = store.getState();
  const found = findMatch(view.lines, request.search, from);
  if (!found) {
    notify(store, request.search ? `no match for ${request.search}` : 'press / to search');
    return;
  }
  const lastTop = Math.max(0, view.lines.length - view.rows);
  updateRequest(store, {
    match: found,
    scroll: Math.min(found.line, lastTop),
    column: columnFor(request, found.column, request.search.length, view.width),
  });
}

function searchKey(
  store: PortholeStore,
  keymap: Keymap,
  name: string,
  input: string,
  view: ResponseView,
) {
  const {request} = store.getState();
  if (name === 'esc') {
    store.setState({editing: undefined});
    updateRequest(store, {search: '', searchCaret: 0, match: undefined});
  } else if (name === 'enter') {
    store.setState({editing: undefined});
    if (request.search) showMatch(store, view, request.scroll);
    else updateRequest(store, {match: undefined});
  } else {
    const edit = {
      text: request.search,
      caret: Math.min(request.searchCaret, request.search.length),
    };
    const next = editWithKey(edit, keymap.action('line', name), name, input, false);
    if (next)
      updateRequest(store, {
        search: next.text.slice(0, 200),
        searchCaret: Math.min(next.caret, 200),
      });
  }
}

function passwordKey(
  controller: RequestController,
  store: PortholeStore,
  name: string,
  input: string,
) {
  const prompt = store.getState().request.passwordPrompt;
  if (!prompt) return;
  if (name === 'esc' || name === 'ctrl-c') return controller.answerPassword(undefined);
  if (name === 'enter') return controller.answerPassword(prompt.text);
  let text = prompt.text;
  if (name === 'backspace') text = [...text].slice(0, -1).join('');
  else if (name === 'ctrl-u') text = '';
  else if (name === 'space') text += ' ';
  else if (name === 'paste' || name.length === 1 || [...input].length > 1) {
    text = insertText({text, caret: text.length}, input, false).text;
  }
  updateRequest(store, {passwordPrompt: {...prompt, text}});
}

function toggle(
  store: PortholeStore,
  key: 'followRedirects' | 'insecure' | 'saveBodies' | 'wrap',
  words: [string, string],
) {
  const value = !store.getState().request[key];
  updateRequest(store, {[key]: value, ...(key === 'wrap' ? {column: 0} : {})});
  notify(store, value ? words[0] : words[1]);
}

/** The Request pane's keys: the form, sending, and reading the response. */
export function useRequestKeys(view: ResponseView): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const controller = useRequestController();
  usePaneInput('request', (name, input) => {
    const state = store.getState();
    const {request} = state;
    if (request.passwordPrompt) return passwordKey(controller, store, name, input);
    if (streamKey(store, keymap, controller, name, input, view.stream)) return;
    if (state.editing === 'field') {
      const action = keymap.action('editing', name);
      const sendsOnEnter = request.field === 'url' || request.field === 'options';
      if (action === 'done') store.setState({editing: undefined});
      else if (action === 'send' || (name === 'enter' && sendsOnEnter)) {
        store.setState({editing: undefined});
        controller.send();
      } else editField(store, keymap, name, input);
      return;
    }
    if (state.editing === 'search') return searchKey(store, keymap, name, input, view);
    const action = keymap.action('request', name);
    if (request.curl !== undefined) {
      if (action === 'reveal') return updateRequest(store, {curlRevealed: !request.curlRevealed});
      updateRequest(store, {curl: undefined, curlRevealed: false});
    }
    if (name === 'paste') {
      const field = request.field === 'method' ? 'url' : request.field;
      return pasteText(store, input, field);
    }
    if (request.confirmResend) {
      if (action === 'confirm') controller.send({confirmed: true});
      else updateRequest(store, {confirmResend: false});
      return;
    }

    const fieldIndex = requestFields.indexOf(request.field);
    const {lines, rows} = view;
    const lastTop = Math.max(0, lines.length - rows);
    const scrollTo = (line: number) =>
      updateRequest(store, {scroll: Math.max(0, Math.min(lastTop, line))});
    const sideways = (step: number) =>
      updateRequest(store, {column: request.wrap ? 0 : Math.max(0, request.column + step)});
    switch (action) {
      case 'send':
        return controller.send();
      case 'cancel':
        return controller.cancel();
      case 'edit':
        if (request.field === 'method')
          return updateRequest(store, {method: nextMethod(request.method)});
        store.setState({editing: 'field'});
        return updateRequest(store, {caret: request[request.field].length});
      case 'previous-field':
      case 'next-field': {
        const step = action === 'next-field' ? 1 : -1;
        const field =
          requestFields[(fieldIndex + step + requestFields.length) % requestFields.length];
        return updateRequest(store, {field: field ?? 'url'});
      }
      case 'method':
        return updateRequest(store, {method: nextMethod(request.method)});
      case 'previous-method':
        return updateRequest(store, {method: previousMethod(request.method)});
      case 'tab': {
        const tabs = tabsShown(request);
        const tab = tabs[(tabs.indexOf(request.tab) + 1) % tabs.length];
        return updateRequest(store, {tab: tab ?? 'body', scroll: 0, column: 0});
      }
      case 'scroll-up':
        return scrollTo(request.scroll - Math.max(1, rows - 1));
      case 'scroll-down':
        return scrollTo(request.scroll + Math.max(1, rows - 1));
      case 'scroll-left':
        return sideways(-Math.max(1, Math.floor(view.width / 2)));
      case 'scroll-right':
        return sideways(Math.max(1, Math.floor(view.width / 2)));
      case 'top':
        return updateRequest(store, {scroll: 0, column: 0});
      case 'bottom':
        // The last screenful, not the last line alone.
        return scrollTo(lastTop);
      case 'wrap':
        return toggle(store, 'wrap', [
          'long lines wrapped',
          'long lines cut (← → scroll sideways)',
        ]);
      case 'search':
        store.setState({editing: 'search'});
        return updateRequest(store, {search: '', searchCaret: 0, match: undefined});
      case 'next-match':
        return showMatch(store, view, (request.match?.line ?? request.scroll - 1) + 1);
      case 'follow':
        return toggle(store, 'followRedirects', [
          'following redirects (up to 50, as curl -L)',
          'not following redirects',
        ]);
      case 'insecure':
        return toggle(store, 'insecure', [
          'TLS certificates NOT verified (as curl -k)',
          'TLS certificates verified',
        ]);
      case 'save':
        return toggle(store, 'saveBodies', [
          'whole bodies will be saved to files',
          'bodies no longer saved',
        ]);
      case 'keep-alive':
        controller.setKeepAlive(!request.keepAlive);
        return notify(
          store,
          request.keepAlive
            ? 'a new connection for each request (kept connections closed)'
            : 'connections kept open per origin and used again',
        );
      case 'http-version': {
        const next = nextHttpVersion(request.options);
        updateRequest(store, {options: next.options});
        fieldEdited(store, 'options');
        return notify(store, `${httpVersionLabel(next.version)} (in the options)`);
      }
      case 'curl':
        return controller.copyAsCurl();
      case 'history-back':
        return recallHistory(store, -1);
      case 'history-forward':
        return recallHistory(store, 1);
    }
  });
}
