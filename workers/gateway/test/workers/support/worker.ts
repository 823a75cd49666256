/// <reference types="@cloudflare/vitest-plugin/types" />
// The Worker under test and its bindings, as the tests inside workerd reach them.
import { SELF, env as testEnv } from 'cloudflare:test'
import type { WorkersEnv } from '../../../src/workers/env'

export const env = testEnv as unknown as WorkersEnv

/** Calls the Worker's fetch handler through the runtime, as a client request would arrive. */
export function callWorker(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`https://gateway.test${path}`, init) as Promise<Response>
}
