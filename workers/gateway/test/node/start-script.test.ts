// The root `pnpm start` supervisor (scripts/start.mjs), as a real child process: it must fail
// loudly rather than hang or half-run, and on a healthy machine start quietly, print a curl that
// works as printed and exit 0 once drained.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from '@edgeclip/testkit'
import { afterAll, describe, expect, it } from 'vitest'
import { dataUri, solidPng } from './support/png'

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

  it('with auth on: a quiet start, a dev key kept in the data dir, a curl that works as printed, exit 0 on SIGINT', async () => {
    const dataDir = await temporaryDirectory()
    const child = spawn(process.execPath, [startScript], {
      env: {
        ...process.env,
        EDGECLIP_MODEL: 'fixture',
        EDGECLIP_AUTH: '',
        EDGECLIP_DATA_DIR: dataDir,
        PORT: String(await freePort()),
        BACKEND_PORT: String(await freePort()),
        HOST: '127.0.0.1',
      },
      stdio: 'pipe',
    })
    let output = ''
    const ready = new Promise<void>((resolveReady, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk
        if (output.includes('Ctrl-C stops')) resolveReady()
      }
      child.stdout.on('data', collect)
      child.stderr.on('data', collect)
      child.once('exit', (code) => reject(new Error(`start exited (${code}) before it was up:\n${output}`)))
    })
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit))
    try {
      await ready
      const curl = /^\s*(curl .*)$/m.exec(output)?.[1]
      expect(curl, output).toBeDefined()
      const key = (await readFile(join(dataDir, 'dev-key'), 'utf8')).trim()
      expect(curl).toContain(`Bearer ${key}`)
      const body = JSON.parse(execFileSync('sh', ['-c', curl!], { encoding: 'utf8' })) as {
        data: { embedding: number[] }[]
      }
      expect(body.data[0]!.embedding).toHaveLength(768)
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited, output).toBe(0)
    // Nothing red or experimental on a healthy CPU machine, and no package-manager noise on exit.
    expect(output).not.toMatch(/ExperimentalWarning|\[E:onnxruntime|ELIFECYCLE|ERR_PNPM/)
    expect(output).toContain('drained')
  }, 180_000)

  it('--workers: the Workers gateway in workerd serves images and long texts through the local backend, no stack traces', async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [startScript, '--workers'], {
      env: {
        ...process.env,
        EDGECLIP_DATA_DIR: await temporaryDirectory(),
        PORT: String(port),
        BACKEND_PORT: String(await freePort()),
        HOST: '127.0.0.1',
      },
      stdio: 'pipe',
    })
    let output = ''
    const ready = new Promise<void>((resolveReady, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk
        if (output.includes('Ctrl-C stops')) resolveReady()
      }
      child.stdout.on('data', collect)
      child.stderr.on('data', collect)
      child.once('exit', (code) => reject(new Error(`start exited (${code}) before it was up:\n${output}`)))
    })
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit))
    try {
      await ready
      const long = Array.from({ length: 40 }, () => 'word').join(' ')
      const png = dataUri(solidPng(4, 4, [200, 40, 40]))
      const response = await fetch(`http://127.0.0.1:${port}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: ['a cat', long, { image: png }] }),
      })
      // A backend secret that did not match answered 502 backend_auth_failed here.
      expect(response.status, await response.clone().text()).toBe(200)
      expect(response.headers.get('x-edgeclip-route')).toBe('mixed')
    } finally {
      child.kill('SIGINT')
    }
    expect(await exited, output).toBe(0)
    expect(output).not.toMatch(/ENOTFOUND|\n\s+at |ERR_PNPM|ELIFECYCLE/)
  }, 240_000)
})
