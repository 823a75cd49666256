// Node-only key store (node:sqlite); the Workers bundle never imports this file.
export { KEY_STORE_FILE_NAME, SqliteKeyStore } from './sqlite-key-store.node.js'
