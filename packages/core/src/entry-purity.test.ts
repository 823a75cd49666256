// The main entry must load on any runtime: no node:*, cloudflare:* or onnxruntime imports.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = import.meta.dirname
const runtimeSpecific = ['onnx', 'node']

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      return dir === root && runtimeSpecific.includes(name) ? [] : sourceFiles(path)
    }
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

describe('@edgeclip/core main entry', () => {
  it('imports nothing runtime-specific', () => {
    const offenders = sourceFiles(root).filter((path) =>
      /from ['"](node:|cloudflare:|onnxruntime|sharp)/.test(readFileSync(path, 'utf8')),
    )
    expect(offenders.map((path) => relative(root, path))).toEqual([])
  })
})
