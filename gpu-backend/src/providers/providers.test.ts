import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describePlacement, placementFromProfile } from './placement'
import { gpuDeviceNodes, webgpuMissing } from './provider-checks'
import { findVulkanSetup, vulkanMissing } from './vulkan'

describe('placementFromProfile', () => {
  // The shape of ONNX Runtime's profile: one event per kernel run, two runs of the same nodes.
  const kernel = (name: string, op: string, provider: string) => ({
    cat: 'Node',
    name: `${name}_kernel_time`,
    args: { op_name: op, provider },
  })
  const run = [
    kernel('Equal_1', 'Equal', 'CPUExecutionProvider'),
    kernel('Memcpy', 'MemcpyFromHost', 'WebGpuExecutionProvider'),
    kernel('Memcpy_token_0', 'MemcpyToHost', 'WebGpuExecutionProvider'),
    kernel('Shape_3', 'Shape', 'CPUExecutionProvider'),
    kernel('Shape_4', 'Shape', 'CPUExecutionProvider'),
    kernel('MatMul_2', 'MatMul', 'WebGpuExecutionProvider'),
    { cat: 'Session', name: 'model_run' },
  ]

  it('counts CPU nodes by op and copy nodes once, however many runs the profile holds', () => {
    const placement = placementFromProfile([...run, ...run])
    expect(placement).toEqual({ cpuNodes: { Equal: 1, Shape: 2 }, copiesPerRun: 2, gpuNodes: 1 })
    expect(describePlacement(placement)).toBe(
      'CPU fallback Equal x1, Shape x2; 2 host↔GPU copy nodes per run',
    )
  })

  it('says so when everything ran on the GPU', () => {
    expect(describePlacement(placementFromProfile([run[5]!]))).toBe(
      'no CPU fallback; 0 host↔GPU copy nodes per run',
    )
  })
})

describe('Vulkan drivers', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vulkan-icd-'))
    const manifest = (library: string) =>
      JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library } })
    await writeFile(join(dir, 'lvp_icd.x86_64.json'), manifest('/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so'))
    await writeFile(join(dir, 'nvidia_icd.json'), manifest('libGLX_nvidia.so.0'))
    await writeFile(join(dir, 'libvulkan.so.1'), '')
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('tells software drivers from hardware ones, as VK_ICD_FILENAMES lists them', () => {
    const lvp = join(dir, 'lvp_icd.x86_64.json')
    const nvidia = join(dir, 'nvidia_icd.json')
    const setup = findVulkanSetup({ VK_ICD_FILENAMES: `${lvp}:${nvidia}`, LD_LIBRARY_PATH: dir })
    expect(setup.loader).toBe(join(dir, 'libvulkan.so.1'))
    expect(setup.drivers.map((driver) => driver.software)).toEqual([true, false])
    expect(vulkanMissing(setup)).toBeUndefined()
  })

  it('auto passes over a machine with only lavapipe; by name it is tried', () => {
    const env = { VK_ICD_FILENAMES: join(dir, 'lvp_icd.x86_64.json'), LD_LIBRARY_PATH: dir }
    expect(webgpuMissing(false, env)).toMatch(/only software Vulkan drivers/)
    expect(webgpuMissing(true, env)).toBeUndefined()
    // A hardware driver's manifest is not enough: its device node must exist too.
    const hardware = webgpuMissing(false, { ...env, VK_ICD_FILENAMES: join(dir, 'nvidia_icd.json') })
    if (gpuDeviceNodes().length === 0) expect(hardware).toMatch(/no GPU device node/)
    else expect(hardware).toBeUndefined()
  })

  it('without a loader WebGPU is not tried', () => {
    const setup = findVulkanSetup({
      VK_ICD_FILENAMES: join(dir, 'nvidia_icd.json'),
      LD_LIBRARY_PATH: '/nonexistent',
    })
    // The test machine may have a system loader; the check must then find it, else say it is missing.
    expect(vulkanMissing(setup) === undefined).toBe(setup.loader !== undefined)
  })
})
