// Names shared by the Node-side setup and the tests inside workerd (no Node imports here).

/** Where the tests read back what the backend received, to check routing. */
export const BATCHES_PATH = '/test/batches'
/** Where a backend started with `filesDir` serves those files: `/test/files/<name>`. */
export const FILES_PATH = '/test/files/'
/** The rebuilt split artifact's files are served as FILES_PATH + this prefix + their name. */
export const REBUILT_PREFIX = 'rebuilt-'

export interface ReceivedBatch {
  authorization: string | null
  /** Token ids per text item, `image:<bytes>` per image item. */
  items: (readonly number[] | string)[]
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the protocol backend started by global-setup.ts (fixture model). */
    backendUrl: string
    /** A protocol backend on the synthetic JinaBERT's un-split fp32 file; serves the split artifact. */
    splitBackendUrl: string
    /** File names of the split edge artifact. */
    edgeArtifactFiles: string[]
    /** File names of another build of it (other weights), served with REBUILT_PREFIX. */
    rebuiltEdgeArtifactFiles: string[]
    /** The part Worker's bundle (index.js and ORT's .wasm). */
    edgePartBundleDir: string
  }
}

/**
 * The test backend's vector for an image: a fixed function of its bytes (sha256 spread over the
 * row), since the gateway only forwards images and the test checks the answer came back intact.
 */
export async function imageVector(bytes: Uint8Array, dimensions: number): Promise<Float32Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)))
  return Float32Array.from(
    { length: dimensions },
    (_, index) => (digest[index % digest.length]! - 127.5) / 128,
  )
}
