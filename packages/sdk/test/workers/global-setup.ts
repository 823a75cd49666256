// Node side of the workerd test: the real gateway and a key, handed to the Worker as bindings.
import type { TestProject } from 'vitest/node'
import { startTestStack } from '../support/test-stack'

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string
    apiKey: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startTestStack()
  project.provide('gatewayUrl', stack.url)
  project.provide('apiKey', await stack.createKey())
  return () => stack.close()
}
