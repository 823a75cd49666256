// Sessions over onnxruntime-node with what the backend needs beyond core's port: a profile of the
// first runs (to tell which nodes fell back to the CPU) and the provider list as given, no defaults.
// Used in-process for CPU and CUDA, and inside the inference thread for WebGPU.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OnnxSession, TensorValue } from '@edgeclip/core'
import * as ort from 'onnxruntime-node'
import { type NodePlacement, readPlacement } from './placement'

export interface PlacedSession extends OnnxSession {
  /**
   * Ends profiling and reads which nodes ran where (undefined when created without `profile`).
   * Call it once the session has run (the warm-up): the profile only holds nodes that ran.
   */
  placement(): Promise<NodePlacement | undefined>
}

export interface PlacedSessionOptions {
  executionProviders: readonly string[]
  /** Profile runs until placement() is read; on for GPU sessions, whose fallback is reported. */
  profile?: boolean
}

export async function createPlacedSession(
  model: Uint8Array,
  { executionProviders, profile = false }: PlacedSessionOptions,
): Promise<PlacedSession> {
  const profileDir = profile ? await mkdtemp(join(tmpdir(), 'edgeclip-ort-profile-')) : undefined
  let session: ort.InferenceSession
  try {
    session = await ort.InferenceSession.create(model, {
      executionProviders: [...executionProviders],
      graphOptimizationLevel: 'all',
      ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, 'profile') } : {}),
    })
  } catch (error) {
    if (profileDir) await rm(profileDir, { recursive: true, force: true })
    throw error
  }
  let placed: Promise<NodePlacement | undefined> | undefined
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const inputs: Record<string, ort.Tensor> = {}
      for (const [name, value] of Object.entries(feeds)) {
        inputs[name] = new ort.Tensor(value.type, value.data, [...value.dims])
      }
      const outputs = await session.run(inputs)
      const result: Record<string, TensorValue> = {}
      for (const [name, tensor] of Object.entries(outputs)) {
        result[name] = {
          type: tensor.type as TensorValue['type'],
          data: tensor.data as TensorValue['data'],
          dims: tensor.dims,
        }
      }
      return result
    },
    placement() {
      placed ??= (async () => {
        if (!profileDir) return undefined
        session.endProfiling()
        const file = (await readdir(profileDir)).find((name) => name.endsWith('.json'))
        try {
          return file ? await readPlacement(join(profileDir, file)) : undefined
        } finally {
          await rm(profileDir, { recursive: true, force: true })
        }
      })()
      return placed
    },
    async release() {
      await session.release()
      if (profileDir && !placed) await rm(profileDir, { recursive: true, force: true })
    },
  }
}
