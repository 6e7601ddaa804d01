/**
 * Waits until `condition` holds, polling; fails with `message` after `timeoutMs`. The default
 * leaves room for a busy machine (the suite runs files side by side, some with real SSH hosts):
 * a condition that holds is met long before it; only a failure waits it out.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  message = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
