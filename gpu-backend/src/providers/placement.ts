// Which nodes of a GPU session ran on the CPU, and how many host↔GPU copies one run makes, read from
// ONNX Runtime's own profile (enableProfiling): every kernel it ran is an event naming its op and
// provider. The verbose log says the same, but only on the native stderr, which Node cannot read
// back; the profile is a file with a documented shape, so it is what the backend parses.
import { readFile } from 'node:fs/promises'

export interface NodePlacement {
  /** Ops that ran on the CPU provider in a GPU session, with how many nodes of each. */
  cpuNodes: Record<string, number>
  /** Memcpy nodes (MemcpyFromHost / MemcpyToHost) per run: each is a host↔GPU transfer. */
  copiesPerRun: number
  /** Kernels that ran on the session's first provider. */
  gpuNodes: number
}

interface ProfileEvent {
  cat?: string
  name?: string
  args?: { op_name?: string; provider?: string }
}

const COPY_OPS = new Set(['MemcpyFromHost', 'MemcpyToHost'])

/** Placement from one profile; node names are unique in a graph, so any number of runs counts once. */
export function placementFromProfile(events: readonly ProfileEvent[]): NodePlacement {
  const seen = new Map<string, { op: string; provider: string }>()
  for (const event of events) {
    if (event.cat !== 'Node' || !event.name?.endsWith('_kernel_time')) continue
    const op = event.args?.op_name
    const provider = event.args?.provider
    if (op && provider) seen.set(event.name, { op, provider })
  }
  const cpuNodes: Record<string, number> = {}
  let copies = 0
  let gpuNodes = 0
  for (const { op, provider } of seen.values()) {
    if (COPY_OPS.has(op)) copies++
    else if (provider === 'CPUExecutionProvider') cpuNodes[op] = (cpuNodes[op] ?? 0) + 1
    else gpuNodes++
  }
  return { cpuNodes, copiesPerRun: copies, gpuNodes }
}

export async function readPlacement(profilePath: string): Promise<NodePlacement> {
  const events = JSON.parse(await readFile(profilePath, 'utf8')) as ProfileEvent[]
  return placementFromProfile(events)
}

/** "Equal x1, Shape x2; 3 host↔GPU copies per run", or "none" when everything ran on the GPU. */
export function describePlacement(placement: NodePlacement): string {
  const ops = Object.entries(placement.cpuNodes).map(([op, count]) => `${op} x${count}`)
  const fallback = ops.length > 0 ? `CPU fallback ${ops.join(', ')}` : 'no CPU fallback'
  return `${fallback}; ${placement.copiesPerRun} host↔GPU copy nodes per run`
}
