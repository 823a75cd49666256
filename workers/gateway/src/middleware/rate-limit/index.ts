export { ANONYMOUS_KEY_ID, chargeRateLimit, rateLimit } from './rate-limit'
