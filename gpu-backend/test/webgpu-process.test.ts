// The WebGPU path end to end: the backend process on EDGECLIP_BACKEND_PROVIDER=webgpu, driven by
// Mesa's lavapipe (a CPU Vulkan driver, so any CI box has it), answers the fixture towers within
// 1e-4 of the CPU provider, reports its CPU-fallback nodes, and shuts down cleanly with its inference
// thread. Without a usable lavapipe it skips saying why; under CI=true that is a failure instead.
import { once } from 'node:events'
import { l2Normalize } from '@edgeclip/core'
import { freePort } from '@edgeclip/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { lavapipeEnv } from '../src/providers/vulkan-env'
import { killProcesses, startProcess, waitReady } from './backend-process'
import {
  expectClose,
  noiseImage,
  postBatch,
  referenceVectors,
  SECRET,
  scrapeMetrics,
  textIds,
} from './backend-test-support'

afterEach(killProcesses)

const lavapipe = lavapipeEnv()
const missing = 'missing' in lavapipe ? lavapipe.missing : undefined
if (missing) {
  if (process.env.CI === 'true') throw new Error(`CI=true needs lavapipe for the WebGPU tests: ${missing}`)
  console.warn(`skipping the WebGPU process tests: ${missing}`)
}

describe.skipIf(missing !== undefined)('backend process on WebGPU (lavapipe)', () => {
  // Lavapipe compiles every shader on the CPU at first use: tens of seconds on a loaded 2-core box.
  it('matches the CPU provider within 1e-4, reports its CPU fallback, and exits 0 on SIGTERM', {
    timeout: 180_000,
  }, async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const { child, output } = startProcess({
      ...('env' in lavapipe ? lavapipe.env : {}),
      PORT: String(port),
      BACKEND_SECRET: SECRET,
      EDGECLIP_BACKEND_PROVIDER: 'webgpu',
      IMAGE_THREADS: '1',
    })
    await waitReady(url, child, output)
    expect(output()).toMatch(
      /on WEBGPU \(fp32; towers: text, image; adapter: lavapipe \(software\)\) - why: asked for by name/,
    )
    // The fixture's pad mask compares int64 ids (Equal), which WebGPU has no kernel for.
    expect(output()).toMatch(/text tower on WEBGPU: CPU fallback Equal x1; \d+ host↔GPU copy nodes per run/)

    const items = [
      { kind: 'text' as const, ids: textIds(1, 7) },
      { kind: 'image' as const, bytes: await noiseImage(3) },
      { kind: 'text' as const, ids: textIds(2, 30) },
      { kind: 'image' as const, bytes: await noiseImage(4, 300, 200) },
    ]
    const response = await postBatch(url, items)
    expect(response.status).toBe(200)
    const expected = await referenceVectors(items)
    response.result!.items.forEach((item, index) => {
      if (!item.ok) throw new Error(`item ${index} failed: ${item.message}`)
      expectClose(l2Normalize(item.vector), l2Normalize(expected[index]!), 1e-4)
    })

    const metrics = await scrapeMetrics(url)
    expect(metrics).toMatch(
      /edgeclip_backend_provider_info\{provider="webgpu",variant="fp32",adapter="lavapipe \(software\)"\} 1/,
    )
    expect(metrics).toContain('edgeclip_backend_cpu_fallback_nodes{tower="text",op="Equal"} 1')
    expect(metrics).toMatch(/edgeclip_backend_host_device_copies_per_run\{tower="text"\} \d+/)

    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
  })

  it('auto passes lavapipe over for the CPU, says why, and prints no ONNX Runtime error', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const { child, output } = startProcess({
      ...('env' in lavapipe ? lavapipe.env : {}),
      PORT: String(port),
      BACKEND_SECRET: SECRET,
      EDGECLIP_BACKEND_PROVIDER: 'auto',
      IMAGE_THREADS: '1',
    })
    await waitReady(url, child, output)
    expect(output()).toMatch(
      /on CPU \(fp32; towers: text, image\) - why: cuda: .*; webgpu: only software Vulkan drivers/,
    )
    // ONNX Runtime's error lines start with [E:onnxruntime, in red on a terminal.
    expect(output()).not.toContain('[E:onnxruntime')
    expect(output()).not.toContain('\u001b[1;31m')
  })
})
