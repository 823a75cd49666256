export type { KvKeyNamespaceLike, KvKeyStoreOptions } from './kv-key-store'
export { KvKeyStore } from './kv-key-store'
