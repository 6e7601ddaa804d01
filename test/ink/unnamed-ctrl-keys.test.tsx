import {Text, useInput} from 'ink';
import {render} from 'ink-testing-library';
import {useState} from 'react';
import {describe, expect, it} from 'vitest';
import {guardInkInput} from '../../source/ink/input.js';

function LastKey() {
  const [keys, setKeys] = useState<string[]>([]);
  useInput((input) => setKeys((before) => [...before, input]));
  return <Text>{keys.join(',') || 'none'}</Text>;
}

const ctrlF1 = '\u001B[1;5P';
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('a key with Ctrl held that Ink 6.8 cannot name (issue 901)', () => {
  it('throws inside Ink when it reaches useInput', () => {
    const {stdin, unmount} = render(<LastKey />);
    expect(() => stdin.write(ctrlF1)).toThrow(TypeError);
    unmount();
  });

  it('is dropped before Ink reads it, and the keys around it still arrive', async () => {
    const {stdin, lastFrame, unmount} = render(<LastKey />);
    guardInkInput(stdin);
    stdin.write(ctrlF1);
    await settle();
    stdin.write('a');
    await settle();
    stdin.write(`b${ctrlF1}`);
    await settle();
    expect(lastFrame()).toBe('a,b');
    unmount();
  });
});
