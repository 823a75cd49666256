// Per-item failures: one bad item is answered in its own slot and never fails its neighbours.
import { type BackendItemResult, isEdgeclipError } from '@edgeclip/core'

export type ItemFailure = Extract<BackendItemResult, { ok: false }>

export function itemFailure(status: number, code: string, message: string): ItemFailure {
  return { ok: false, status, code, message }
}

/** An EdgeclipError keeps its status and code; anything else is the backend's own fault (500). */
export function failureFrom(error: unknown, fallbackCode: string): ItemFailure {
  if (isEdgeclipError(error)) return itemFailure(error.status, error.code, error.message)
  const message = error instanceof Error ? error.message : String(error)
  return itemFailure(500, fallbackCode, message)
}
