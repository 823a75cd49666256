// Checks a hop's tensors against what this part's graph reads, and looks up the embeddings when
// this part holds the table. A malformed bundle is the sender's fault: 400, never a runtime crash.
import { EdgeclipError, type TensorValue } from '@edgeclip/core'
import { decodeTensorBundle, initialTensors, type TensorMap } from '@edgeclip/edge-model'
import type { LoadedEdgePart } from './load-edge-part'

const badBundle = (message: string, cause?: unknown) =>
  new EdgeclipError(message, { status: 400, code: 'invalid_tensor_bundle', cause })

const elements = (dims: readonly number[]) => dims.reduce((product, dim) => product * dim, 1)

export function decodeHop(body: Uint8Array): TensorMap {
  if (body.length < 4) throw badBundle('The body is not a tensor bundle.')
  try {
    return decodeTensorBundle(body)
  } catch (error) {
    throw badBundle(`The body is not a tensor bundle: ${String(error)}`, error)
  }
}

function checkShape(name: string, tensor: TensorValue, type: TensorValue['type'], dims: number): void {
  const valid =
    tensor.type === type &&
    tensor.dims.length === dims &&
    tensor.dims.every((dim) => Number.isSafeInteger(dim) && dim > 0) &&
    tensor.data.length === elements(tensor.dims)
  if (!valid) throw badBundle(`${name} must be ${type} with ${dims} non-empty dimensions matching its data.`)
}

/** The feeds for this part's session, in the names its graph declares. */
export function partFeeds(loaded: LoadedEdgePart, tensors: TensorMap): TensorMap {
  const { manifest, table } = loaded
  const ids = tensors[manifest.idsInput]
  if (!ids) throw badBundle(`The bundle has no ${manifest.idsInput}.`)
  checkShape(manifest.idsInput, ids, 'int64', 2)
  const [batch = 0, sequence = 0] = ids.dims
  let pool = tensors
  if (table && !tensors[manifest.embedsInput]) {
    try {
      pool = initialTensors(manifest, table, ids.data as BigInt64Array, [batch, sequence])
    } catch (error) {
      throw badBundle(`${manifest.idsInput} holds a token id outside the embedding table.`, error)
    }
  }
  const feeds: TensorMap = {}
  for (const name of loaded.session.inputNames) {
    const tensor = pool[name]
    if (!tensor) throw badBundle(`The bundle has no ${name}, which part ${loaded.index} reads.`)
    if (name !== manifest.idsInput) {
      checkShape(name, tensor, 'float32', 3)
      if (tensor.dims[0] !== batch || tensor.dims[1] !== sequence)
        throw badBundle(
          `${name} is [${tensor.dims.join(', ')}], not [${batch}, ${sequence}, …] like ${manifest.idsInput}.`,
        )
    }
    feeds[name] = tensor
  }
  return feeds
}
