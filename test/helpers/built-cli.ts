/** The built command line (`dist/cli.js`, after `npm run build`), run once as a user would. */
import {execFile} from 'node:child_process';
import path from 'node:path';
import {promisify} from 'node:util';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const run = promisify(execFile);

export type CliRun = {code: number; stdout: string; stderr: string};

/**
 * Runs `porthole ARGS` with state and config kept in `scratch` (never the user's own), resolving
 * with its exit code and output whatever the code.
 */
export async function runBuiltCli(
  args: string[],
  scratch: string,
  timeoutMs = 60_000,
): Promise<CliRun> {
  const env = {...process.env, CI: 'false', XDG_STATE_HOME: scratch, XDG_CONFIG_HOME: scratch};
  try {
    const {stdout, stderr} = await run(process.execPath, [cli, ...args], {
      env,
      cwd: root,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return {code: 0, stdout, stderr};
  } catch (error) {
    const failed = error as {code: number; stdout: string; stderr: string};
    return {code: failed.code, stdout: failed.stdout, stderr: failed.stderr};
  }
}
