// What WebGPU (Dawn → Vulkan) can reach on this machine, read from the files the Vulkan loader reads.
// Node cannot ask Dawn which adapter it took (onnxruntime-node refuses deviceId / powerPreference
// and logs no adapter name), so the answer comes from the process itself once a session exists: a
// hardware driver opens its device node (/dev/nvidia0, /dev/dri/renderD128), a CPU rasterizer
// (lavapipe, llvmpipe, SwiftShader) opens none. Dawn ranks discrete and integrated GPUs above CPU
// adapters, so an open GPU node means the GPU was taken.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { basename, delimiter, join } from 'node:path'

type Env = Record<string, string | undefined>

export interface VulkanDriver {
  /** The ICD manifest (.json) naming the driver. */
  manifest: string
  library: string
  software: boolean
}

export interface VulkanSetup {
  /** Where libvulkan.so.1 was found; undefined: WebGPU cannot start. */
  loader: string | undefined
  drivers: VulkanDriver[]
}

export type AdapterKind = 'gpu' | 'software' | 'unknown'

export interface AdapterEvidence {
  kind: AdapterKind
  /** e.g. 'NVIDIA H100 80GB HBM3 (/dev/nvidia0)' or 'lavapipe (software)'. */
  description: string
}

const SOFTWARE_DRIVER = /lvp|lavapipe|llvmpipe|swiftshader|swrast/i
const LIBRARY_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/usr/lib',
  '/lib',
]

/** The loader's own search order for ICD manifests when no override variable is set. */
function manifestDirs(env: Env): string[] {
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, '.config') : undefined)
  const dataHome = env.XDG_DATA_HOME || (env.HOME ? join(env.HOME, '.local/share') : undefined)
  const configDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(delimiter)
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(delimiter)
  return [
    ...(configHome ? [configHome] : []),
    ...configDirs,
    '/etc',
    ...(dataHome ? [dataHome] : []),
    ...dataDirs,
  ].map((dir) => join(dir, 'vulkan/icd.d'))
}

function listManifests(env: Env): string[] {
  const override = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES
  if (override) return override.split(delimiter).filter(Boolean)
  return manifestDirs(env).flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(dir, name))
    } catch {
      return []
    }
  })
}

function readDriver(manifest: string): VulkanDriver | undefined {
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: string } }
    const library = parsed.ICD?.library_path
    if (!library) return undefined
    return { manifest, library, software: SOFTWARE_DRIVER.test(basename(library)) }
  } catch {
    return undefined
  }
}

export function findVulkanSetup(env: Env = process.env): VulkanSetup {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean), ...LIBRARY_DIRS]
  const loader = dirs.map((dir) => join(dir, 'libvulkan.so.1')).find((path) => existsSync(path))
  const drivers = listManifests(env).flatMap((manifest) => readDriver(manifest) ?? [])
  return { loader, drivers }
}

/** Why WebGPU has no chance here, or undefined when a loader and some driver exist. */
export function vulkanMissing(setup: VulkanSetup): string | undefined {
  if (!setup.loader) return 'no Vulkan loader (libvulkan.so.1) on the library path'
  if (setup.drivers.length === 0) return 'no Vulkan driver manifest (VK_ICD_FILENAMES or */vulkan/icd.d)'
  return undefined
}

const GPU_NODE = /^\/dev\/(nvidia\d+|dri\/renderD\d+|dri\/card\d+)$/

/** Reads which adapter this process drives, from its open device nodes and mapped driver libraries. */
export function inspectAdapter(): AdapterEvidence {
  const nodes = new Set<string>()
  try {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        const target = readlinkSync(`/proc/self/fd/${fd}`)
        if (GPU_NODE.test(target)) nodes.add(target)
      } catch {
        // The fd closed between listing and reading.
      }
    }
  } catch {
    return { kind: 'unknown', description: 'unknown (no /proc/self/fd)' }
  }
  if (nodes.size > 0) {
    const node = [...nodes].sort()[0]!
    return { kind: 'gpu', description: `${gpuName(node) ?? 'GPU'} (${node})` }
  }
  let maps = ''
  try {
    maps = readFileSync('/proc/self/maps', 'utf8')
  } catch {
    // Without maps the kind stays unknown.
  }
  const software = maps.split('\n').find((line) => /libvulkan_(lvp|swiftshader)|llvmpipe/.test(line))
  if (software) {
    return {
      kind: 'software',
      description: `${/lvp/.test(software) ? 'lavapipe' : 'CPU rasterizer'} (software)`,
    }
  }
  return { kind: 'unknown', description: 'unknown (no GPU device node open, no CPU rasterizer loaded)' }
}

/** The card's model name where the driver publishes it (NVIDIA's proc file). */
function gpuName(node: string): string | undefined {
  if (!node.startsWith('/dev/nvidia')) return undefined
  try {
    for (const dir of readdirSync('/proc/driver/nvidia/gpus')) {
      const info = readFileSync(join('/proc/driver/nvidia/gpus', dir, 'information'), 'utf8')
      const model = /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim()
      if (model) return model
    }
  } catch {
    return undefined
  }
  return undefined
}
