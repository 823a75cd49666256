// Runs the quickstart as a user would (tsx src/main.ts) against a freshly started stack.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type RunningStack, startStack } from '@edgeclip/example-support'
import { afterAll, beforeAll, expect, it } from 'vitest'

let stack: RunningStack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack?.close())

it('prints the similarity of a text and an image', async () => {
  const { stdout } = await promisify(execFile)('pnpm', ['exec', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, EDGECLIP_BASE_URL: stack.url },
  })
  expect(stdout).toMatch(/^model: \S+, 768 dimensions, \d+ tokens$/m)
  const similarity = Number(/= (-?\d\.\d{4})$/m.exec(stdout)?.[1])
  expect(similarity).toBeGreaterThanOrEqual(-1)
  expect(similarity).toBeLessThanOrEqual(1)
})
