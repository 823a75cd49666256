export type { RequestIdOptions } from './request-id'
export { requestId } from './request-id'
