import {describe, expect, it} from 'vitest';
import {createKeymap, keyName, plainKey, splitKeys, type Scope} from '../../source/ui/keymap.js';

const noKey = plainKey;

describe('keymap', () => {
  it('never binds one key twice in a scope, nor a pane key that a global key already takes', () => {
    const keymap = createKeymap();
    const panes: Scope[] = ['addresses', 'sockets', 'request'];
    const global = new Set(keymap.bindings('global').flatMap((b) => b.keys));
    for (const scope of [...panes, 'global', 'help', 'filter', 'editing'] as Scope[]) {
      const keys = keymap.bindings(scope).flatMap((b) => b.keys);
      expect(new Set(keys).size, `duplicate key in ${scope}`).toBe(keys.length);
      if (panes.includes(scope))
        for (const key of keys) expect(global.has(key), `${scope} ${key}`).toBe(false);
    }
  });

  it('names keys the way the bindings spell them', () => {
    expect(keyName('q', noKey)).toBe('q');
    expect(keyName('G', {...noKey, shift: true})).toBe('G');
    expect(keyName('c', {...noKey, ctrl: true})).toBe('ctrl-c');
    expect(keyName('', {...noKey, tab: true, shift: true})).toBe('shift-tab');
    expect(keyName('', {...noKey, delete: true})).toBe('backspace');
    expect(keyName('', {...noKey, return: true})).toBe('enter');
    expect(keyName(' ', noKey)).toBe('space');
    expect(keyName('b', {...noKey, meta: true})).toBe('alt-b');
    expect(keyName('k', {...noKey, ctrl: true})).toBe('ctrl-k');
    // Typed or pasted text that spells a key's name is text.
    expect(keyName('end', noKey)).toBe('text');
    expect(keyName('up', noKey)).toBe('text');
  });
});

describe('keys that arrive together', () => {
  const names = (input: string, editing: boolean) =>
    splitKeys(input, {...plainKey}, editing).map(([text, key]) => keyName(text, key));

  it('splits typed runs into keys, and in a field keeps text whole with each Enter after it', () => {
    expect(names('jj\t', false)).toEqual(['j', 'j', 'tab']);
    expect(names(':8080\r', true)).toEqual(['text', 'enter']);
    // Enter pressed twice faster than a frame while editing: two Enters, nothing typed.
    expect(names('\r\r', true)).toEqual(['enter', 'enter']);
    expect(names('abc\r\r', true)).toEqual(['text', 'enter', 'enter']);
    // A CR inside pasted text belongs to the text.
    expect(names('a\rb', true)).toEqual(['text']);
  });
});
