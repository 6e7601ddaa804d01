/** Store updates of the Request pane that need no I/O. */
import type {PortholeStore} from '../../store/store.js';
import type {RequestForm, RequestState} from '../../store/request-state.js';
import type {HttpMethod} from '../../request/types.js';
import {httpMethods} from '../../request/types.js';

export function updateRequest(store: PortholeStore, patch: Partial<RequestState>): void {
  store.setState({request: {...store.getState().request, ...patch}});
}

export function asMethod(text: string | undefined): HttpMethod | undefined {
  const upper = text?.toUpperCase();
  return httpMethods.find((method) => method === upper);
}

/** Focuses the Request pane with a URL filled in, ready for Enter to send. */
export function openRequest(store: PortholeStore, url: string, method?: HttpMethod): void {
  const {request} = store.getState();
  store.setState({
    focus: 'request',
    editing: undefined,
    request: {
      ...request,
      url,
      method: method ?? request.method,
      field: 'url',
      caret: url.length,
      confirmResend: false,
      historyIndex: undefined,
    },
  });
}

export function fillForm(store: PortholeStore, form: Partial<RequestForm>): void {
  const {request} = store.getState();
  updateRequest(store, {...form, caret: (form.url ?? request.url).length, confirmResend: false});
}

/** Steps through history: -1 is older, +1 newer; past the newest the form is left as it is. */
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
  updateRequest(store, {
    historyIndex: index,
    method: asMethod(entry.method) ?? 'GET',
    url: entry.url,
    headers: entry.headers,
    body: entry.body,
    caret: entry.url.length,
    confirmResend: false,
  });
}
