import {notify, type PortholeStore} from '../../store/store.js';
import {requestFields, responseTabs, type RequestField} from '../../store/request-state.js';
import {nextMethod} from '../../request/form.js';
import {parseCurl} from '../../request/curl.js';
import {typedText} from '../../sanitize.js';
import {useKeymap, usePortholeStore, useRequestController} from '../store-context.js';
import {usePaneInput} from '../use-pane-input.js';
import {asMethod, fillForm, recallHistory, updateRequest} from './request-actions.js';
import {findLine} from './response-lines.js';
import {
  backspace,
  deleteForward,
  deleteToLineStart,
  deleteWord,
  insertText,
  lineEnd,
  lineStart,
  moveCaret,
  moveLine,
  type Edit,
} from './text-edit.js';

type TextField = Exclude<RequestField, 'method'>;

const caretKeys: Record<string, (edit: Edit) => Edit> = {
  left: (edit) => moveCaret(edit, -1),
  right: (edit) => moveCaret(edit, 1),
  home: lineStart,
  'ctrl-a': lineStart,
  end: lineEnd,
  'ctrl-e': lineEnd,
  backspace,
  'ctrl-d': deleteForward,
  'ctrl-w': deleteWord,
  'ctrl-u': deleteToLineStart,
};

/** A pasted `curl ...` command fills the whole form instead of landing in the URL. */
function pastedCurl(store: PortholeStore, input: string): boolean {
  if (input.length < 6 || !/^\s*curl\s/.test(input)) return false;
  const parsed = parseCurl(input);
  if (typeof parsed === 'string') {
    notify(store, `not a curl command I can read: ${parsed}`);
    return true;
  }
  const method = asMethod(parsed.method);
  fillForm(store, {
    method: method ?? 'GET',
    url: parsed.url,
    headers: parsed.headers,
    body: parsed.body,
  });
  updateRequest(store, {insecure: parsed.insecure, followRedirects: parsed.followRedirects});
  if (!method) notify(store, `${parsed.method} is not one of the panel's methods; using GET`);
  notify(store, 'form filled from the pasted curl command');
  return true;
}

function editField(store: PortholeStore, name: string, input: string): void {
  const request = store.getState().request;
  const field = request.field as TextField;
  const multiline = field !== 'url';
  const edit: Edit = {text: request[field], caret: Math.min(request.caret, request[field].length)};
  const apply = (next: Edit) => updateRequest(store, {[field]: next.text, caret: next.caret});

  const caretMove = caretKeys[name];
  if (caretMove) return apply(caretMove(edit));
  if (name === 'up' || name === 'down') {
    if (multiline) return apply(moveLine(edit, name === 'up' ? -1 : 1));
    return recallHistory(store, name === 'up' ? -1 : 1);
  }
  if (name === 'enter') return apply(insertText(edit, '\n', true));
  if (name.length > 1 && name !== 'space' && input.length <= 1) return; // an unbound special key
  const text = name === 'space' ? ' ' : input;
  if (field === 'url' && pastedCurl(store, text)) {
    store.setState({editing: undefined});
    return;
  }
  apply(insertText(edit, text, multiline));
}

function searchKey(store: PortholeStore, name: string, input: string, lines: readonly string[]) {
  const {request} = store.getState();
  if (name === 'esc') {
    store.setState({editing: undefined});
    updateRequest(store, {search: ''});
  } else if (name === 'enter') {
    store.setState({editing: undefined});
    const found = findLine(lines, request.search, 0);
    if (found === undefined && request.search) notify(store, `no match for ${request.search}`);
    else if (found !== undefined) updateRequest(store, {scroll: found});
  } else if (name === 'backspace') {
    updateRequest(store, {search: request.search.slice(0, -1)});
  } else {
    const text = typedText(input);
    if (text) updateRequest(store, {search: (request.search + text).slice(0, 200)});
  }
}

function toggle(
  store: PortholeStore,
  key: 'followRedirects' | 'insecure' | 'saveBodies',
  words: [string, string],
) {
  const value = !store.getState().request[key];
  updateRequest(store, {[key]: value});
  notify(store, value ? words[0] : words[1]);
}

/** The Request pane's keys: the form, sending, and reading the response. */
export function useRequestKeys(lines: readonly string[]): void {
  const store = usePortholeStore();
  const keymap = useKeymap();
  const controller = useRequestController();
  usePaneInput('request', (name, input) => {
    const state = store.getState();
    const {request} = state;
    if (state.editing === 'field') {
      const action = keymap.action('editing', name);
      if (action === 'done') store.setState({editing: undefined});
      else if (action === 'send' || (name === 'enter' && request.field === 'url')) {
        store.setState({editing: undefined});
        controller.send();
      } else if (
        (action === 'history-back' || action === 'history-forward') &&
        request.field === 'url'
      ) {
        recallHistory(store, action === 'history-back' ? -1 : 1);
      } else editField(store, name, input);
      return;
    }
    if (state.editing === 'search') return searchKey(store, name, input, lines);
    if (request.curl !== undefined) updateRequest(store, {curl: undefined});
    if (request.confirmResend) {
      if (keymap.action('request', name) === 'confirm') controller.send({confirmed: true});
      else updateRequest(store, {confirmResend: false});
      return;
    }

    const action = keymap.action('request', name);
    const fieldIndex = requestFields.indexOf(request.field);
    const scrollTo = (line: number) =>
      updateRequest(store, {scroll: Math.max(0, Math.min(Math.max(0, lines.length - 1), line))});
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
      case 'tab': {
        const tab = responseTabs[(responseTabs.indexOf(request.tab) + 1) % responseTabs.length];
        return updateRequest(store, {tab: tab ?? 'body', scroll: 0});
      }
      case 'scroll-up':
        return scrollTo(request.scroll - 10);
      case 'scroll-down':
        return scrollTo(request.scroll + 10);
      case 'top':
        return scrollTo(0);
      case 'bottom':
        return scrollTo(lines.length - 1);
      case 'search':
        store.setState({editing: 'search'});
        return updateRequest(store, {search: ''});
      case 'next-match': {
        const found = findLine(lines, request.search, request.scroll + 1);
        if (found === undefined)
          notify(store, request.search ? `no match for ${request.search}` : 'press / to search');
        else scrollTo(found);
        return;
      }
      case 'follow':
        return toggle(store, 'followRedirects', [
          'following redirects (up to 10), as curl -L',
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
      case 'curl':
        return controller.copyAsCurl();
      case 'history-back':
        return recallHistory(store, -1);
      case 'history-forward':
        return recallHistory(store, 1);
    }
    if (request.field === 'method' && (name === 'left' || name === 'right')) {
      updateRequest(store, {method: nextMethod(request.method)});
    }
  });
}
