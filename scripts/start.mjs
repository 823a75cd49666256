#!/usr/bin/env node
// `pnpm start`: runs the GPU backend and the Node gateway together with one shared secret,
// prefixes their logs, forwards SIGINT/SIGTERM and exits non-zero when either dies. With auth on
// (the default) it makes a local dev key on first run, keeps it in <data dir>/dev-key (the examples
// read it from there) and ends by printing a curl that works as printed.
//   EDGECLIP_MODEL=fixture pnpm start       # fixture model, no download
//   pnpm start                              # real model from EDGECLIP_MODEL_DIR (fetched when missing)
//   pnpm start:workers                      # the Workers gateway in workerd instead (fixture, auth off)
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { workersGateway } from './workers-gateway.mjs'

const root = resolve(import.meta.dirname, '..')
const env = process.env
const gatewayPort = env.PORT || '8787'
const backendPort = env.BACKEND_PORT || '8788'
const host = env.HOST || '127.0.0.1'
const secret = env.BACKEND_SECRET || randomBytes(32).toString('base64url')
const workers = process.argv.includes('--workers')
// The Workers gateway runs the bundled fixture model (see workers-gateway.mjs): so does the backend.
const fixture = workers || env.EDGECLIP_MODEL === 'fixture'
// Children run inside their packages, so every path they get is absolute.
const callerDir = env.INIT_CWD || process.cwd()
const dataDir = resolve(callerDir, env.EDGECLIP_DATA_DIR || './.edgeclip')
const modelDir = resolve(callerDir, env.EDGECLIP_MODEL_DIR || join(dataDir, 'models', 'jina-clip-v1'))
const authOff = workers || /^(off|false|0|no)$/i.test(env.EDGECLIP_AUTH ?? '')
const pnpm = process.platform === 'win32' ? 'pnpm.cmd' : 'pnpm'

const children = new Map()
let stopping = false

function prefixed(stream, label, output) {
  createInterface({ input: stream }).on('line', (line) => output.write(`[${label}] ${line}\n`))
}

/**
 * Runs a package's TypeScript entry under node + tsx in that package. Not `pnpm --filter … start`:
 * pnpm answers a child stopped by Ctrl-C with "ELIFECYCLE Command failed" and a
 * RECURSIVE_RUN_FIRST_FAIL error, noise after a clean drain.
 */
function run(label, packageDir, entry, childEnv) {
  return runCommand(label, {
    command: process.execPath,
    args: ['--import', 'tsx', entry],
    cwd: join(root, packageDir),
    env: childEnv,
  })
}

function runCommand(label, { command, args, cwd, env: childEnv }) {
  // Own process group, so a signal reaches node and whatever it starts.
  const child = spawn(command, args, {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  prefixed(child.stdout, label, process.stdout)
  prefixed(child.stderr, label, process.stderr)
  return child
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

function stop(signal, exitCode) {
  if (stopping) return
  stopping = true
  process.exitCode = exitCode
  for (const child of children.values()) signalGroup(child, signal)
  // Whatever ignores the polite signal for 10 s is stopped hard.
  setTimeout(() => {
    for (const child of children.values()) signalGroup(child, 'SIGKILL')
  }, 10_000).unref()
}

function supervise(label, child) {
  children.set(label, child)
  child.on('exit', (code, signal) => {
    children.delete(label)
    if (!stopping) {
      console.error(`[start] ${label} exited (${signal ?? `code ${code}`}); stopping the rest`)
      stop('SIGTERM', 1)
    }
    if (children.size === 0) process.exit(process.exitCode ?? 0)
  })
}

function fetchModel() {
  console.log(`[start] no model at ${modelDir}; fetching it (pnpm edgeclip model fetch)`)
  return new Promise((resolveFetch) => {
    const child = spawn(pnpm, ['edgeclip', 'model', 'fetch', '--dir', modelDir], {
      cwd: root,
      env,
      stdio: 'inherit',
    })
    child.on('exit', (code) => resolveFetch(code === 0))
    child.on('error', () => resolveFetch(false))
  })
}

/**
 * On a terminal, Ctrl-C is read as a key instead of letting the terminal signal every process in
 * the foreground group: pnpm 12.4 (what .ci/run installs) then reports "Command failed" and exits by
 * SIGINT even after this script drained and exited 0. A second Ctrl-C stops the servers at once.
 */
function readCtrlC() {
  if (!process.stdin.isTTY) return
  process.stdin.setRawMode(true)
  process.stdin.on('data', (bytes) => {
    if (!bytes.includes(3)) return
    if (stopping) {
      for (const child of children.values()) signalGroup(child, 'SIGKILL')
      return
    }
    process.stdout.write('\n')
    stop('SIGINT', 0)
  })
}

/**
 * The local dev key from <data dir>/dev-key, made with `edgeclip keys create` on first run (or when
 * the key store it was made in is gone). Undefined, with a line saying why, if it cannot be made.
 */
function devKey() {
  const keyFile = join(dataDir, 'dev-key')
  if (existsSync(keyFile) && existsSync(join(dataDir, 'keys.sqlite'))) {
    const key = readFileSync(keyFile, 'utf8').trim()
    if (key) return key
  }
  const made = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'packages/cli/src/main.ts', 'keys', 'create', '--name', 'local-dev'],
    { cwd: root, env: { ...env, EDGECLIP_DATA_DIR: dataDir }, encoding: 'utf8' },
  )
  const key = made.stdout?.trim()
  if (made.status !== 0 || !key) {
    console.error(`[start] could not make a dev key: ${made.stderr?.trim() || made.error?.message}`)
    return undefined
  }
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 })
  console.log(`[start] made a local dev key (first run); kept in ${keyFile}`)
  return key
}

async function waitUntilUp(url, label) {
  for (let attempt = 0; attempt < 600 && !stopping; attempt++) {
    try {
      if ((await fetch(url)).ok) return true
    } catch {
      // Not listening yet.
    }
    await new Promise((wait) => setTimeout(wait, 500))
  }
  if (!stopping) console.error(`[start] ${label} did not come up at ${url}`)
  return false
}

if (!fixture && !existsSync(join(modelDir, 'vocab.txt'))) {
  if (!(await fetchModel())) {
    console.error(
      `[start] could not fetch the model into ${modelDir} (offline? no access to the model hub?).\n` +
        '[start] Copy the files there by hand, point EDGECLIP_MODEL_DIR at them, or run EDGECLIP_MODEL=fixture pnpm start.',
    )
    process.exit(1)
  }
}

const backendUrl = env.BACKEND_URL || `http://127.0.0.1:${backendPort}`
// Prepared before anything starts, so a failure here leaves no backend running.
let workersSpec
if (workers) {
  mkdirSync(dataDir, { recursive: true })
  workersSpec = workersGateway({ root, dataDir, secret, port: gatewayPort, host, backendUrl })
}

const shared = {
  ...env,
  BACKEND_SECRET: secret,
  EDGECLIP_DATA_DIR: dataDir,
  ...(workers ? { EDGECLIP_MODEL: 'fixture' } : {}),
  ...(fixture && !env.EDGECLIP_MODEL_DIR ? {} : { EDGECLIP_MODEL_DIR: modelDir }),
}
supervise(
  'backend',
  run('backend', 'gpu-backend', 'src/main.ts', {
    // As gpu-backend's own `start` sets it (gpu-backend/README.md): glibc otherwise maps and unmaps
    // every decoded image afresh, which tripled sharp's CPU per photo. An operator's value wins.
    GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864',
    ...shared,
    PORT: backendPort,
    BACKEND_PORT: backendPort,
    HOST: host,
  }),
)
if (workersSpec) {
  supervise('gateway', runCommand('gateway', { ...workersSpec, env: { ...env, ...workersSpec.env } }))
} else {
  supervise(
    'gateway',
    run('gateway', join('workers', 'gateway'), 'src/node/main.ts', {
      ...shared,
      PORT: gatewayPort,
      HOST: host,
      BACKEND_URL: backendUrl,
    }),
  )
}
process.on('SIGINT', () => stop('SIGINT', 0))
process.on('SIGTERM', () => stop('SIGTERM', 0))
readCtrlC()

const gatewayUrl = `http://${host.includes(':') ? `[${host}]` : host}:${gatewayPort}`
if (await waitUntilUp(`${gatewayUrl}/healthz`, 'gateway')) {
  const key = authOff ? undefined : devKey()
  const authHeader = key ? ` -H 'authorization: Bearer ${key}'` : ''
  console.log(
    [
      `[start] gateway  ${gatewayUrl}/v1/embeddings  (docs ${gatewayUrl}/docs)${workers ? '  on workerd (wrangler dev --local)' : ''}`,
      `[start] backend  http://127.0.0.1:${backendPort}  (shared secret generated for this run)`,
      `[start] model    ${fixture ? 'fixture (EDGECLIP_MODEL=fixture)' : modelDir}`,
      authOff
        ? `[start] auth     OFF (${workers ? 'local workerd: its KEYS namespace is empty' : 'EDGECLIP_AUTH=off'}): anyone who can reach the port is served, no key needed`
        : `[start] auth     on; local dev key in ${join(dataDir, 'dev-key')} (more: pnpm edgeclip keys create --name NAME)`,
      '[start] try it:',
      `  curl -s ${gatewayUrl}/v1/embeddings${authHeader} -H 'content-type: application/json' -d '{"input": ["a photo of a cat"]}'`,
      '[start] Ctrl-C stops both after in-flight requests finish',
    ].join('\n'),
  )
}
