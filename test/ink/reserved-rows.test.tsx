import {EventEmitter} from 'node:events';
import {Box, render, Text} from 'ink';
import {describe, expect, it} from 'vitest';
import {inkReservedRows} from '../../source/ink/screen.js';
import {drawnRows} from '../../source/ui/layout.js';

/** A terminal of `rows` rows that keeps what Ink writes to it. */
function terminal(rows: number) {
  const stream = Object.assign(new EventEmitter(), {
    isTTY: true,
    rows,
    columns: 40,
    written: [] as string[],
    write(text: string) {
      stream.written.push(text);
      return true;
    },
  });
  return stream;
}

const clearTerminal = '\u001B[2J';
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/** What Ink writes while a `height`-row frame is drawn and then redrawn on a `rows`-row terminal. */
async function redraw(height: number, rows: number): Promise<string> {
  const stdout = terminal(rows);
  const frame = (text: string) => (
    <Box height={height}>
      <Text>{text}</Text>
    </Box>
  );
  const instance = render(frame('first'), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    patchConsole: false,
  });
  await settle();
  stdout.written.length = 0;
  instance.rerender(frame('second'));
  await settle();
  const written = stdout.written.join('');
  instance.unmount();
  return written;
}

describe('a frame as tall as the terminal (Ink issue 450)', () => {
  it('makes Ink 6.8 clear the whole terminal to draw the next one', async () => {
    expect(await redraw(12, 12)).toContain(clearTerminal);
  });

  it('is not drawn: the dashboard stays inkReservedRows short, and that frame is redrawn in place', async () => {
    expect(drawnRows(12)).toBe(12 - inkReservedRows);
    const written = await redraw(drawnRows(12), 12);
    expect(written).toContain('second');
    expect(written).not.toContain(clearTerminal);
  });
});
