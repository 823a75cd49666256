// The request body, whole. Node's parser only fails a body read when the connection broke (the
// client went away mid-upload or sent bytes it cannot parse): the client's doing, never a 500.
import { EdgeclipError, isEdgeclipError } from '@edgeclip/core'
import { clientClosed } from '../../inference'

export async function readBody(request: Request): Promise<Uint8Array> {
  try {
    return new Uint8Array(await request.arrayBuffer())
  } catch (error) {
    if (isEdgeclipError(error)) throw error
    throw clientClosed()
  }
}

export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new EdgeclipError('body is not JSON', { status: 400, code: 'invalid_json' })
  }
}
