// The runtime-agnostic barrel must load in workerd: follow its imports and refuse node:*,
// cloudflare:* and the Node-only packages. The Node barrel must load in plain Node.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = import.meta.dirname
const runtimeSpecific = /^(node:|cloudflare:|redis$|modal$)/

/** Every relative module reachable from `entry`, and every bare import they make. */
function walk(entry: string): { files: string[]; bareImports: Map<string, string> } {
  const files: string[] = []
  const bareImports = new Map<string, string>()
  const pending = [entry]
  while (pending.length > 0) {
    const file = pending.pop()!
    if (files.includes(file)) continue
    files.push(file)
    const source = readFileSync(file, 'utf8')
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!
      if (!specifier.startsWith('.')) {
        bareImports.set(specifier, relative(root, file))
        continue
      }
      const base = join(dirname(file), specifier)
      const candidates = base.endsWith('.js')
        ? [base.replace(/\.js$/, '.ts')]
        : [`${base}.ts`, join(base, 'index.ts')]
      const resolved = candidates.find(existsSync)
      if (resolved) pending.push(resolved)
    }
  }
  return { files, bareImports }
}

describe('adapter barrels', () => {
  it('index.ts reaches nothing runtime-specific', () => {
    const { files, bareImports } = walk(join(root, 'index.ts'))
    const offenders = [...bareImports].filter(([specifier]) => runtimeSpecific.test(specifier))
    expect(offenders).toEqual([])
    expect(files.filter((file) => /\.(node|workers)\.ts$/.test(file))).toEqual([])
  })

  it('node.ts loads in Node without cloudflare:* and exposes the Node adapters', async () => {
    const { bareImports } = walk(join(root, 'node.ts'))
    expect([...bareImports.keys()].filter((specifier) => specifier.startsWith('cloudflare:'))).toEqual([])
    // The walker sees through the barrels (else the index.ts check above would prove nothing).
    expect([...bareImports.keys()]).toEqual(
      expect.arrayContaining(['node:dns/promises', 'node:sqlite', 'redis']),
    )
    const barrel = await import('./node')
    for (const name of [
      'SqliteKeyStore',
      'SqliteEmbeddingCache',
      'RedisEmbeddingCache',
      'NodeSafeImageFetcher',
      'ModalBackend',
      'HttpBackend',
      'LruEmbeddingCache',
      'MemoryRateLimiter',
    ]) {
      expect(barrel).toHaveProperty(name)
    }
  })

  it('node.ts loads under tsx, the Node host and CLI loader (which reads `./x.node` as a native addon)', () => {
    const script = `import(${JSON.stringify(join(root, 'node.ts'))}).then((m) => console.log(Object.keys(m).length))`
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--no-warnings', '--eval', script], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(result.stderr).toBe('')
    expect(Number(result.stdout.trim())).toBeGreaterThan(10)
  })
})
