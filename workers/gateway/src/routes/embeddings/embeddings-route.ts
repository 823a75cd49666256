// POST /v1/embeddings: the HTTP shell around the pipeline (headers, rate-limit charge, status).
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { GatewayConfig } from '../../config'
import type { AppEnv } from '../../env'
import { chargeRateLimit } from '../../middleware/rate-limit'
import { embedRequest } from '../../pipeline'
import { embeddingsRequestSchema, embeddingsResponseSchema, errorBodySchema } from '../../schemas'

const errorContent = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
})

export const embeddingsRoute = createRoute({
  method: 'post',
  path: '/v1/embeddings',
  summary: 'Embed texts and images into one vector space',
  security: [{ bearer: [] }],
  request: {
    body: { required: true, content: { 'application/json': { schema: embeddingsRequestSchema } } },
  },
  responses: {
    200: {
      description:
        'One embedding per input, in input order. Headers: x-request-id, x-edgeclip-route (cache|edge|backend|mixed), x-edgeclip-cache (hit|miss|partial|unavailable), server-timing.',
      content: { 'application/json': { schema: embeddingsResponseSchema } },
    },
    400: errorContent(
      'Invalid input: empty input, too many tokens without truncate, bad image data, bad option.',
    ),
    401: errorContent('Missing or unknown API key.'),
    403: errorContent('Revoked API key.'),
    404: errorContent('Unknown model.'),
    413: errorContent(
      "Too many inputs; a body, an image or a request's images in total over the size limit; or more tokens than the key may spend in a minute (split the request).",
    ),
    415: errorContent(
      'A body that is not JSON or is compressed, or an image of a known type the service does not decode.',
    ),
    422: errorContent(
      'An image that is not a supported image, has too many pixels, or could not be fetched in time.',
    ),
    429: errorContent('Rate limit reached; see retry-after.'),
    502: errorContent('The GPU backend answered something malformed, an HTTP error, or refused the secret.'),
    503: errorContent(
      'The GPU backend (or the in-process tower, without a backend) is unavailable; see retry-after.',
    ),
    504: errorContent('The GPU backend did not answer in time.'),
  },
})

export function registerEmbeddingsRoute(app: OpenAPIHono<AppEnv>, config: GatewayConfig): void {
  app.openapi(embeddingsRoute, async (context) => {
    const timings = context.get('timings')
    const outcome = await embedRequest(context.req.valid('json'), {
      deps: context.get('deps'),
      config,
      timings,
      requestId: context.get('requestId'),
      signal: context.req.raw.signal,
      chargeTokens: (tokens) => chargeRateLimit(context, { requests: 0, tokens }, config.defaultLimits),
    })
    context.header('x-edgeclip-route', outcome.route)
    context.header('x-edgeclip-cache', outcome.cache)
    // A tiered cache serving from its local tier while the shared one is down says so.
    const cache = context.get('deps').cache as { status?: () => string }
    if (cache.status?.() === 'degraded') context.header('x-edgeclip-cache-status', 'degraded')
    // The body is assembled from cached JSON fragments; the response schema above describes it.
    return context.body(outcome.json, 200, { 'content-type': 'application/json' }) as never
  })
}
