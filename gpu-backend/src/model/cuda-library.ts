// Whether onnxruntime-node's CUDA provider library is installed at all. The npm tarball ships only
// the CPU runtime; `setup:cuda` adds libonnxruntime_providers_{shared,cuda}.so beside the binding.
// Without them, asking for CUDA still fails cleanly, but onnxruntime first prints a red
// "[E:onnxruntime ... libonnxruntime_providers_shared.so: cannot open shared object file" line on
// every start of a healthy CPU machine, so the automatic choice skips CUDA when the file is absent.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** Why CUDA cannot load here (its provider library is not installed), or undefined when it may. */
export function cudaLibraryMissing(): string | undefined {
  // Only Linux x64 has a CUDA build of onnxruntime-node; elsewhere session creation decides.
  if (process.platform !== 'linux') return undefined
  let binding: string
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node')
    binding = join(dirname(entry), '..', 'bin', 'napi-v6', 'linux', process.arch)
  } catch {
    return undefined
  }
  if (!existsSync(binding)) return undefined
  if (existsSync(join(binding, 'libonnxruntime_providers_cuda.so'))) return undefined
  return 'the CUDA provider library is not installed (pnpm --filter @edgeclip/gpu-backend setup:cuda)'
}
