import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';

/**
 * Draws two frames with stock Ink in a Node of its own (Ink reads CI when it loads) on a terminal
 * that keeps what is written, and prints what was written before the end. `prelude` runs first.
 */
function framesBeforeExit(env: NodeJS.ProcessEnv, prelude = ''): string {
  const script = `
    ${prelude}
    const {EventEmitter} = await import('node:events');
    const React = (await import('react')).default;
    const {render, Text} = await import('ink');
    const written = [];
    const stdout = Object.assign(new EventEmitter(), {
      isTTY: true, rows: 10, columns: 40, write: (text) => written.push(text),
    });
    const instance = render(React.createElement(Text, null, 'first'), {stdout, patchConsole: false});
    await new Promise((resolve) => setTimeout(resolve, 50));
    instance.rerender(React.createElement(Text, null, 'second'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.stdout.write(JSON.stringify(written.join('')));
    instance.unmount();
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: {PATH: process.env.PATH, ...env},
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as string;
}

describe('CI in the environment', () => {
  it('makes Ink 6.8 draw nothing until it exits', () => {
    expect(framesBeforeExit({CI: 'true'})).toBe('');
    expect(framesBeforeExit({})).toContain('second');
  });

  it('is cleared before Ink loads, and every frame is drawn', () => {
    const prelude = `
      const {clearInkCiDetection} = await import('./source/ink/environment.js');
      clearInkCiDetection(process.env);`;
    expect(framesBeforeExit({CI: 'true', CONTINUOUS_INTEGRATION: '1'}, prelude)).toContain(
      'second',
    );
  });
});
