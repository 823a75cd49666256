// The root `pnpm start` supervisor (scripts/start.mjs), as a real child process: it must fail
// loudly rather than hang or half-run.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const startScript = resolve(import.meta.dirname, '../../../../scripts/start.mjs')
const cleanups: (() => Promise<void>)[] = []

afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()))
})

function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [startScript], { env: { ...process.env, ...env }, stdio: 'pipe' })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('exit', (code) => resolveRun({ code, output }))
  })
}

async function occupiedPort(): Promise<number> {
  const server: Server = createServer((_request, response) => response.end())
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen))
  cleanups.push(() => new Promise((resolveClose) => server.close(() => resolveClose())))
  return (server.address() as AddressInfo).port
}

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'edgeclip-start-'))
  cleanups.push(() => rm(directory, { recursive: true, force: true }))
  return directory
}

describe('scripts/start.mjs', () => {
  it('exits non-zero, and says why, when the model is missing and cannot be fetched', async () => {
    const dataDir = await temporaryDirectory()
    const { code, output } = await runStart({
      EDGECLIP_DATA_DIR: dataDir,
      EDGECLIP_MODEL: '',
      EDGECLIP_MODEL_DIR: '',
      // Nothing listens there: the fetch fails at once instead of waiting on a real hub.
      EDGECLIP_HF_ENDPOINT: 'http://127.0.0.1:1',
    })
    expect(code).not.toBe(0)
    expect(output).toContain('could not fetch the model')
    expect(output).toContain('EDGECLIP_MODEL=fixture')
  }, 120_000)

  it('exits non-zero when a service dies (both ports taken)', async () => {
    const { code, output } = await runStart({
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_AUTH: 'off',
      EDGECLIP_DATA_DIR: await temporaryDirectory(),
      PORT: String(await occupiedPort()),
      BACKEND_PORT: String(await occupiedPort()),
    })
    expect(code).not.toBe(0)
    expect(output).toMatch(/\[start\] (backend|gateway) exited/)
  }, 120_000)
})
