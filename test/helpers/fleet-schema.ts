/** The documented shape of `porthole --json --host …` (README, "JSON snapshot of several hosts"). */
export const fleetSchema = {
  top: ['takenAt', 'hosts'],
  host: ['target', 'error', 'host', 'takenAt', 'source', 'interfaces', 'sockets'],
};
