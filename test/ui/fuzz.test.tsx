/**
 * Hostile typing and pasting: thousands of seeded random strings (control bytes, escape sequences,
 * lone surrogates, wide CJK, emoji sequences, combining marks, bidi overrides) typed into the
 * Request fields and the Sockets filter, and a megabyte pasted into each. The dashboard must not
 * throw, must keep every line within the terminal's width and its frame within its rows, must
 * never pass a control character through, and must still answer keys afterwards.
 */
import {stripVTControlCharacters} from 'node:util';
import stringWidth from 'string-width';
import {afterEach, describe, expect, it} from 'vitest';
import {cleanup} from 'ink-testing-library';
import {createKeymap} from '../../source/ui/keymap.js';
import {
  caretWindow,
  insertText,
  maxFieldLength,
  moveLine,
} from '../../source/ui/request/text-edit.js';
import {withoutUnnamedCtrlKeys} from '../../source/ink/input.js';
import {screenful} from '../../source/ui/table.js';
import type {RequestOptions, RequestResult} from '../../source/request/types.js';
import type {PortholeState} from '../../source/store/store.js';
import {fixtureInterfaces, fixtureSockets, keys, renderApp, socket} from '../helpers/render-app.js';
import type {Rendered} from '../helpers/render-app.js';

afterEach(() => cleanup());

/** mulberry32: small, fast and seedable, so a failure names the seed that reproduces it. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T,>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  return {next, int, pick};
}

type Random = ReturnType<typeof random>;

const escapeSequences = [
  '\u001B]0;PWNED\u0007',
  '\u001B]2;PWNED\u001B\\',
  '\u001B]52;c;aGk=\u0007',
  '\u001B[2J',
  '\u001B[10;10H',
  '\u001B[31;1m',
  '\u001B[?1049h',
  '\u001B[6n',
  '\u001B[1;5P',
  '\u001BP+q544e\u001B\\',
  '\u001B[A',
  '\u001B[Z',
  '\u001B[3~',
  '\u001B',
];
const emoji = ['👩‍👩‍👧‍👦', '🏳️‍🌈', '❤️', '👍🏽', '🇯🇵', '1️⃣', '🧑🏿‍💻', '☺︎', '🫠'];
const bidi = ['\u202E', '\u202D', '\u2066', '\u2067', '\u2069', '\u200F', '\u061C'];
const words = [
  'مرحبا',
  'שלום',
  'Ünïcödé',
  'ｆｕｌｌｗｉｄｔｈ',
  '한국어',
  'ﷺ',
  '𒐫',
  'q',
  ' ',
  ':80',
];

/** One piece of hostile text. */
function piece(r: Random): string {
  switch (r.int(0, 11)) {
    case 0: {
      // Every C0 control but Ctrl-C, which quits from the help whatever the keymap says.
      const code = r.int(0, 0x1e);
      return String.fromCharCode(code < 3 ? code : code + 1) + (r.next() < 0.2 ? '\u007F' : '');
    }
    case 1:
      return String.fromCharCode(r.int(0x80, 0x9f));
    case 2:
      return r.pick(escapeSequences);
    case 3:
      // Lone and reversed surrogates: what broken UTF-16 looks like.
      return r.pick(['\uD800', '\uDFFF', '\uD83D', '\uDE00\uD83D', 'a\uDC00b']);
    case 4:
      return String.fromCodePoint(r.int(0x4e00, 0x9fff), r.int(0xac00, 0xd7a3), 0x3000);
    case 5:
      return r.pick(emoji);
    case 6: {
      let marks = '';
      for (let count = r.int(1, 12); count > 0; count--)
        marks += String.fromCharCode(r.int(0x300, 0x36f));
      return r.pick(['e', 'a', 'ق', '字']) + marks;
    }
    case 7:
      return r.pick(bidi) + r.pick(words);
    case 8:
      return r.pick(['\u200B', '\u200D', '\uFEFF', '\u00AD', '\u2028', '\uFFFD', '\uFFF9']);
    case 9:
      return r.pick(['\t', '\r\n', '\n', '\r', '  ']);
    case 10:
      return r.pick(words);
    default: {
      let ascii = '';
      for (let count = r.int(1, 8); count > 0; count--)
        ascii += String.fromCharCode(r.int(0x20, 0x7e));
      return ascii;
    }
  }
}

function hostileString(r: Random, pieces = r.int(1, 24)): string {
  let text = '';
  for (let count = 0; count < pieces; count++) text += piece(r);
  return text;
}

/** Escape sequences that, typed into a field, stay text there (no arrow, no Tab, no lone Esc). */
const inertSequences = escapeSequences.filter((sequence) =>
  /^\u001B[\]P]|^\u001B\[[\d;?]+[HJmh]$/.test(sequence),
);

/**
 * A megabyte pasted in one read into a field. Ink splits a read at every ESC and hands on each
 * part as a key, so the paste holds a few escape sequences among its hostile text, each with
 * text around it: thousands of them would make it a storm of keys rather than a paste.
 */
function megabyte(r: Random): string {
  const parts: string[] = [];
  let length = 0;
  while (length < 1024 * 1024) {
    const part = hostileString(r, 64).replaceAll('\u001B', '');
    parts.push(part);
    length += part.length;
  }
  for (let count = 0; count < 16; count++) {
    const index = r.int(0, parts.length - 1);
    parts[index] += ` ${r.pick(inertSequences)} text`;
  }
  return parts.join('');
}

/** Answers every request with the form's own text as status, header and body: no network. */
async function echoSend(options: RequestOptions): Promise<RequestResult> {
  const text = String(options.url);
  return {
    response: {
      url: text,
      httpVersion: '1.1',
      status: 200,
      statusText: text,
      statusClass: 'success',
      remoteAddress: '127.0.0.1',
      remotePort: 9,
      headers: [['X-Echo', text]],
      body: Buffer.from(text),
      bodyBytes: Buffer.byteLength(text),
      wireBytes: Buffer.byteLength(text),
      bodyTruncated: false,
      decoded: undefined,
      contentType: 'text/plain',
      savedTo: undefined,
      warnings: [],
    },
    error: undefined,
    timings: {
      dns: undefined,
      connect: 1,
      tls: undefined,
      send: undefined,
      firstByte: 1,
      download: 1,
      total: 3,
    },
    transcript: [{kind: 'in', text: `HTTP/1.1 200 ${text}`}],
    redirects: [],
    protocol: 'http/1.1',
    dns: undefined,
    connection: undefined,
    tls: undefined,
    warnings: [],
    events: [],
  };
}

const sgr = /\u001B\[[0-9;]*m/g;

/** A frame within the terminal's size, its header in place, and no control character but line ends. */
function checkFrame(frame: string, columns: number, rows: number, what: string) {
  const lines = frame.split('\n');
  if (lines.length > rows)
    throw new Error(`${what}: ${lines.length} rows in a ${rows}-row terminal`);
  const bare = frame.replace(sgr, '');
  const control = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/.exec(bare);
  if (control) {
    throw new Error(`${what}: U+${control[0].charCodeAt(0).toString(16)} reached the frame`);
  }
  if (!bare.isWellFormed()) {
    const line = lines.find((candidate) => !candidate.isWellFormed()) ?? '';
    throw new Error(`${what}: a lone surrogate reached the frame: ${JSON.stringify(line)}`);
  }
  for (const line of lines) {
    const width = stringWidth(stripVTControlCharacters(line));
    if (width > columns) {
      throw new Error(
        `${what}: a line ${width} columns wide in ${columns}: ${JSON.stringify(line)}`,
      );
    }
  }
  if (!lines[0]?.replace(sgr, '').startsWith('porthole')) {
    throw new Error(`${what}: the header is gone:\n${bare}`);
  }
}

/** Checks every frame drawn since `from`; returns where the next check starts. */
function checkFrames(app: Rendered, from: number, columns: number, rows: number, what: string) {
  for (const frame of app.frames.slice(from)) checkFrame(frame, columns, rows, what);
  return app.frames.length;
}

const ctrlU = '\u0015';
const tick = () => new Promise((resolve) => setImmediate(resolve));

type Target = {
  name: string;
  /** Whether the keyboard is still in the target field. */
  armed(state: PortholeState): boolean;
  /** Puts the keyboard back into the target field, as its keys would (e, or /). */
  arm(state: PortholeState): Partial<PortholeState>;
  value(state: PortholeState): string;
  limit: number;
};

const requestField = (field: 'url' | 'headers' | 'body'): Target => ({
  name: `the ${field} field`,
  armed: (state) =>
    !state.helpOpen &&
    !state.explain &&
    state.focus === 'request' &&
    state.editing === 'field' &&
    state.request.field === field,
  arm: (state) => ({
    focus: 'request',
    helpOpen: false,
    explain: undefined,
    editing: 'field',
    request: {
      ...state.request,
      field,
      caret: state.request[field].length,
      confirmResend: false,
      curl: undefined,
    },
  }),
  value: (state) => state.request[field],
  limit: maxFieldLength,
});

const filter: Target = {
  name: 'the sockets filter',
  armed: (state) =>
    !state.helpOpen &&
    !state.explain &&
    state.focus === 'sockets' &&
    state.editing === 'filter' &&
    state.socketsView.mode === 'table',
  arm: (state) => ({
    focus: 'sockets',
    helpOpen: false,
    explain: undefined,
    editing: 'filter',
    socketsView: {...state.socketsView, mode: 'table'},
  }),
  value: (state) => state.socketsView.filter,
  limit: 200,
};

// Quit and suspend move to keys no terminal sends, so that a "q" after a stray Esc or a Ctrl-Z in
// the noise cannot end the run (and no Ctrl-C is typed, see piece()); every other binding is the
// default one.
const keymap = createKeymap({quit: 'ctrl-f13', suspend: 'ctrl-f14'});

/** Process names from outside are as hostile as typed text. */
function hostileSockets(r: Random) {
  return [
    ...fixtureSockets,
    ...Array.from({length: 6}, (_, index) =>
      socket({
        localPort: 9000 + index,
        pid: 900 + index,
        process: hostileString(r, 4),
        inode: 90 + index,
      }),
    ),
  ];
}

const cases = [
  {target: requestField('url'), seed: 0x5eed01, columns: 80, rows: 24},
  {target: requestField('headers'), seed: 0x5eed02, columns: 61, rows: 20},
  {target: requestField('body'), seed: 0x5eed03, columns: 100, rows: 30},
  {target: filter, seed: 0x5eed04, columns: 40, rows: 12},
] as const;

const stringsPerTarget = 600;
const burst = 4;

describe('hostile input', () => {
  it.each(cases)(
    'survives random strings and a 1 MB paste into $target.name (seed $seed, $columns x $rows)',
    async ({target, seed, columns, rows}) => {
      const r = random(seed);
      const app = await renderApp({
        columns,
        rows,
        keymap,
        sockets: hostileSockets(r),
        interfaces: [
          ...fixtureInterfaces,
          {...fixtureInterfaces[2]!, name: `wg\u001B]0;x\u0007${hostileString(r, 3)}`},
        ],
        controller: {send: echoSend},
      });
      // Frames drawn before the helper set the size are not the app's doing.
      await app.waitForScreen(
        (s) => s.split('\n').length < rows && s.split('\n').every((l) => stringWidth(l) <= columns),
        `the first frame at ${columns}x${rows}`,
      );
      checkFrame(app.screen(), columns, rows, 'the first frame');
      let seen = app.frames.length;

      // Strings go in bursts, as fast typing does: a burst is drawn once, which keeps thousands of
      // strings within seconds while every one of them still goes through the key handling.
      const bursts = Array.from({length: stringsPerTarget / burst}, () =>
        Array.from({length: burst}, () => hostileString(r)),
      );
      const pasted = [megabyte(r)];
      bursts.push(pasted, [hostileString(r)]);
      for (const [index, strings] of bursts.entries()) {
        const state = app.store.getState();
        if (!target.armed(state)) {
          app.store.setState(target.arm(state));
          // Keys go to the pane that is drawn: let the frame that closes the help (and mounts the
          // pane again) be drawn before typing on.
          await tick();
        }
        const what = `seed ${seed}, burst ${index} ${JSON.stringify(strings.map((text) => text.slice(0, 60)))}`;
        for (const text of strings) {
          try {
            app.stdin.write(text);
          } catch (error) {
            throw new Error(`${what}: ${(error as Error).message}`);
          }
        }
        // A trailing Esc is delivered on the next turn of the event loop.
        await tick();
        seen = checkFrames(app, seen, columns, rows, what);
        const length = target.value(app.store.getState()).length;
        expect(length, what).toBeLessThanOrEqual(target.limit);
        // The megabyte filled the field up to its limit (less half an emoji that did not fit).
        if (strings === pasted) expect(length, what).toBeGreaterThanOrEqual(target.limit - 1);
      }

      // Still answering keys: out of the field, Tab moves the focus, and the filter clears with Esc.
      // The noise may have left the Sockets pane in its events view, where / does not filter.
      const {socketsView} = app.store.getState();
      app.store.setState({
        editing: undefined,
        helpOpen: false,
        focus: 'addresses',
        socketsView: {...socketsView, mode: 'table'},
      });
      await app.waitForScreen((s) => s.includes('▶ Addresses'), 'the Addresses pane focused');
      await app.press(keys.tab);
      await app.waitForScreen((s) => s.includes('▶ Sockets'), 'Tab to move the focus');
      await app.press('/', ctrlU, 'zz-none');
      await app.waitForScreen((s) => s.includes('/zz-none▏'), 'a filter typed after the noise');
      await app.press(keys.escape);
      await app.waitForScreen((s) => !s.includes('zz-none'), 'Esc to clear the filter');
      expect(app.store.getState().socketsView.filter).toBe('');
      checkFrames(app, seen, columns, rows, `seed ${seed}, the keys afterwards`);
    },
    // Hundreds of strings and a megabyte through every key handler: slow on a busy host, never stuck.
    60_000,
  );
});

describe('what hostile input found, pinned', () => {
  const thumbs = '\u{1F44D}';

  it('drops keys Ink cannot name with Ctrl held, and keeps the ones it names', () => {
    expect(withoutUnnamedCtrlKeys('a\u001B[1;5Pb\u001B[6nc')).toBe('abc');
    expect(withoutUnnamedCtrlKeys('\u001B\u001B[34;5~')).toBe('');
    const named = '\u001B[1;5A\u001B[5;5~\u001B[3;5~\u001B[1;5H\u001B[A\u001B[2J\u001B[Z';
    expect(withoutUnnamedCtrlKeys(named)).toBe(named);
    expect(withoutUnnamedCtrlKeys('no escapes at all')).toBe('no escapes at all');
  });

  it('never cuts an emoji in half at the field limit, at the window edges or moving between lines', () => {
    const full = insertText(
      {text: 'a'.repeat(maxFieldLength - 1), caret: maxFieldLength - 1},
      thumbs,
      false,
    );
    expect(full.text.isWellFormed()).toBe(true);
    const line = `x${thumbs.repeat(40)}`;
    for (let caret = 1; caret < line.length; caret += 2) {
      const {before, after} = caretWindow(line, caret, 9);
      expect(before.isWellFormed() && after.isWellFormed(), `caret ${caret}`).toBe(true);
    }
    // Column 1 of the first line falls inside the emoji of the second.
    const edit = moveLine({text: `ab\n${thumbs}c`, caret: 1}, 1);
    expect(edit.caret).toBe(3);
    expect(insertText(edit, 'z', true).text).toBe(`ab\nz${thumbs}c`);
  });

  it('hands Ink at most a screenful of a long line, whole characters only', () => {
    const long = `${thumbs}${'字'.repeat(100_000)}`;
    const cut = screenful(long, 80);
    expect(cut.length).toBeLessThanOrEqual(80 * 4 + 16);
    expect(stringWidth(cut)).toBeGreaterThan(80);
    expect(screenful(`a${thumbs.repeat(200)}`, 10).isWellFormed()).toBe(true);
  });
});
