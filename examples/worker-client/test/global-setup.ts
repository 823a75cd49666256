// Node side: the whole stack (pnpm start), whose gateway URL becomes the Worker's binding.
import { startStack } from '@edgeclip/example-support'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stack = await startStack()
  project.provide('gatewayUrl', stack.url)
  return () => stack.close()
}
