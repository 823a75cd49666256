// `pnpm --filter @edgeclip/gpu-backend bench:gpu [--dry-run] [--out-dir DIR] [--budget-seconds N]`:
// the towers on WebGPU (Dawn → Vulkan → the NVIDIA driver) against the CPU provider, full-size
// synthetic towers in fp16 and fp32, in under 6 minutes, to bench/results/gpu-<card>.{json,md}.
// This launcher only prepares the Vulkan environment and starts gpu-run.ts with it: the loader's
// library path must be set before a process starts. A GPU box without libvulkan1 uses the carried
// copy in .vulkan-loader/ (see gpu-backend/README.md, "GPU check"). --dry-run uses lavapipe and tiny
// towers instead: the test suite runs it so the script cannot rot; its figures are labelled as such.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { workerExecArgv } from '../src/inference/image-pool/image-worker-pool'
import { findVulkanSetup } from '../src/providers/vulkan'
import { lavapipeEnv, nvidiaIcd, withCarriedLoader } from '../src/providers/vulkan-env'

const args = process.argv.slice(2)
const dryRun = args.includes('--dry-run')
const fail = (message: string): never => {
  console.error(`[bench:gpu] ${message}`)
  process.exit(2)
}

let env: Record<string, string>
if (dryRun) {
  const lavapipe = lavapipeEnv()
  env = 'env' in lavapipe ? lavapipe.env : fail(`dry run needs lavapipe: ${lavapipe.missing}`)
} else {
  const icd =
    nvidiaIcd(mkdtempSync(join(tmpdir(), 'edgeclip-icd-'))) ??
    fail('no NVIDIA Vulkan driver here (no nvidia_icd.json, no libGLX_nvidia.so.0): this needs an NVIDIA GPU')
  env = { ...withCarriedLoader(process.env), VK_ICD_FILENAMES: icd }
}
if (!findVulkanSetup(env).loader) {
  fail(
    'no Vulkan loader (libvulkan.so.1): install libvulkan1, or carry one: ' +
      'mkdir -p .vulkan-loader && cd .vulkan-loader && apt-get download libvulkan1 && dpkg -x libvulkan1_*.deb .',
  )
}
console.error(
  `[bench:gpu] VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES}${env.LD_LIBRARY_PATH ? ` LD_LIBRARY_PATH=${env.LD_LIBRARY_PATH}` : ''}`,
)
const child = spawn(
  process.execPath,
  [...workerExecArgv(), join(import.meta.dirname, 'gpu-run.ts'), ...args],
  {
    env,
    stdio: 'inherit',
  },
)
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
