export { type ConnectionCloseOptions, connectionClose } from './connection-close'
