// Runs the quickstart as a user would (tsx src/main.ts) against a freshly started stack with auth on,
// as `pnpm start` runs by default: the example finds the dev key the stack made by itself.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type RunningStack, startStack } from '@edgeclip/example-support'
import { afterAll, beforeAll, expect, it } from 'vitest'

let stack: RunningStack
beforeAll(async () => {
  stack = await startStack({ auth: true })
})
afterAll(() => stack?.close())

it('prints the similarity of a text and an image', async () => {
  const { stdout } = await promisify(execFile)('pnpm', ['exec', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url),
    env: {
      ...process.env,
      EDGECLIP_BASE_URL: stack.url,
      EDGECLIP_DATA_DIR: stack.dataDir,
      EDGECLIP_API_KEY: '',
    },
  })
  expect(stdout).toMatch(/^model: \S+, 768 dimensions, \d+ tokens$/m)
  const similarity = Number(/= (-?\d\.\d{4})$/m.exec(stdout)?.[1])
  expect(similarity).toBeGreaterThanOrEqual(-1)
  expect(similarity).toBeLessThanOrEqual(1)
})

it('without a key, says in one line how to get one (no stack trace) and exits 1', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'edgeclip-no-key-'))
  try {
    const run = promisify(execFile)('pnpm', ['exec', 'tsx', 'src/main.ts'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, EDGECLIP_BASE_URL: stack.url, EDGECLIP_DATA_DIR: empty, EDGECLIP_API_KEY: '' },
    })
    const failure = (await run.then(
      () => expect.unreachable('the example ran without a key'),
      (error: unknown) => error,
    )) as { code: number; stderr: string }
    expect(failure.code).toBe(1)
    const lines = failure.stderr.trim().split('\n')
    expect(lines, failure.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/refused the API key.*pnpm start.*EDGECLIP_API_KEY/)
  } finally {
    await rm(empty, { recursive: true, force: true })
  }
})
