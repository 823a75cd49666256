// Runs `pnpm start` (root scripts/start.mjs: GPU backend + Node gateway) on the fixture model, with
// auth off or (auth: true) on with the dev key it makes, on free ports and a temp data dir, and
// stops its whole process group afterwards.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export interface RunningStack {
  /** The gateway's base URL, for `new EdgeClip({ baseURL })`. */
  url: string
  /** Its EDGECLIP_DATA_DIR; with auth on, `dev-key` in it holds the key `pnpm start` made. */
  dataDir: string
  /** Everything the stack printed, for a failing test's message. */
  output(): string
  close(): Promise<void>
}

export interface StartStackOptions {
  /** How long the gateway and backend may take to answer /readyz (cold tsx starts are slow on CI). */
  readyTimeoutMs?: number
  /** Auth on, as `pnpm start` runs by default; the stack is ready once it has printed its curl. */
  auth?: boolean
}

const repositoryRoot = resolve(import.meta.dirname, '../../..')
const READY_POLL_MS = 500
const STOP_GRACE_MS = 15_000

/** EDGECLIP_EXAMPLE_BASE_URL points the tests at a stack you already run (`pnpm start`). */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const existing = process.env.EDGECLIP_EXAMPLE_BASE_URL
  if (existing)
    return { url: existing.replace(/\/+$/, ''), dataDir: '', output: () => '', close: async () => {} }

  const [gatewayPort, backendPort] = [await freePort(), await freePort()]
  const dataDir = await mkdtemp(join(tmpdir(), 'edgeclip-example-'))
  const child = spawn(process.execPath, [join(repositoryRoot, 'scripts/start.mjs')], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      EDGECLIP_MODEL: 'fixture',
      EDGECLIP_AUTH: options.auth ? '' : 'off',
      EDGECLIP_DATA_DIR: dataDir,
      PORT: String(gatewayPort),
      BACKEND_PORT: String(backendPort),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so close() reaches start.mjs and the pnpm/tsx/node processes below it.
    detached: true,
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk))
  const url = `http://127.0.0.1:${gatewayPort}`
  const stack: RunningStack = {
    url,
    dataDir,
    output: () => output,
    close: async () => {
      await stopGroup(child)
      await rm(dataDir, { recursive: true, force: true })
    },
  }
  try {
    await waitUntilReady(`${url}/readyz`, child, options.readyTimeoutMs ?? 180_000)
    // The dev key is made once the gateway is up; its banner ends the start.
    if (options.auth) await waitUntil(() => output.includes('Ctrl-C stops'), child, 60_000)
  } catch (error) {
    await stack.close()
    throw new Error(`${(error as Error).message}\n--- pnpm start printed ---\n${output}`)
  }
  return stack
}

async function waitUntilReady(readyURL: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `pnpm start exited (${child.signalCode ?? `code ${child.exitCode}`}) before the stack was ready`,
      )
    }
    try {
      if ((await fetch(readyURL)).ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((wait) => setTimeout(wait, READY_POLL_MS))
  }
  throw new Error(`the stack was not ready at ${readyURL} within ${timeoutMs} ms`)
}

async function waitUntil(done: () => boolean, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done()) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error('pnpm start never printed its banner')
    await new Promise((wait) => setTimeout(wait, READY_POLL_MS))
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()))
  signalGroup(child.pid, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}
