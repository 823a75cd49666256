// Names shared by the Node-side setup and the tests inside workerd (no Node imports here).

/** Where the tests read back what the backend received, to check routing. */
export const BATCHES_PATH = '/test/batches'

export interface ReceivedBatch {
  authorization: string | null
  /** Token ids per text item, `image:<bytes>` per image item. */
  items: (readonly number[] | string)[]
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the protocol backend started by global-setup.ts. */
    backendUrl: string
  }
}
