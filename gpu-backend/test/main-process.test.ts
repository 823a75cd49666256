// The backend as `pnpm start` runs it: a real process from the environment. SIGTERM lets the batch in
// flight finish and answer before the process exits 0; a missing secret stops it at startup.
import { once } from 'node:events'
import { freePort } from '@edgeclip/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { cudaMissing } from '../src/providers/provider-checks'
import { killProcesses, startProcess, waitReady } from './backend-process'
import { metricValue, postBatch, SECRET, scrapeMetrics, textIds } from './backend-test-support'

afterEach(killProcesses)

describe('backend process', () => {
  it('on SIGTERM finishes the batch in flight, answers it, then exits 0', async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    // Items wait a minute for company, so the request is surely still queued when SIGTERM lands.
    const { child, output } = startProcess({
      PORT: String(port),
      BACKEND_SECRET: SECRET,
      BATCH_MAX_WAIT_MS: '60000',
    })
    await waitReady(url, child)
    expect(output()).toMatch(/on CPU \(fp32; towers: text, image\)/)
    const inFlight = postBatch(url, [
      { kind: 'text', ids: textIds(1, 6) },
      { kind: 'text', ids: textIds(2, 9) },
    ])
    for (let attempt = 0; attempt < 200; attempt++) {
      if (metricValue(await scrapeMetrics(url), 'edgeclip_backend_queue_depth{tower="text"}') === 2) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(response.result!.items.map((item) => item.ok)).toEqual([true, true])
    const [code] = await exited
    expect(code).toBe(0)
    expect(output()).toContain('drained')
    await expect(fetch(`${url}/healthz`)).rejects.toThrow()
  })

  it.skipIf(cudaMissing() === undefined)(
    'auto on a machine without CUDA starts on the CPU quietly, saying why',
    async () => {
      const port = await freePort()
      const { child, output } = startProcess({
        PORT: String(port),
        BACKEND_SECRET: SECRET,
        EDGECLIP_BACKEND_PROVIDER: 'auto',
        // No Vulkan driver at all: WebGPU is passed over before any session is made.
        VK_ICD_FILENAMES: '/nonexistent/icd.json',
      })
      await waitReady(`http://127.0.0.1:${port}`, child, output)
      expect(output()).toMatch(
        /on CPU \(fp32; towers: text, image\) - why: cuda: the CUDA provider library is not installed .*; webgpu: /,
      )
      // ONNX Runtime's error lines (red on a terminal) start with [E:onnxruntime.
      expect(output()).not.toContain('[E:onnxruntime')
    },
  )

  it('refuses to start without BACKEND_SECRET unless auth is explicitly off', async () => {
    const { child, output } = startProcess({ PORT: '0', BACKEND_SECRET: '' })
    const [code] = await once(child, 'exit')
    expect(code).toBe(1)
    expect(output()).toContain('BACKEND_SECRET is not set')
  })
})
