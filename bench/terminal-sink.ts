/**
 * A terminal for Ink that is not one: a `columns` x `rows` stdout whose output goes to `onWrite`,
 * and a stdin in raw mode whose keys are whatever is written to `keys`. For benchmarks that render
 * <App/> in their own process.
 */
import {PassThrough, Writable} from 'node:stream';

export function terminalSink(
  columns: number,
  rows: number,
  onWrite: (chunk: Buffer | string) => void = () => {},
): {stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; keys: PassThrough} {
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        onWrite(chunk);
        callback();
      },
    }),
    {columns, rows, isTTY: true},
  ) as unknown as NodeJS.WriteStream;
  const keys = new PassThrough();
  const stdin = Object.assign(keys, {
    isTTY: true,
    setRawMode: () => keys,
    ref: () => keys,
    unref: () => keys,
  }) as unknown as NodeJS.ReadStream;
  return {stdout, stdin, keys};
}
