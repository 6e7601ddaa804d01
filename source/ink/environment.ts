/**
 * With CI (or CONTINUOUS_INTEGRATION) set, Ink 6.8 draws only a last frame, at exit, and chalk
 * drops all styling; neither suits a person at a terminal, which is the only place the dashboard
 * runs. Ink 6.8 has no option to say so (Ink 7's `interactive`), and both read the environment
 * when they load: this runs before the dashboard loads them.
 */
export function clearInkCiDetection(env: NodeJS.ProcessEnv): void {
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
}
