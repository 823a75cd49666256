// Reference vectors from onnxruntime-node, asked of the Node-side protocol backend (workerd side).
import {
  BACKEND_BATCH_PATH,
  BACKEND_REQUEST_TYPE,
  decodeBackendResponse,
  encodeBackendRequest,
  fixtureModelSpec,
} from '@edgeclip/core'
import { inject } from 'vitest'
import { BATCHES_PATH, type ReceivedBatch } from './shared'

export async function referenceTextVectors(
  batch: readonly (readonly number[])[],
  backendUrl = inject('backendUrl'),
): Promise<Float32Array[]> {
  const response = await fetch(`${backendUrl}${BACKEND_BATCH_PATH}`, {
    method: 'POST',
    headers: { 'content-type': BACKEND_REQUEST_TYPE },
    // A copy typed over a plain ArrayBuffer, which is what fetch's BodyInit accepts.
    body: new Uint8Array(
      encodeBackendRequest({
        model: fixtureModelSpec.id,
        items: batch.map((ids) => ({ kind: 'text', ids })),
      }),
    ),
  })
  if (!response.ok) throw new Error(`reference backend answered ${response.status}: ${await response.text()}`)
  const result = decodeBackendResponse(new Uint8Array(await response.arrayBuffer()), batch.length)
  return result.items.map((item) => {
    if (!item.ok) throw new Error(item.message)
    return item.vector
  })
}

/** Batches the backend has received so far, oldest first. */
export async function receivedBatches(backendUrl = inject('backendUrl')): Promise<ReceivedBatch[]> {
  const response = await fetch(`${backendUrl}${BATCHES_PATH}`)
  return (await response.json()) as ReceivedBatch[]
}

export function maxAbsoluteDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY
  return actual.reduce((most, value, index) => Math.max(most, Math.abs(value - expected[index]!)), 0)
}
