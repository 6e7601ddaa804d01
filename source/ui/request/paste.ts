/**
 * Pasted text in the Request pane: a curl command fills the whole form; anything else lands in the
 * field at the caret. Text that cannot be read stays where it was pasted with the reason beside it.
 */
import {notify, type PortholeStore} from '../../store/store.js';
import type {TextField} from '../../store/request-state.js';
import {looksLikeCurl, readPaste} from '../../request/plan-form.js';
import {fieldEdited, fillForm, updateRequest} from './request-actions.js';
import {insertText} from './text-edit.js';

/** Puts pasted text into `field` (the URL when the Method is selected); returns the field used. */
export function pasteText(store: PortholeStore, text: string, field: TextField): void {
  if (looksLikeCurl(text)) {
    const read = readPaste(text);
    if (typeof read !== 'string') {
      fillForm(store, read.form, {notes: read.notes, field: 'url', historyIndex: undefined});
      store.setState({editing: undefined});
      notify(store, 'form filled from the pasted curl command');
      return;
    }
    // Nothing pasted is lost: the raw text stays in the field, with why it was not read.
    insertInto(store, text, field);
    updateRequest(store, {fieldProblem: {field, text: `not read as curl: ${read}`}});
    notify(store, `not a curl command I can read: ${read}`);
    return;
  }
  insertInto(store, text, field);
}

function insertInto(store: PortholeStore, text: string, field: TextField): void {
  const request = store.getState().request;
  const multiline = field === 'headers' || field === 'body';
  const caret =
    request.field === field
      ? Math.min(request.caret, request[field].length)
      : request[field].length;
  const next = insertText({text: request[field], caret}, text, multiline);
  updateRequest(store, {field, [field]: next.text, caret: next.caret});
  store.setState({editing: 'field'});
  fieldEdited(store, field);
}
