/** The Request pane's form and the exchange in flight or last finished. */
import type {RequestResult, TranscriptLine} from '../request/types.js';
import type {HistoryEntry} from '../request/history.js';
import type {StreamSnapshot} from '../stream/types.js';

export type RequestField = 'method' | 'url' | 'headers' | 'body' | 'options';
export const requestFields: readonly RequestField[] = [
  'method',
  'url',
  'headers',
  'body',
  'options',
];
export type TextField = Exclude<RequestField, 'method'>;

/** `stream`: a WebSocket's messages or an event stream's events, shown while there is a stream. */
export type ResponseTab = 'body' | 'headers' | 'timing' | 'tls' | 'transcript' | 'stream';
export const responseTabs: readonly ResponseTab[] = [
  'body',
  'headers',
  'timing',
  'tls',
  'transcript',
];

/**
 * Where a stream's log is read: at its tail as entries arrive, or held where the person scrolled
 * to (the first line shown: the `line`th line of entry `seq`), with the newest entry seen then.
 */
export type StreamFollow =
  {paused: false} | {paused: true; top: {seq: number; line: number}; seen: number};

/** The form's text fields; with the two toggles it is a whole curl command (a CurlForm). */
export type RequestForm = {
  /** Any token, shown and sent as typed. */
  method: string;
  url: string;
  /** One curl -H argument per line (`Name: value`, `Name;` sends it empty, `Name:` removes it). */
  headers: string;
  body: string;
  /** Every other curl option, as shell words (`--compressed -u bob`). */
  options: string;
};

/** The whole form as curl takes it: the fields and the -k / -L toggles. */
export type WholeForm = RequestForm & {insecure: boolean; followRedirects: boolean};

/** What a shown response answers: the form as it was sent, and when. */
export type Answered = {form: WholeForm; at: number};

/** A finished exchange kept in memory for its history entry (keyed by the entry's `at`). */
export type KeptExchange = Answered & {key: string; result: RequestResult; notes: string[]};

/** Results kept in memory for history entries; older ones are shown as "no response kept". */
export const keptExchanges = 20;

export type RequestState = RequestForm & {
  field: RequestField;
  /** Caret offset in the focused text field while editing. */
  caret: number;
  followRedirects: boolean;
  insecure: boolean;
  /** Write each whole response body to a file under the state directory. */
  saveBodies: boolean;
  /** Keep connections open per origin and send the next request on them. */
  keepAlive: boolean;
  inFlight:
    | {startedAt: number; transcript: TranscriptLine[]; bodyBytes: number; firstBodyAt?: number}
    | undefined;
  result: RequestResult | undefined;
  /** The request `result` answers (or the history entry shown, whose result may not be kept). */
  answered: Answered | undefined;
  /** One-line remarks about the request shown: dropped credentials, ignored options, plan notes. */
  notes: string[];
  /** Why the text left in a field could not be read (a paste that is not a curl command). */
  fieldProblem: {field: TextField; text: string} | undefined;
  /** The host the form's credentials were entered for or last sent to. */
  credentialHost: string | undefined;
  /** The form as last sent, to ask before re-sending a request that is not idempotent. */
  lastSent: WholeForm | undefined;
  confirmResend: boolean;
  tab: ResponseTab;
  scroll: number;
  /** Columns scrolled sideways, when long lines are not wrapped. */
  column: number;
  wrap: boolean;
  search: string;
  searchCaret: number;
  /** The match last shown, where `n` goes on from. */
  match: {line: number; column: number} | undefined;
  history: HistoryEntry[];
  /** Position while walking history with up/down; undefined when editing a new request. */
  historyIndex: number | undefined;
  kept: KeptExchange[];
  /** The last "copy as curl" command, shown for manual copy. */
  curl: string | undefined;
  curlRevealed: boolean;
  /** A password asked for before sending (`-u user` without one); typed text is never shown. */
  passwordPrompt: {user: string; text: string} | undefined;
  /**
   * The host whose listener the request goes to, when it is not this machine (a row of another
   * host's sockets): the URL is as seen on that host, so the request is to be carried over SSH.
   */
  requestHost: string | undefined;
  /**
   * The stream the last request opened (a WebSocket, an event stream, a body still arriving), as
   * its session last showed it; kept after it closed until the next request.
   */
  stream: StreamSnapshot | undefined;
  streamFollow: StreamFollow;
  /** The WebSocket message line: what is typed, the caret, and why the last send did not go. */
  message: string;
  messageCaret: number;
  messageProblem: string | undefined;
};

export const emptyForm: RequestForm = {method: 'GET', url: '', headers: '', body: '', options: ''};

export const initialRequestState: RequestState = {
  ...emptyForm,
  field: 'url',
  caret: 0,
  followRedirects: false,
  insecure: false,
  saveBodies: false,
  keepAlive: true,
  inFlight: undefined,
  result: undefined,
  answered: undefined,
  notes: [],
  fieldProblem: undefined,
  credentialHost: undefined,
  lastSent: undefined,
  confirmResend: false,
  tab: 'body',
  scroll: 0,
  column: 0,
  wrap: false,
  search: '',
  searchCaret: 0,
  match: undefined,
  history: [],
  historyIndex: undefined,
  kept: [],
  requestHost: undefined,
  curl: undefined,
  curlRevealed: false,
  passwordPrompt: undefined,
  stream: undefined,
  streamFollow: {paused: false},
  message: '',
  messageCaret: 0,
  messageProblem: undefined,
};

export function wholeForm(request: RequestState): WholeForm {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
    options: request.options,
    insecure: request.insecure,
    followRedirects: request.followRedirects,
  };
}

export function sameForm(a: WholeForm | undefined, b: WholeForm): boolean {
  return (
    a !== undefined &&
    a.method === b.method &&
    a.url.trim() === b.url.trim() &&
    a.headers === b.headers &&
    a.body === b.body &&
    a.options === b.options &&
    a.insecure === b.insecure &&
    a.followRedirects === b.followRedirects
  );
}
