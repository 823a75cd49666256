// The machine a result was measured on, stored with every result file.
import { readFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'

export interface MachineInfo {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
  /** 1/5/15-minute load average at the start: figures from a busy machine run low. */
  loadAverage: number[]
  versions: Record<string, string>
}

const measuredPackages = [
  'onnxruntime-web',
  'onnxruntime-node',
  '@huggingface/transformers',
  'autocannon',
  'hono',
]

function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'not installed'
  }
}

export function machineInfo(): MachineInfo {
  const [first] = cpus()
  return {
    cpu: first?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    versions: Object.fromEntries(measuredPackages.map((name) => [name, packageVersion(name)])),
  }
}
