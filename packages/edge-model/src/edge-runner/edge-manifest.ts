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
}

export interface EdgeManifest {
  format: typeof EDGE_FORMAT
  /** `int8`: MatMulInteger over per-row (per-token) int8 activations; `q4`: MatMulNBits. */
  weights: 'int8' | 'q4'
  /** The graph input the table rows feed. */
  embedsInput: string
  /** The token-id input (the graph still reads it for the pad mask). */
  idsInput: string
  output: string
  table: { file: string; rows: number; width: number; bytes: number }
  parts: EdgePartManifest[]
}

export function parseEdgeManifest(text: string): EdgeManifest {
  const manifest = JSON.parse(text) as EdgeManifest
  if (manifest.format !== EDGE_FORMAT)
    throw new Error(`not an edge text model manifest (${String(manifest.format)})`)
  return manifest
}
