import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import fastifyHelmet from '@fastify/helmet'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyServerOptions, LogController } from 'fastify'
import {
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod'
import type { DatabaseConfig, DatabaseHandle } from './db/client.js'
import { installErrorHandler, routeNotFound } from './lib/error-handler.js'
import { installNulGuard } from './lib/nul-guard.js'
import { serializerCompiler } from './lib/serializer.js'
import authPlugin, { type AuthPluginOptions } from './plugins/auth.js'
import dbPlugin from './plugins/db.js'
import activityRoutes from './routes/activity/index.js'
import adminRoutes from './routes/admin/index.js'
import authRoutes from './routes/auth/index.js'
import healthRoutes from './routes/health/index.js'
import mcpRoutes from './routes/mcp/index.js'
import meRoutes from './routes/me/index.js'
import projectRoutes from './routes/projects/index.js'
import settingsRoutes from './routes/settings/index.js'
import taskRoutes from './routes/tasks/index.js'
import tokenRoutes from './routes/tokens/index.js'
import { VERSION } from './version.js'

export interface AppOptions {
  database: DatabaseConfig | DatabaseHandle
  /** Pino options, `false` for silence (tests). */
  logger?: FastifyServerOptions['logger']
  publicUrl?: string | undefined
  allowedOrigins?: string[]
  https?: { cert: Buffer; key: Buffer } | undefined
  /** Folder of the built admin console; `false` to serve none. */
  consoleDir?: string | false
  failureLimit?: AuthPluginOptions['failureLimit']
  lastUsedFlushMs?: number
  trustProxy?: boolean
}

const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../admin/dist/', import.meta.url))

/** Builds the whole server: plugins, then routes. Does not listen. */
export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    // One line per request is written by the onResponse hook below, with the token id added.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    ...(options.https ? { https: options.https } : {}),
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandler(app)
  installNulGuard(app)

  const secureCookies =
    Boolean(options.https) || (options.publicUrl?.startsWith('https://') ?? false)

  await app.register(fastifyCookie)
  await app.register(fastifyHelmet, {
    // The console is a same-origin SPA: its own scripts only, never framed by other sites.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Self-hosted servers are often reached over plain HTTP on a LAN; HSTS only under HTTPS.
    strictTransportSecurity: secureCookies,
  })
  await app.register(fastifyRateLimit, { global: false })
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Tessera API',
        version: VERSION,
        description:
          'Authenticate with `Authorization: Bearer <token>` or `Authorization: Api-Token <token>`, or a console session cookie.',
      },
      servers: options.publicUrl ? [{ url: options.publicUrl }] : [],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A Tessera API token (tsr_...)' },
          session: { type: 'apiKey', in: 'cookie', name: 'tessera_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  })
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Plain-HTTP servers on a LAN are common: do not ask browsers to upgrade the docs' assets.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  })

  await app.register(dbPlugin, { database: options.database })
  await app.register(authPlugin, {
    failureLimit: options.failureLimit,
    lastUsedFlushMs: options.lastUsedFlushMs,
    allowedOrigins: options.allowedOrigins,
    publicUrl: options.publicUrl,
  })

  app.addHook('onResponse', async (request, reply) => {
    const auth = request.auth
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        userId: auth?.user.id,
        tokenId: auth?.token?.id,
      },
      'request',
    )
  })

  await app.register(healthRoutes)
  await app.register(
    async (api) => {
      await api.register(authRoutes, { secureCookies })
      await api.register(meRoutes)
      await api.register(tokenRoutes)
      await api.register(settingsRoutes)
      await api.register(adminRoutes)
      await api.register(activityRoutes)
      await api.register(projectRoutes)
      await api.register(taskRoutes)
      await api.register(mcpRoutes)
    },
    { prefix: '/api/v1' },
  )

  const consoleDir = options.consoleDir ?? DEFAULT_CONSOLE_DIR
  const serveConsole = consoleDir !== false && existsSync(consoleDir)
  if (serveConsole) {
    await app.register(fastifyStatic, {
      root: consoleDir,
      wildcard: false,
      index: 'index.html',
      cacheControl: false,
      // Built assets carry a content hash in their name: cache them for good. index.html is
      // always revalidated so a new release is picked up at once.
      setHeaders: (res, path) => {
        const immutable = /[\\/]assets[\\/]/.test(path)
        res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      },
    })
  }
  app.setNotFoundHandler((request, reply) => {
    // History-mode fallback: any other page path gets the console's index.html.
    const path = request.url.split('?')[0] ?? '/'
    if (
      serveConsole &&
      request.method === 'GET' &&
      !path.startsWith('/api/') &&
      !/\.[a-z0-9]+$/i.test(path)
    ) {
      return reply.type('text/html').sendFile('index.html')
    }
    return routeNotFound(request, reply)
  })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
