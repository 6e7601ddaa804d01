import {useEffect, useState} from 'react';
import {useStdout} from 'ink';

export type TerminalSize = {columns: number; rows: number};

/** The terminal's size, updated on resize (SIGWINCH reaches Ink's stdout as 'resize'). */
export function useTerminalSize(): TerminalSize {
  const {stdout} = useStdout();
  const read = () => ({columns: stdout.columns || 80, rows: stdout.rows || 24});
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize({columns: stdout.columns || 80, rows: stdout.rows || 24});
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
