export type { HttpHandler, RunningHttpServer } from './http'
export { freePort, startHttpServer } from './http'
