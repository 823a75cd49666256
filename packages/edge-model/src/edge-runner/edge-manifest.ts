// The edge artifact: a folder with manifest.json, the int8 embedding table and one ONNX file (plus
// its external data) per part. Each part can run in its own Worker; hidden states pass between them.

export const EDGE_MANIFEST_FILE = 'manifest.json'
export const EDGE_FORMAT = 'edgeclip-edge-text/1'

export interface EdgePartManifest {
  /** The part's ONNX graph, e.g. part-0.onnx. */
  file: string
  /** Its external data file, fed to ONNX Runtime under this same name. */
  data: string
  inputs: string[]
  outputs: string[]
  bytes: number
  /** Hex sha256 of the graph file and of its external data: a part Worker checks what it loaded. */
  sha256: { file: string; data: string }
}

export interface EdgeManifest {
  format: typeof EDGE_FORMAT
  /**
   * Hex sha256 over this manifest's other fields and every file's hash: names this build. Every hop
   * of the split tower carries it, and cache keys name it as the edge tower's weights.
   */
  buildId: string
  /** `int8`: MatMulInteger over per-row (per-token) int8 activations; `q4`: MatMulNBits. */
  weights: 'int8' | 'q4'
  /** The graph input the table rows feed. */
  embedsInput: string
  /** The token-id input (the graph still reads it for the pad mask). */
  idsInput: string
  output: string
  table: { file: string; rows: number; width: number; bytes: number; sha256: string }
  parts: EdgePartManifest[]
}

export function parseEdgeManifest(text: string): EdgeManifest {
  const manifest = JSON.parse(text) as EdgeManifest
  if (manifest.format !== EDGE_FORMAT)
    throw new Error(`not an edge text model manifest (${String(manifest.format)})`)
  // Builds from before build ids cannot be told apart from each other: rebuild them.
  if (typeof manifest.buildId !== 'string' || !/^[0-9a-f]{64}$/.test(manifest.buildId))
    throw new Error('the edge manifest has no buildId; rebuild it with `edgeclip model build-edge`')
  return manifest
}

const hex = (digest: ArrayBuffer) =>
  Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')

/** Hex sha256 of some bytes (Web Crypto: the same on Node and in workerd). */
export const edgeFileSha256 = async (bytes: Uint8Array): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))

/** The build id of a manifest whose file hashes are filled in: a hash of everything but itself. */
export function edgeBuildId(manifest: Omit<EdgeManifest, 'buildId'>): Promise<string> {
  const { buildId: _ignored, ...rest } = manifest as EdgeManifest
  return edgeFileSha256(new TextEncoder().encode(JSON.stringify(rest)))
}
