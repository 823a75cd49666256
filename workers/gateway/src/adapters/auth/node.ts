// Node-only key stores (node:sqlite, Redis over TCP); the Workers bundle never imports this file.
export type { RedisKeyStoreOptions } from './redis-key-store.node.js'
export { RedisKeyStore } from './redis-key-store.node.js'
export { KEY_STORE_FILE_NAME, SqliteKeyStore } from './sqlite-key-store.node.js'
