export { type RunningBackend, type StartBackendOptions, startBackend } from './start-backend'
