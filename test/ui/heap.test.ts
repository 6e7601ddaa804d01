/** The dashboard's heap flags, and the defaults the executable's build sets back (V8's own). */
import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {dashboardHeapFlags} from '../../source/ui/heap.js';

describe('the dashboard heap flags', () => {
  it("name V8's own default for each flag they change", () => {
    const options = execFileSync(process.execPath, ['--v8-options'], {encoding: 'utf8'});
    for (const {tuned, v8Default} of dashboardHeapFlags) {
      const name = tuned.replace(/^--(no-)?/, '').replace(/=.*/, '');
      const stated = new RegExp(`^  --${name} .*\\n\\s+type: \\w+\\s+default: (\\S+)$`, 'm').exec(
        options,
      );
      expect(stated?.[1], name).toBe(v8Default);
      expect(tuned).not.toBe(v8Default);
    }
  });
});
