/**
 * A name this machine's resolver answers with 127.0.0.1, for tests that need a real lookup
 * (`localhost` is answered without one, as curl answers it): the host's own name, which most
 * systems map to loopback in /etc/hosts. Undefined when it does not, and those tests say so.
 */
import dns from 'node:dns/promises';
import os from 'node:os';

async function loopbackName(): Promise<string | undefined> {
  const name = os.hostname();
  try {
    const answers = await dns.lookup(name, {all: true});
    return answers.some((answer) => answer.address === '127.0.0.1') ? name : undefined;
  } catch {
    return undefined;
  }
}

export const lookedUpName = await loopbackName();
