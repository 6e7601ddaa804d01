import {Text, useInput, type Key} from 'ink';
import {render} from 'ink-testing-library';
import {useState} from 'react';
import {describe, expect, it} from 'vitest';
import {inkPasteMarkers, isInkKeyRun} from '../../source/ink/input.js';
import {keyName, splitKeys} from '../../source/ui/keymap.js';

/** Every (input, key) Ink hands to useInput, in order. */
function inputsOf(chunks: string[]) {
  const received: Array<[string, Key]> = [];
  function Inputs() {
    const [count, setCount] = useState(0);
    useInput((input, key) => {
      received.push([input, key]);
      setCount((before) => before + 1);
    });
    return <Text>{count}</Text>;
  }
  const {stdin, unmount} = render(<Inputs />);
  for (const chunk of chunks) stdin.write(chunk);
  unmount();
  return received;
}

describe('keys that reach Ink 6.8 in one read', () => {
  it('come as one input with no key named: "jjj", or Tab, text and Enter', () => {
    const [jjj, tabbed] = inputsOf(['jjj', '\t/:80\r']);
    expect(jjj?.[0]).toBe('jjj');
    expect(tabbed?.[0]).toBe('\t/:80\r');
    expect(tabbed?.[1].tab || tabbed?.[1].return).toBe(false);
    expect(isInkKeyRun(...jjj!)).toBe(true);
    expect(isInkKeyRun(...tabbed!)).toBe(true);
  });

  it('are split back into keys by the keymap', () => {
    const [jjj, tabbed] = inputsOf(['jjj', '\t/:80\r']);
    const names = (run: [string, Key]) =>
      splitKeys(...run, false).map(([input, key]) => keyName(input, key));
    expect(names(jjj!)).toEqual(['j', 'j', 'j']);
    expect(names(tabbed!)).toEqual(['tab', '/', ':', '8', '0', 'enter']);
  });
});

describe('a bracketed paste as Ink 6.8 hands it over', () => {
  it('is its markers without ESC, as inputs of their own, and the text between', () => {
    const inputs = inputsOf(['\u001B[200~one line\u001B[201~']).map(([input]) => input);
    expect(inputs).toEqual([inkPasteMarkers.start, 'one line', inkPasteMarkers.end]);
  });
});
