// GET /v1/models: the served model with the limits a client needs to size its batches.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { GatewayConfig } from '../../config'
import type { AppEnv } from '../../env'
import { modelListSchema } from '../../schemas'

export const modelsRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  summary: 'List the served model and its limits',
  security: [{ bearer: [] }],
  responses: {
    200: { description: 'The served model.', content: { 'application/json': { schema: modelListSchema } } },
  },
})

export function registerModelsRoute(app: OpenAPIHono<AppEnv>, config: GatewayConfig): void {
  app.openapi(modelsRoute, async (context) => {
    const { spec, edgeIdentity, backend } = context.get('deps')
    // Shows what is loaded, not just the spec: a folder of other weights reads differently here.
    const backendIdentity = await backend
      ?.identity?.({ signal: context.req.raw.signal })
      .catch(() => undefined)
    return context.json(
      {
        object: 'list' as const,
        data: [
          {
            id: spec.id,
            object: 'model' as const,
            owned_by: spec.repo.split('/')[0] ?? spec.repo,
            revision: spec.revision,
            dimensions: spec.dimensions,
            matryoshka_dimensions: [...spec.matryoshkaDimensions],
            max_tokens: spec.maxTokens,
            max_inputs: config.maxInputs,
            modalities: ['text' as const, 'image' as const],
            towers: {
              edge: edgeIdentity ?? null,
              backend_text: backendIdentity?.text ?? null,
              backend_image: backendIdentity?.image ?? null,
            },
          },
        ],
      },
      200,
    )
  })
}
