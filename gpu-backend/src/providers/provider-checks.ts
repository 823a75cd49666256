// Cheap checks made before a provider is tried, so a machine without it starts quietly: ONNX
// Runtime prints a red error line when it is asked for CUDA and its provider library is missing.
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { findVulkanSetup, vulkanMissing } from './vulkan'

export type Provider = 'cuda' | 'webgpu' | 'cpu'

/** Where onnxruntime-node keeps its native libraries (and `setup:cuda` puts the CUDA provider). */
function ortLibraryDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node')
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch)
}

/** Why CUDA cannot be tried here, or undefined when its provider library is installed. */
export function cudaMissing(): string | undefined {
  const library = join(ortLibraryDir(), 'libonnxruntime_providers_cuda.so')
  if (existsSync(library)) return undefined
  return 'the CUDA provider library is not installed (pnpm --filter @edgeclip/gpu-backend setup:cuda)'
}

/**
 * Why WebGPU cannot be tried, or undefined. Under `auto` a machine whose only Vulkan drivers are CPU
 * rasterizers (lavapipe) is passed over before any session is made: a software adapter is slower
 * than the CPU provider itself.
 */
export function webgpuMissing(byName: boolean, env: Record<string, string | undefined> = process.env) {
  const setup = findVulkanSetup(env)
  const missing = vulkanMissing(setup)
  if (missing) return missing
  if (byName) return undefined
  if (setup.drivers.every((driver) => driver.software)) {
    const names = setup.drivers.map((driver) => driver.library).join(', ')
    return `only software Vulkan drivers (${names}); EDGECLIP_BACKEND_PROVIDER=webgpu uses them anyway`
  }
  // Mesa installs manifests for every GPU family it drives; without a device node none of them has
  // a GPU to drive, and Dawn would end up on lavapipe.
  if (gpuDeviceNodes().length === 0) {
    return 'no GPU device node (/dev/nvidia*, /dev/dri/renderD*); EDGECLIP_BACKEND_PROVIDER=webgpu tries anyway'
  }
  return undefined
}

export function gpuDeviceNodes(): string[] {
  const list = (dir: string, pattern: RegExp) => {
    try {
      return readdirSync(dir)
        .filter((name) => pattern.test(name))
        .map((name) => join(dir, name))
    } catch {
      return []
    }
  }
  return [...list('/dev', /^nvidia\d+$/), ...list('/dev/dri', /^renderD\d+$/)]
}
