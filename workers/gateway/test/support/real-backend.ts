// Starts the real @edgeclip/gpu-backend as a child process on the fixture model (port 0, its own
// secret) and waits until /readyz says its towers are loaded. Used by Node and hardening tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const backendDir = resolve(import.meta.dirname, '../../../../gpu-backend')

export interface RealBackend {
  url: string
  secret: string
  process: ChildProcess
  /** Everything the process printed, for failure messages and log checks. */
  output(): string
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

export const realBackendAvailable = (): boolean => existsSync(join(backendDir, 'src/main.ts'))

export async function startRealBackend(env: Record<string, string> = {}): Promise<RealBackend> {
  const secret = env.BACKEND_SECRET ?? `test-${Math.random().toString(36).slice(2)}`
  const tsx = join(backendDir, 'node_modules/.bin/tsx')
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: backendDir,
    env: {
      ...process.env,
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_BACKEND_PROVIDER: 'cpu',
      BACKEND_SECRET: secret,
      PORT: '0',
      BACKEND_PORT: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) resolveUrl(match[1]!)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`gpu-backend exited with ${code}:\n${output}`)))
  })
  await waitForReady(url, () => output)
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null) resolveExit()
    else child.once('exit', () => resolveExit())
  })
  return {
    url,
    secret,
    process: child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Polls /readyz; model loading takes seconds on a busy machine, so no short deadline here. */
async function waitForReady(url: string, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const response = await fetch(`${url}/readyz`).catch(() => undefined)
    if (response?.ok) return
    await new Promise((resolveWait) => setTimeout(resolveWait, 100))
  }
  throw new Error(`gpu-backend at ${url} never became ready:\n${output()}`)
}
