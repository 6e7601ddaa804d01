/**
 * Every key binding of the dashboard. The help overlay and the footer hints are generated from this
 * table, so keys and help never disagree; config key overrides replace a binding's keys by action.
 */
import type {Key} from 'ink';

export type Scope =
  | 'global'
  | 'help'
  | 'addresses'
  | 'sockets'
  | 'events'
  | 'filter'
  | 'request'
  | 'editing'
  | 'line';

export type Binding = {
  action: string;
  scope: Scope;
  keys: string[];
  /** What the help overlay says. */
  help: string;
  /** A short label for the footer; bindings without one appear only in the help. */
  hint?: string;
};

export const scopeTitles: Record<Scope, string> = {
  global: 'Everywhere',
  help: 'Help',
  addresses: 'Addresses',
  sockets: 'Sockets',
  events: 'Sockets events (after e)',
  filter: 'Sockets filter (after /)',
  request: 'Request',
  editing: 'Editing a request field',
  line: 'In any text field (URL, headers, body, options, search, filter)',
};

const defaults: Binding[] = [
  {action: 'quit', scope: 'global', keys: ['q', 'ctrl-c'], help: 'quit', hint: 'quit'},
  {action: 'next-pane', scope: 'global', keys: ['tab'], help: 'focus the next pane', hint: 'pane'},
  {action: 'previous-pane', scope: 'global', keys: ['shift-tab'], help: 'focus the previous pane'},
  {action: 'help', scope: 'global', keys: ['?'], help: 'show or hide this help', hint: 'help'},
  {action: 'pause', scope: 'global', keys: ['p'], help: 'pause or resume polling', hint: 'pause'},
  {action: 'suspend', scope: 'global', keys: ['ctrl-z'], help: 'suspend to the shell (fg resumes)'},

  {action: 'close-help', scope: 'help', keys: ['esc', '?', 'q'], help: 'close the help'},
  {action: 'up', scope: 'help', keys: ['up', 'k'], help: 'scroll the help up'},
  {action: 'down', scope: 'help', keys: ['down', 'j'], help: 'scroll the help down'},

  {action: 'up', scope: 'addresses', keys: ['up', 'k'], help: 'scroll up'},
  {action: 'down', scope: 'addresses', keys: ['down', 'j'], help: 'scroll down', hint: 'scroll'},

  {action: 'up', scope: 'sockets', keys: ['up', 'k'], help: 'previous row'},
  {action: 'down', scope: 'sockets', keys: ['down', 'j'], help: 'next row'},
  {action: 'page-up', scope: 'sockets', keys: ['pageup'], help: 'page up'},
  {action: 'page-down', scope: 'sockets', keys: ['pagedown'], help: 'page down'},
  {action: 'first', scope: 'sockets', keys: ['g', 'home'], help: 'first row'},
  {action: 'last', scope: 'sockets', keys: ['G', 'end'], help: 'last row'},
  {
    action: 'filter',
    scope: 'sockets',
    keys: ['/'],
    help: 'filter by port, address, process or state',
    hint: 'filter',
  },
  {
    action: 'all-states',
    scope: 'sockets',
    keys: ['a'],
    help: 'listening only / all states',
    hint: 'all',
  },
  {
    action: 'exposed-only',
    scope: 'sockets',
    keys: ['x'],
    help: 'only listeners exposed on all interfaces',
    hint: 'exposed',
  },
  {action: 'tcp', scope: 'sockets', keys: ['t'], help: 'show or hide TCP'},
  {action: 'udp', scope: 'sockets', keys: ['u'], help: 'show or hide UDP'},
  {action: 'ipv4', scope: 'sockets', keys: ['4'], help: 'show or hide IPv4'},
  {action: 'ipv6', scope: 'sockets', keys: ['6'], help: 'show or hide IPv6'},
  {
    action: 'sort',
    scope: 'sockets',
    keys: ['s'],
    help: 'sort by port, state, process or queue',
    hint: 'sort',
  },
  {
    action: 'events',
    scope: 'sockets',
    keys: ['e'],
    help: 'table / events (ports opened and closed)',
    hint: 'events',
  },
  {
    action: 'open-request',
    scope: 'sockets',
    keys: ['enter'],
    help: 'send a request to the selected listener',
    hint: 'request',
  },

  {action: 'up', scope: 'events', keys: ['up', 'k'], help: 'scroll up'},
  {action: 'down', scope: 'events', keys: ['down', 'j'], help: 'scroll down', hint: 'scroll'},
  {action: 'page-up', scope: 'events', keys: ['pageup'], help: 'page up'},
  {action: 'page-down', scope: 'events', keys: ['pagedown'], help: 'page down'},
  {action: 'first', scope: 'events', keys: ['g', 'home'], help: 'newest event'},
  {action: 'last', scope: 'events', keys: ['G', 'end'], help: 'oldest event'},
  {
    action: 'filter',
    scope: 'events',
    keys: ['/'],
    help: 'filter by port, address or process (as the table)',
    hint: 'filter',
  },
  {
    action: 'exposed-only',
    scope: 'events',
    keys: ['x'],
    help: 'only listeners on all interfaces',
    hint: 'exposed',
  },
  {action: 'tcp', scope: 'events', keys: ['t'], help: 'show or hide TCP'},
  {action: 'udp', scope: 'events', keys: ['u'], help: 'show or hide UDP'},
  {action: 'ipv4', scope: 'events', keys: ['4'], help: 'show or hide IPv4'},
  {action: 'ipv6', scope: 'events', keys: ['6'], help: 'show or hide IPv6'},
  {action: 'events', scope: 'events', keys: ['e'], help: 'back to the table', hint: 'table'},

  {action: 'filter-done', scope: 'filter', keys: ['enter'], help: 'keep the filter'},
  {action: 'filter-clear', scope: 'filter', keys: ['esc'], help: 'clear the filter'},

  {
    action: 'send',
    scope: 'request',
    keys: ['enter', 'ctrl-s'],
    help: 'send the request',
    hint: 'send',
  },
  {
    action: 'edit',
    scope: 'request',
    keys: ['e', 'i'],
    help: 'edit the selected field',
    hint: 'edit',
  },
  {action: 'previous-field', scope: 'request', keys: ['up', 'k'], help: 'previous field'},
  {action: 'next-field', scope: 'request', keys: ['down', 'j'], help: 'next field'},
  {action: 'method', scope: 'request', keys: ['m'], help: 'next method', hint: 'method'},
  {action: 'previous-method', scope: 'request', keys: ['M'], help: 'previous method'},
  {action: 'cancel', scope: 'request', keys: ['esc'], help: 'cancel the request in flight'},
  {
    action: 'tab',
    scope: 'request',
    keys: ['v'],
    help: 'show body / headers / timing / tls / transcript',
    hint: 'view',
  },
  {action: 'scroll-up', scope: 'request', keys: ['pageup', 'K'], help: 'scroll the response up'},
  {
    action: 'scroll-down',
    scope: 'request',
    keys: ['pagedown', 'J'],
    help: 'scroll the response down',
  },
  {action: 'top', scope: 'request', keys: ['g', 'home'], help: 'top of the response'},
  {action: 'bottom', scope: 'request', keys: ['G', 'end'], help: 'end of the response'},
  {action: 'scroll-left', scope: 'request', keys: ['left'], help: 'scroll long lines left'},
  {action: 'scroll-right', scope: 'request', keys: ['right'], help: 'scroll long lines right'},
  {action: 'wrap', scope: 'request', keys: ['W'], help: 'wrap long lines on/off'},
  {action: 'search', scope: 'request', keys: ['/'], help: 'search the response'},
  {action: 'next-match', scope: 'request', keys: ['n'], help: 'next match'},
  {action: 'follow', scope: 'request', keys: ['f'], help: 'follow redirects on/off (curl -L)'},
  {
    action: 'insecure',
    scope: 'request',
    keys: ['!'],
    help: 'skip TLS verification on/off (curl -k)',
  },
  {action: 'save', scope: 'request', keys: ['w'], help: 'save whole bodies to files on/off'},
  {
    action: 'keep-alive',
    scope: 'request',
    keys: ['a'],
    help: 'keep connections open per origin on/off',
  },
  {
    action: 'http-version',
    scope: 'request',
    keys: ['2'],
    help: 'HTTP version: auto, 1.1, 2, prior knowledge',
  },
  {
    action: 'curl',
    scope: 'request',
    keys: ['c'],
    help: 'copy as curl (OSC 52 clipboard, also shown)',
    hint: 'curl',
  },
  {
    action: 'reveal',
    scope: 'request',
    keys: ['r'],
    help: 'show the copied curl command unmasked / masked',
  },
  {action: 'history-back', scope: 'request', keys: ['['], help: 'older request from history'},
  {action: 'history-forward', scope: 'request', keys: [']'], help: 'newer request from history'},
  {action: 'confirm', scope: 'request', keys: ['y'], help: 'confirm re-sending'},

  {action: 'done', scope: 'editing', keys: ['esc'], help: 'stop editing', hint: 'done'},
  {
    action: 'send',
    scope: 'editing',
    keys: ['ctrl-s'],
    help: 'send (Enter also sends from the URL)',
    hint: 'send',
  },
  {action: 'history-back', scope: 'editing', keys: ['up'], help: 'URL: older request from history'},
  {
    action: 'history-forward',
    scope: 'editing',
    keys: ['down'],
    help: 'URL: newer request from history',
  },

  {
    action: 'line-start',
    scope: 'line',
    keys: ['ctrl-a', 'home'],
    help: 'start of line',
    hint: 'start',
  },
  {action: 'line-end', scope: 'line', keys: ['ctrl-e', 'end'], help: 'end of line', hint: 'end'},
  {action: 'char-back', scope: 'line', keys: ['left', 'ctrl-b'], help: 'one character back'},
  {action: 'char-forward', scope: 'line', keys: ['right', 'ctrl-f'], help: 'one character forward'},
  {action: 'word-back', scope: 'line', keys: ['alt-b'], help: 'one word back', hint: 'word←'},
  {action: 'word-forward', scope: 'line', keys: ['alt-f'], help: 'one word forward', hint: 'word→'},
  {action: 'delete-back', scope: 'line', keys: ['backspace'], help: 'delete the character before'},
  {
    action: 'delete-forward',
    scope: 'line',
    keys: ['ctrl-d'],
    help: 'delete the character under the caret',
  },
  {
    action: 'delete-word-back',
    scope: 'line',
    keys: ['ctrl-w'],
    help: 'delete the word before',
    hint: 'del word',
  },
  {
    action: 'delete-to-start',
    scope: 'line',
    keys: ['ctrl-u'],
    help: 'delete to the start of the line',
    hint: 'del←',
  },
  {
    action: 'delete-to-end',
    scope: 'line',
    keys: ['ctrl-k'],
    help: 'delete to the end of the line',
    hint: 'del→',
  },
];

export type Keymap = {
  /** The action bound to a key in a scope, if any. */
  action(scope: Scope, key: string): string | undefined;
  bindings(scope: Scope): Binding[];
  all(): Binding[];
};

/** Key overrides from the config file: `{"quit": "x"}` or `{"sockets.filter": ["/", "f"]}`. */
export type KeyOverrides = Record<string, string | string[]>;

export function createKeymap(overrides: KeyOverrides = {}): Keymap {
  const table = defaults.map((binding) => {
    const override = overrides[`${binding.scope}.${binding.action}`] ?? overrides[binding.action];
    if (override === undefined) return binding;
    return {...binding, keys: Array.isArray(override) ? override : [override]};
  });
  const index = new Map<string, string>();
  for (const binding of table) {
    for (const key of binding.keys) {
      const slot = `${binding.scope} ${key}`;
      if (!index.has(slot)) index.set(slot, binding.action);
    }
  }
  return {
    action: (scope, key) => index.get(`${scope} ${key}`),
    bindings: (scope) => table.filter((binding) => binding.scope === scope),
    all: () => table,
  };
}

/** Every action name an override may use, for checking a config file. */
export const knownActions = new Set(
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
 * Ink hands over everything that arrived in one read as one input: keys typed faster than a frame,
 * or repeated by the keyboard, come as "jjj" or "\t/:80\r". This splits such a run back into keys.
 * While a field is being edited, text stays together (a paste is one insertion) and only a final
 * Enter is split off, so "url\r" types the URL and then sends it.
 */
export function splitKeys(input: string, key: Key, editing: boolean): Array<[string, Key]> {
  const special =
    key.upArrow ||
    key.downArrow ||
    key.leftArrow ||
    key.rightArrow ||
    key.pageUp ||
    key.pageDown ||
    key.home ||
    key.end ||
    key.return ||
    key.escape ||
    key.tab ||
    key.backspace ||
    key.delete ||
    key.ctrl;
  if (special || [...input].length <= 1) return [[input, key]];
  if (editing) {
    if (input.endsWith('\r') && !input.slice(0, -1).includes('\r')) {
      return [[input.slice(0, -1), {...plainKey}], controlKey('\r')];
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
