// Bindings of this Worker: EDGECLIP_BASE_URL from wrangler.jsonc vars, the key a secret (optional).
export interface Env {
  EDGECLIP_BASE_URL: string
  EDGECLIP_API_KEY?: string
}
