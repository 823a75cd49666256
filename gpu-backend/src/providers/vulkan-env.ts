// Environments that point WebGPU at one Vulkan driver: lavapipe (Mesa's CPU Vulkan, for tests and
// dry runs) or the NVIDIA driver (for the GPU benchmark), and a Vulkan loader carried beside the
// repo (`apt-get download libvulkan1`, unpacked) where the machine has none installed.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { findVulkanSetup } from './vulkan'

/** Dawn needs Mesa >= 25's lavapipe; 22.x lacks shaderUniform*ArrayDynamicIndexing. */
export const MIN_MESA_MAJOR = 25

const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']

function findManifest(pattern: RegExp, dirs: readonly string[] = ICD_DIRS): string | undefined {
  for (const dir of dirs) {
    try {
      const name = readdirSync(dir).find((candidate) => pattern.test(candidate))
      if (name) return join(dir, name)
    } catch {
      // No such folder.
    }
  }
  return undefined
}

/** The Mesa version dpkg knows for the Vulkan drivers, or undefined off Debian. */
function mesaVersion(): string | undefined {
  try {
    // Prints "mesa-vulkan-drivers:amd64<TAB>25.0.7-2~bpo12+1".
    const line = execFileSync('dpkg-query', ['-W', 'mesa-vulkan-drivers'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return line.split('\t')[1]?.trim() || undefined
  } catch {
    return undefined
  }
}

/** Env selecting lavapipe, or why it is not usable here. */
export function lavapipeEnv(
  env: Record<string, string | undefined> = process.env,
): { env: Record<string, string> } | { missing: string } {
  const manifest = findManifest(/^lvp_icd.*\.json$/)
  if (!manifest)
    return { missing: 'no lavapipe ICD (apt-get install -t bookworm-backports mesa-vulkan-drivers)' }
  const version = mesaVersion()
  const major = version ? Number.parseInt(version, 10) : undefined
  if (major !== undefined && major < MIN_MESA_MAJOR) {
    return { missing: `Mesa ${version} lavapipe; Dawn needs Mesa >= ${MIN_MESA_MAJOR} (bookworm-backports)` }
  }
  const selected = { ...withCarriedLoader(env), VK_ICD_FILENAMES: manifest }
  if (!findVulkanSetup(selected).loader) return { missing: 'no Vulkan loader (apt-get install libvulkan1)' }
  return { env: selected }
}

/**
 * The NVIDIA driver's ICD manifest. Containers given the GPU without the `graphics` capability lack
 * the manifest but may still hold the driver's Vulkan library (libGLX_nvidia.so.0): then a manifest
 * naming it is written to `scratchDir`.
 */
export function nvidiaIcd(scratchDir: string): string | undefined {
  const installed = findManifest(/^nvidia_icd.*\.json$/)
  if (installed) return installed
  const library = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib']
    .map((dir) => join(dir, 'libGLX_nvidia.so.0'))
    .find((path) => existsSync(path))
  if (!library) return undefined
  const manifest = join(scratchDir, 'nvidia_icd.json')
  const icd = { file_format_version: '1.0.1', ICD: { library_path: library, api_version: '1.3.0' } }
  writeFileSync(manifest, JSON.stringify(icd))
  return manifest
}

/**
 * LD_LIBRARY_PATH extended by a carried loader, when the system has none: `.vulkan-loader/` at the
 * repo root holds `apt-get download libvulkan1` unpacked with `dpkg -x` (see gpu-backend/README.md).
 */
export function withCarriedLoader(env: Record<string, string | undefined>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
  if (findVulkanSetup(env).loader) return base
  const carried = join(import.meta.dirname, '../../../.vulkan-loader/usr/lib/x86_64-linux-gnu')
  if (!existsSync(join(carried, 'libvulkan.so.1'))) return base
  const paths = [carried, ...(env.LD_LIBRARY_PATH ?? '').split(delimiter).filter(Boolean)]
  return { ...base, LD_LIBRARY_PATH: paths.join(delimiter) }
}
