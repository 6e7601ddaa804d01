/**
 * `porthole --url X`: X is a URL or a whole curl command (`curl -H 'A: b' localhost:8080/x`), read
 * by the same reader as a paste into the Request pane. A command that cannot be read is kept in
 * the URL field as typed, with the reason beside it, so nothing given is lost.
 */
import {withScheme} from '../request/curl/index.js';
import {looksLikeCurl, readPaste} from '../request/plan-form.js';
import {emptyForm, type WholeForm} from '../store/request-state.js';

export type UrlFlagForm = {
  form: WholeForm;
  notes: string[];
  /** Why the text could not be read as a curl command. */
  problem?: string;
};

/** The Request pane's form for --url (and -X, which names the method over the command's). */
export function formOfUrlFlag(text: string, method?: string): UrlFlagForm {
  const blank: WholeForm = {...emptyForm, insecure: false, followRedirects: false};
  const withMethod = (form: WholeForm) => (method === undefined ? form : {...form, method});
  if (looksLikeCurl(text)) {
    const read = readPaste(text);
    if (typeof read === 'string') {
      return {
        form: withMethod({...blank, url: text}),
        notes: [],
        problem: `not read as curl: ${read}`,
      };
    }
    return {form: withMethod(read.form), notes: read.notes};
  }
  // As curl: a URL without a scheme is http.
  const url = text.trim() === '' ? '' : withScheme(text);
  return {form: withMethod({...blank, url}), notes: []};
}
