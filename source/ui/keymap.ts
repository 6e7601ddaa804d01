/**
 * Every key binding of the dashboard. The help overlay and the footer hints are generated from this
 * table, so keys and help never disagree; config key overrides replace a binding's keys by action.
 */
import type {Key} from 'ink';
import type {LineAction} from './request/text-edit.js';
import {isInkKeyRun} from '../ink/input.js';

/**
 * Every scope's actions. A key hook switches on these, so a misspelt action is a compile error,
 * and the table below must describe each one (a missing or extra entry does not compile either).
 */
export type ScopeActions = {
  global: 'quit' | 'next-pane' | 'previous-pane' | 'help' | 'explain' | 'pause' | 'suspend';
  help: 'close-help' | 'up' | 'down';
  explain: 'close-explain' | 'up' | 'down';
  hosts: 'up' | 'down' | 'first' | 'last' | 'show-host';
  addresses: 'up' | 'down';
  sockets:
    | 'up'
    | 'down'
    | 'page-up'
    | 'page-down'
    | 'first'
    | 'last'
    | 'filter'
    | 'all-states'
    | 'exposed-only'
    | 'all-hosts'
    | 'tcp'
    | 'udp'
    | 'ipv4'
    | 'ipv6'
    | 'sort'
    | 'events'
    | 'open-request';
  events:
    | 'up'
    | 'down'
    | 'page-up'
    | 'page-down'
    | 'first'
    | 'last'
    | 'filter'
    | 'exposed-only'
    | 'tcp'
    | 'udp'
    | 'ipv4'
    | 'ipv6'
    | 'events';
  filter: 'filter-done' | 'filter-clear';
  request:
    | 'send'
    | 'edit'
    | 'previous-field'
    | 'next-field'
    | 'method'
    | 'previous-method'
    | 'cancel'
    | 'tab'
    | 'scroll-up'
    | 'scroll-down'
    | 'top'
    | 'bottom'
    | 'scroll-left'
    | 'scroll-right'
    | 'wrap'
    | 'search'
    | 'next-match'
    | 'follow'
    | 'insecure'
    | 'save'
    | 'keep-alive'
    | 'http-version'
    | 'curl'
    | 'reveal'
    | 'history-back'
    | 'history-forward'
    | 'confirm';
  stream: 'type-message' | 'ping' | 'close-stream' | 'reconnect';
  message: 'send-message' | 'leave-message';
  editing: 'done' | 'send' | 'history-back' | 'history-forward';
  line: LineAction;
};

export type Scope = keyof ScopeActions;
/** An action of one scope; `Action` alone is any scope's. */
export type Action<S extends Scope = Scope> = ScopeActions[S];

export type Binding<S extends Scope = Scope> = {
  action: Action<S>;
  scope: S;
  keys: string[];
  /** What the help overlay says. */
  help: string;
  /** A short label for the footer; bindings without one appear only in the help. */
  hint?: string;
};

/** A binding as the table gives it: its scope and action are where it stands in the table. */
type Entry = {keys: string[]; help: string; hint?: string};

export const scopeTitles: Record<Scope, string> = {
  global: 'Everywhere',
  help: 'Help',
  explain: 'Explain panel (after i)',
  hosts: 'Hosts (when there is more than one)',
  addresses: 'Addresses',
  sockets: 'Sockets',
  events: 'Sockets events (after e)',
  filter: 'Sockets filter (after /)',
  request: 'Request',
  stream: 'Request: a stream (the messages or events tab)',
  message: 'Request: the message line (WebSocket)',
  editing: 'Editing a request field',
  line: 'In any text field (URL, headers, body, options, search, filter)',
};

/** The keys and help of every action, scope by scope, in the order the help lists them. */
const table: {[S in Scope]: Record<Action<S>, Entry>} = {
  global: {
    quit: {keys: ['q', 'ctrl-c'], help: 'quit', hint: 'quit'},
    'next-pane': {keys: ['tab'], help: 'focus the next pane', hint: 'pane'},
    'previous-pane': {keys: ['shift-tab'], help: 'focus the previous pane'},
    help: {keys: ['?'], help: 'show or hide this help', hint: 'help'},
    explain: {
      keys: ['i'],
      help: 'explain the selected address, socket or response in plain words',
      hint: 'explain',
    },
    pause: {keys: ['p'], help: 'pause or resume polling', hint: 'pause'},
    suspend: {keys: ['ctrl-z'], help: 'suspend to the shell (fg resumes)'},
  },
  help: {
    'close-help': {keys: ['esc', '?', 'q'], help: 'close the help'},
    up: {keys: ['up', 'k'], help: 'scroll the help up'},
    down: {keys: ['down', 'j'], help: 'scroll the help down'},
  },
  explain: {
    'close-explain': {keys: ['esc', 'i', 'q'], help: 'close the explanation'},
    up: {keys: ['up', 'k'], help: 'scroll the explanation up'},
    down: {keys: ['down', 'j'], help: 'scroll the explanation down'},
  },
  hosts: {
    up: {keys: ['up', 'k'], help: 'previous host'},
    down: {keys: ['down', 'j'], help: 'next host', hint: 'move'},
    first: {keys: ['g', 'home'], help: 'first host'},
    last: {keys: ['G', 'end'], help: 'last host'},
    'show-host': {
      keys: ['enter'],
      help: 'show the selected host in the other panes',
      hint: 'show',
    },
  },
  addresses: {
    up: {keys: ['up', 'k'], help: 'scroll up'},
    down: {keys: ['down', 'j'], help: 'scroll down', hint: 'scroll'},
  },
  sockets: {
    up: {keys: ['up', 'k'], help: 'previous row'},
    down: {keys: ['down', 'j'], help: 'next row'},
    'page-up': {keys: ['pageup'], help: 'page up'},
    'page-down': {keys: ['pagedown'], help: 'page down'},
    first: {keys: ['g', 'home'], help: 'first row'},
    last: {keys: ['G', 'end'], help: 'last row'},
    filter: {keys: ['/'], help: 'filter by port, address, process or state', hint: 'filter'},
    'all-states': {keys: ['a'], help: 'listening only / all states', hint: 'all'},
    'exposed-only': {
      keys: ['x'],
      help: 'only listeners other hosts can reach',
      hint: 'exposed',
    },
    'all-hosts': {keys: ['H'], help: 'this host / every host in one table (HOST column)'},
    tcp: {keys: ['t'], help: 'show or hide TCP'},
    udp: {keys: ['u'], help: 'show or hide UDP'},
    ipv4: {keys: ['4'], help: 'show or hide IPv4'},
    ipv6: {keys: ['6'], help: 'show or hide IPv6'},
    sort: {keys: ['s'], help: 'sort by port, state, process or queue', hint: 'sort'},
    events: {keys: ['e'], help: 'table / events (ports opened and closed)', hint: 'events'},
    'open-request': {
      keys: ['enter'],
      help: 'send a request to the selected listener',
      hint: 'request',
    },
  },
  events: {
    up: {keys: ['up', 'k'], help: 'scroll up'},
    down: {keys: ['down', 'j'], help: 'scroll down', hint: 'scroll'},
    'page-up': {keys: ['pageup'], help: 'page up'},
    'page-down': {keys: ['pagedown'], help: 'page down'},
    first: {keys: ['g', 'home'], help: 'newest event'},
    last: {keys: ['G', 'end'], help: 'oldest event'},
    filter: {
      keys: ['/'],
      help: 'filter by port, address or process (as the table)',
      hint: 'filter',
    },
    'exposed-only': {
      keys: ['x'],
      help: 'only listeners other hosts can reach',
      hint: 'exposed',
    },
    tcp: {keys: ['t'], help: 'show or hide TCP'},
    udp: {keys: ['u'], help: 'show or hide UDP'},
    ipv4: {keys: ['4'], help: 'show or hide IPv4'},
    ipv6: {keys: ['6'], help: 'show or hide IPv6'},
    events: {keys: ['e'], help: 'back to the table', hint: 'table'},
  },
  filter: {
    'filter-done': {keys: ['enter'], help: 'keep the filter'},
    'filter-clear': {keys: ['esc'], help: 'clear the filter'},
  },
  request: {
    send: {keys: ['enter', 'ctrl-s'], help: 'send the request', hint: 'send'},
    edit: {keys: ['e'], help: 'edit the selected field', hint: 'edit'},
    'previous-field': {keys: ['up', 'k'], help: 'previous field'},
    'next-field': {keys: ['down', 'j'], help: 'next field'},
    method: {keys: ['m'], help: 'next method', hint: 'method'},
    'previous-method': {keys: ['M'], help: 'previous method'},
    cancel: {keys: ['esc'], help: 'cancel the request in flight'},
    tab: {keys: ['v'], help: 'show body / headers / timing / tls / transcript', hint: 'view'},
    'scroll-up': {keys: ['pageup', 'K'], help: 'scroll the response up'},
    'scroll-down': {keys: ['pagedown', 'J'], help: 'scroll the response down'},
    top: {keys: ['g', 'home'], help: 'top of the response'},
    bottom: {keys: ['G', 'end'], help: 'end of the response'},
    'scroll-left': {keys: ['left'], help: 'scroll long lines left'},
    'scroll-right': {keys: ['right'], help: 'scroll long lines right'},
    wrap: {keys: ['W'], help: 'wrap long lines on/off'},
    search: {keys: ['/'], help: 'search the response'},
    'next-match': {keys: ['n'], help: 'next match'},
    follow: {keys: ['f'], help: 'follow redirects on/off (curl -L)'},
    insecure: {keys: ['!'], help: 'skip TLS verification on/off (curl -k)'},
    save: {
      keys: ['w'],
      help: 'save whole bodies to files on/off (on a stream: write its log to a file, as it comes)',
    },
    'keep-alive': {keys: ['a'], help: 'keep connections open per origin on/off'},
    'http-version': {keys: ['2'], help: 'HTTP version: auto, 1.1, 2, prior knowledge'},
    curl: {keys: ['c'], help: 'copy as curl (OSC 52 clipboard, also shown)', hint: 'curl'},
    reveal: {keys: ['r'], help: 'show the copied curl command unmasked / masked'},
    'history-back': {keys: ['['], help: 'older request from history'},
    'history-forward': {keys: [']'], help: 'newer request from history'},
    confirm: {keys: ['y'], help: 'confirm re-sending'},
  },
  stream: {
    'type-message': {keys: ['>'], help: 'type a message to send (WebSocket)', hint: 'message'},
    ping: {
      keys: ['ctrl-p'],
      help: 'send a ping (WebSocket; /ping in the message line)',
      hint: 'ping',
    },
    'close-stream': {
      keys: ['x'],
      help: 'close the stream (WebSocket: close 1000; /close CODE REASON in the message line)',
      hint: 'close',
    },
    reconnect: {
      keys: ['R'],
      help: 'open the stream again (an event stream sends Last-Event-ID)',
      hint: 'reconnect',
    },
  },
  message: {
    'send-message': {
      keys: ['enter'],
      help: 'send the line as a text message; hex:0a1b sends binary; /ping; /close CODE REASON',
      hint: 'send (hex:… binary, /close CODE REASON)',
    },
    'leave-message': {keys: ['esc'], help: 'leave the message line', hint: 'done'},
  },
  editing: {
    done: {keys: ['esc'], help: 'stop editing', hint: 'done'},
    send: {keys: ['ctrl-s'], help: 'send (Enter also sends from the URL)', hint: 'send'},
    'history-back': {keys: ['up'], help: 'URL: older request from history'},
    'history-forward': {keys: ['down'], help: 'URL: newer request from history'},
  },
  line: {
    'line-start': {keys: ['ctrl-a', 'home'], help: 'start of line', hint: 'start'},
    'line-end': {keys: ['ctrl-e', 'end'], help: 'end of line', hint: 'end'},
    'char-back': {keys: ['left', 'ctrl-b'], help: 'one character back'},
    'char-forward': {keys: ['right', 'ctrl-f'], help: 'one character forward'},
    'word-back': {keys: ['alt-b'], help: 'one word back', hint: 'word←'},
    'word-forward': {keys: ['alt-f'], help: 'one word forward', hint: 'word→'},
    'delete-back': {keys: ['backspace'], help: 'delete the character before'},
    'delete-forward': {keys: ['ctrl-d'], help: 'delete the character under the caret'},
    'delete-word-back': {keys: ['ctrl-w'], help: 'delete the word before', hint: 'del word'},
    'delete-to-start': {keys: ['ctrl-u'], help: 'delete to the start of the line', hint: 'del←'},
    'delete-to-end': {keys: ['ctrl-k'], help: 'delete to the end of the line', hint: 'del→'},
  },
};

export const scopes = Object.keys(scopeTitles) as Scope[];

function scopeBindings<S extends Scope>(scope: S): Binding<S>[] {
  const entries = Object.entries(table[scope]) as Array<[Action<S>, Entry]>;
  return entries.map(([action, entry]) => ({action, scope, ...entry}));
}

/** Every binding, scope by scope. */
const defaults: Binding[] = scopes.flatMap((scope): Binding[] => scopeBindings(scope));

export type Keymap = {
  /** The action bound to a key in a scope, if any. */
  action<S extends Scope>(scope: S, key: string): Action<S> | undefined;
  bindings<S extends Scope>(scope: S): Binding<S>[];
  all(): Binding[];
};

/** Key overrides from the config file: `{"quit": "x"}` or `{"sockets.filter": ["/", "f"]}`. */
export type KeyOverrides = Record<string, string | string[]>;

export function createKeymap(overrides: KeyOverrides = {}): Keymap {
  const bound = defaults.map((binding) => {
    const override = overrides[`${binding.scope}.${binding.action}`] ?? overrides[binding.action];
    if (override === undefined) return binding;
    return {...binding, keys: Array.isArray(override) ? override : [override]};
  });
  const index = new Map<string, Action>();
  for (const binding of bound) {
    for (const key of binding.keys) {
      const slot = `${binding.scope} ${key}`;
      if (!index.has(slot)) index.set(slot, binding.action);
    }
  }
  return {
    // The index was filled from the scope's own bindings: its action is that scope's.
    action: <S extends Scope>(scope: S, key: string) =>
      index.get(`${scope} ${key}`) as Action<S> | undefined,
    bindings: <S extends Scope>(scope: S) =>
      bound.filter((binding): binding is Binding<S> => binding.scope === scope),
    all: () => bound,
  };
}

/** Every action name an override may use, for checking a config file. */
export const knownActions = new Set<string>(
  defaults.flatMap((binding) => [binding.action, `${binding.scope}.${binding.action}`]),
);

/** Ink's (input, key) as one name: 'q', 'G', 'ctrl-c', 'shift-tab', 'enter', 'pageup', ... */
export function keyName(input: string, key: Key): string {
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  // Most terminals send DEL (0x7f) for Backspace, which Ink reports as delete.
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl-${input.toLowerCase()}`;
  // Alt-B arrives as ESC b; Ink reports it as meta with input 'b'.
  if (key.meta && [...input].length === 1) return `alt-${input}`;
  if (input === ' ') return 'space';
  // Text typed faster than a frame, or pasted: 'end' or 'up' typed into a field is text, not a key.
  return [...input].length > 1 ? 'text' : input;
}

/** How a key is written in help and hints. */
export function keyLabel(key: string): string {
  const labels: Record<string, string> = {
    'shift-tab': 'S-Tab',
    tab: 'Tab',
    enter: 'Enter',
    esc: 'Esc',
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    space: 'Space',
  };
  if (labels[key]) return labels[key];
  if (key.startsWith('ctrl-')) return `^${key.slice(5).toUpperCase()}`;
  if (key.startsWith('alt-')) return `M-${key.slice(4)}`;
  return key;
}

/** A key with nothing held or named: the base the parsed keys are made from. */
export const plainKey: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

function controlKey(char: string): [string, Key] {
  const code = char.charCodeAt(0);
  if (char === '\r' || char === '\n') return ['', {...plainKey, return: true}];
  if (char === '\t') return ['', {...plainKey, tab: true}];
  if (code === 0x7f || code === 0x08) return ['', {...plainKey, delete: true}];
  return [String.fromCharCode(code + 0x60), {...plainKey, ctrl: true}];
}

/**
 * Ink hands over keys that arrived in one read as one input (isInkKeyRun): this splits such a run
 * back into keys. While a field is being edited, text stays together (a paste is one insertion) and only a final
 * Enter is split off, so "url\r" types the URL and then sends it.
 */
export function splitKeys(input: string, key: Key, editing: boolean): Array<[string, Key]> {
  if (!isInkKeyRun(input, key)) return [[input, key]];
  if (editing) {
    // Text then Enter ("url\r"), or Enter pressed twice faster than a frame ("\r\r"): the text
    // is one insertion, each Enter a key. A CR inside the text is a paste, kept together.
    const enters = /\r+$/.exec(input)?.[0].length ?? 0;
    const text = input.slice(0, input.length - enters);
    if (enters > 0 && !text.includes('\r')) {
      const keys = Array.from({length: enters}, () => controlKey('\r'));
      return text === '' ? keys : [[text, {...plainKey}], ...keys];
    }
    return [[input, key]];
  }
  return [...input].map((char) =>
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(char)
      ? controlKey(char)
      : [char, {...plainKey, shift: /[A-Z]/.test(char)}],
  );
}
