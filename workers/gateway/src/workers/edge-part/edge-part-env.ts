// The part Worker's env (wrangler.edge-part.jsonc), typed by hand: its bindings are few and the
// package's generated worker-configuration.d.ts describes the gateway.
import type { ServiceBinding } from '../edge-tower'
import type { R2Bucket } from '../runtime-types'

export interface EdgePartEnv {
  /** The artifact under `<model id>/<revision>/edge/`, as `build-edge` wrote it. */
  MODELS: R2Bucket
  /** The model id whose artifact this part runs, e.g. `jina-clip-v1`. */
  EDGECLIP_MODEL: string
  /** Which part of the manifest this Worker runs: "0" for the first. */
  EDGE_PART_INDEX: string
  /** The next part's Worker; unset on the last part. */
  NEXT?: ServiceBinding
}
