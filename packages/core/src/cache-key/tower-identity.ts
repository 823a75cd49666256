// What computed a vector: the weights (a hash of the tower files actually loaded) and the numerics
// that ran them. Two towers with the same model id and revision can differ in either (the fixture
// folder, an fp16 file, an int8 edge build), so every cache key names both.

export interface TowerIdentity {
  /**
   * Hex sha256 of the tower file(s) the process loaded (checked against their manifest at load);
   * for the split edge tower, its build id (a hash over its parts and table).
   */
  weights: string
  /**
   * How the numbers were computed: the ONNX variant and the runtime that ran it, e.g.
   * `fp32/onnxruntime-node-cpu`, `fp16/onnxruntime-node-cuda`, `int8/edge-split`.
   */
  numerics: string
}

/** What a GPU backend computes with, per tower; a tower it does not load is absent. */
export interface BackendIdentity {
  text?: TowerIdentity
  image?: TowerIdentity
}

const HEX_SHA256 = /^[0-9a-f]{64}$/
const NUMERICS = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}$/

/** A well-formed identity from untrusted JSON (a backend's answer), or undefined. */
export function parseTowerIdentity(value: unknown): TowerIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { weights, numerics } = value as Record<string, unknown>
  if (typeof weights !== 'string' || !HEX_SHA256.test(weights)) return undefined
  if (typeof numerics !== 'string' || !NUMERICS.test(numerics)) return undefined
  return { weights, numerics }
}

/** A backend identity from untrusted JSON; undefined when it names no tower. */
export function parseBackendIdentity(value: unknown): BackendIdentity | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const text = parseTowerIdentity(record.text)
  const image = parseTowerIdentity(record.image)
  if (!text && !image) return undefined
  return { ...(text ? { text } : {}), ...(image ? { image } : {}) }
}

export const sameTowerIdentity = (a: TowerIdentity | undefined, b: TowerIdentity | undefined): boolean =>
  a !== undefined && b !== undefined && a.weights === b.weights && a.numerics === b.numerics
