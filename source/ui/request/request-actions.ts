/** Store updates of the Request pane that need no I/O. */
import type {PortholeStore} from '../../store/store.js';
import {
  emptyForm,
  type RequestState,
  type TextField,
  type WholeForm,
} from '../../store/request-state.js';
import {hostOf} from '../../request/credentials.js';
import {httpMethods, type HttpMethod} from '../../request/types.js';

export function updateRequest(store: PortholeStore, patch: Partial<RequestState>): void {
  store.setState({request: {...store.getState().request, ...patch}});
}

/** One of the seven common methods, by any spelling; undefined for another token. */
export function asMethod(text: string | undefined): HttpMethod | undefined {
  const upper = text?.toUpperCase();
  return httpMethods.find((method) => method === upper);
}

/**
 * Focuses the Request pane on a fresh GET to a URL, ready for Enter to send. Nothing of the
 * previous request comes along: its headers (a token), body and options were meant for another
 * service. `requestHost` is the host the URL is on, when it is not this machine (another host's
 * listener, as seen from that host).
 */
export function openRequest(
  store: PortholeStore,
  url: string,
  method = 'GET',
  requestHost?: string,
): void {
  store.setState({
    focus: 'request',
    editing: undefined,
    request: {
      ...store.getState().request,
      ...emptyForm,
      method,
      url,
      insecure: false,
      followRedirects: false,
      field: 'url',
      caret: url.length,
      confirmResend: false,
      historyIndex: undefined,
      fieldProblem: undefined,
      credentialHost: hostOf(url),
      curl: undefined,
      requestHost,
    },
  });
}

/** Fills the whole form (a paste, a history entry): its credentials belong to its URL's host. */
export function fillForm(store: PortholeStore, form: WholeForm, patch: Partial<RequestState> = {}) {
  updateRequest(store, {
    ...form,
    caret: form.url.length,
    confirmResend: false,
    fieldProblem: undefined,
    credentialHost: hostOf(form.url),
    // A pasted command or a history entry is sent from this machine.
    requestHost: undefined,
    ...patch,
  });
}

/**
 * After a text field changed by typing: credentials typed while the URL names a host are that
 * host's; a URL typed after them takes them along only while they have no host yet.
 */
export function fieldEdited(store: PortholeStore, field: TextField): void {
  const request = store.getState().request;
  const patch: Partial<RequestState> = {};
  if (request.fieldProblem?.field === field) patch.fieldProblem = undefined;
  // The URL is read only when credentials may have been entered: not on every key typed into it.
  if (field === 'headers' || field === 'options' || request.credentialHost === undefined) {
    const host = hostOf(request.url);
    if (host !== request.credentialHost) patch.credentialHost = host;
  }
  if (Object.keys(patch).length > 0) updateRequest(store, patch);
}

/**
 * Steps through history: -1 is older, +1 newer; past the newest the form is left as it is. Each
 * entry brings its own response when one is kept in memory, never the one of another request.
 */
export function recallHistory(store: PortholeStore, step: -1 | 1): void {
  const {request} = store.getState();
  const {history} = request;
  if (history.length === 0) return;
  const from = request.historyIndex ?? history.length;
  const index = Math.max(0, Math.min(history.length, from + step));
  const entry = history[index];
  if (!entry) {
    updateRequest(store, {historyIndex: undefined});
    return;
  }
  const form: WholeForm = {
    method: entry.method,
    url: entry.url,
    headers: entry.headers,
    body: entry.body,
    options: entry.options ?? '',
    insecure: entry.insecure ?? false,
    followRedirects: entry.followRedirects ?? false,
  };
  const kept = request.kept.find((each) => each.key === entry.at);
  fillForm(store, form, {
    historyIndex: index,
    result: kept?.result,
    answered: kept ?? {form, at: Date.parse(entry.at)},
    notes: kept?.notes ?? [],
    scroll: 0,
    column: 0,
    search: '',
    match: undefined,
    searchCaret: 0,
    curl: undefined,
  });
}
