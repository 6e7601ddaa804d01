/** The Request pane's form and the exchange in flight or last finished. */
import type {HttpMethod, RequestResult, TranscriptLine} from '../request/types.js';
import type {HistoryEntry} from '../request/history.js';

export type RequestField = 'method' | 'url' | 'headers' | 'body';
export const requestFields: readonly RequestField[] = ['method', 'url', 'headers', 'body'];

export type ResponseTab = 'body' | 'headers' | 'timing' | 'transcript';
export const responseTabs: readonly ResponseTab[] = ['body', 'headers', 'timing', 'transcript'];

export type RequestForm = {
  method: HttpMethod;
  url: string;
  /** One `Name: value` per line. */
  headers: string;
  body: string;
};

export type RequestState = RequestForm & {
  field: RequestField;
  /** Caret offset in the focused text field while editing. */
  caret: number;
  followRedirects: boolean;
  insecure: boolean;
  /** Write each whole response body to a file under the state directory. */
  saveBodies: boolean;
  inFlight: {startedAt: number; transcript: TranscriptLine[]} | undefined;
  result: RequestResult | undefined;
  /** The form as last sent, to ask before re-sending a request that is not idempotent. */
  lastSent: RequestForm | undefined;
  confirmResend: boolean;
  tab: ResponseTab;
  scroll: number;
  search: string;
  history: HistoryEntry[];
  /** Position while walking history with up/down; undefined when editing a new request. */
  historyIndex: number | undefined;
  /** The last "copy as curl" command, shown for manual copy. */
  curl: string | undefined;
};

export const initialRequestState: RequestState = {
  method: 'GET',
  url: '',
  headers: '',
  body: '',
  field: 'url',
  caret: 0,
  followRedirects: false,
  insecure: false,
  saveBodies: false,
  inFlight: undefined,
  result: undefined,
  lastSent: undefined,
  confirmResend: false,
  tab: 'body',
  scroll: 0,
  search: '',
  history: [],
  historyIndex: undefined,
  curl: undefined,
};
