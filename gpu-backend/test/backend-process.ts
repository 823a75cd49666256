// The backend as `pnpm start` runs it: a real child process from the environment, its output kept
// for assertions, killed after each test.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

const packageDir = join(import.meta.dirname, '..')
const tsx = join(packageDir, 'node_modules', '.bin', 'tsx')
const children: ChildProcess[] = []

export function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(tsx, ['src/main.ts'], {
    cwd: packageDir,
    env: { ...process.env, EDGECLIP_MODEL: 'fixture', EDGECLIP_BACKEND_PROVIDER: 'cpu', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  return { child, output: () => output }
}

export async function waitReady(url: string, child: ChildProcess, output?: () => string): Promise<void> {
  for (let attempt = 0; attempt < 900; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}${output ? `:\n${output()}` : ''}`)
    }
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('backend never became ready')
}

export function killProcesses(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
}
