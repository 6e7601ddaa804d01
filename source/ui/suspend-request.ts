/**
 * What the dashboard exits with when Ctrl-Z asks to suspend it: the caller leaves the full screen,
 * stops the process as a shell job (SIGTSTP), and draws the dashboard again when `fg` resumes it.
 */
export const suspendRequest = Object.freeze({suspend: true as const});

export function isSuspendRequest(value: unknown): boolean {
  return value === suspendRequest;
}
