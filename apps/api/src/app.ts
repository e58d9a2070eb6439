import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
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
import { clientErrorHandler } from './lib/client-errors.js'
import { isConsoleNavigation } from './lib/console-navigation.js'
import { installErrorHandler, routeNotFound } from './lib/error-handler.js'
import { installNulGuard } from './lib/nul-guard.js'
import { docsCsp, installSecurityHeaders } from './lib/security-headers.js'
import { serializerCompiler } from './lib/serializer.js'
import {
  capConnections,
  resolveServerLimits,
  type ServerLimits,
  serverOptions,
} from './lib/server-limits.js'
import authPlugin from './plugins/auth.js'
import corsPlugin from './plugins/cors.js'
import dbPlugin from './plugins/db.js'
import failureLimitsPlugin, { type FailureLimitOptions } from './plugins/failure-limits.js'
import hostCheckPlugin from './plugins/host-check.js'
import oauthPlugin from './plugins/oauth.js'
import activityRoutes from './routes/activity/index.js'
import adminRoutes from './routes/admin/index.js'
import adminOAuthRoutes from './routes/admin/oauth.js'
import authRoutes from './routes/auth/index.js'
import errorRoutes from './routes/errors/index.js'
import healthRoutes from './routes/health/index.js'
import mcpRoutes from './routes/mcp/index.js'
import meRoutes from './routes/me/index.js'
import oauthConsentRoutes from './routes/oauth/consent.js'
import oauthRoutes from './routes/oauth/index.js'
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
  /** Failure limits (unknown credentials per address, wrong passwords per account and address). */
  failureLimits?: Omit<FailureLimitOptions, 'redisUrl'>
  /** Redis for limits shared by every instance; unset: each instance counts on its own. */
  redisUrl?: string | undefined
  lastUsedFlushMs?: number
  /** Proxies whose X-Forwarded-For is believed: a hop count or their addresses / CIDRs. */
  trustProxy?: false | number | string[]
  /** Host names accepted besides localhost, IP addresses and the public URL's host. */
  allowedHosts?: string[]
  /** Timeouts and the connection cap; unset ones take their defaults. */
  limits?: Partial<ServerLimits>
}

const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../admin/dist/', import.meta.url))

/** A hop count trusts that many proxies nearest to the server, and never the client's own claims. */
function trustProxyOption(trust: AppOptions['trustProxy']) {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust
  return trust ?? false
}

/** Builds the whole server: plugins, then routes. Does not listen. */
export async function buildApp(options: AppOptions) {
  const limits = resolveServerLimits(options.limits)
  const app = Fastify({
    logger: options.logger ?? false,
    // One line per request is written by the onResponse hook below, with the token id added.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(options.trustProxy),
    ...serverOptions(limits, options.https),
    clientErrorHandler,
    // Start-up may wait on migrations (an index built over a large workspace, another instance
    // holding the migration lock) far longer than Fastify's 10 s plugin timeout; an unreachable
    // database still fails fast through the driver's connect timeout.
    pluginTimeout: 0,
  }).withTypeProvider<ZodTypeProvider>()
  capConnections(app.server, limits.maxConnections, app.log)

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandler(app)
  installNulGuard(app)

  const secureCookies =
    Boolean(options.https) || (options.publicUrl?.startsWith('https://') ?? false)

  await app.register(hostCheckPlugin, {
    publicUrl: options.publicUrl,
    allowedHosts: options.allowedHosts,
  })
  // After the host check, before authentication: see plugins/cors.ts.
  await app.register(corsPlugin)
  // Cookies are parsed only when a request has any: API clients send none, and the plugin's own
  // hook allocates a container for each request regardless.
  await app.register(fastifyCookie, { hook: false })
  const noCookies: Record<string, string | undefined> = Object.freeze({})
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.cookie
    request.cookies = header ? app.parseCookie(header) : noCookies
    done()
  })
  // Before the docs plugin, so its page keeps its own CSP. Self-hosted servers are often reached
  // over plain HTTP on a LAN: HSTS only under HTTPS.
  installSecurityHeaders(app, { hsts: secureCookies })
  await app.register(failureLimitsPlugin, { ...options.failureLimits, redisUrl: options.redisUrl })
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
    transformStaticCSP: docsCsp,
  })

  await app.register(dbPlugin, { database: options.database })
  await app.register(authPlugin, {
    lastUsedFlushMs: options.lastUsedFlushMs,
    allowedOrigins: options.allowedOrigins,
    publicUrl: options.publicUrl,
  })
  await app.register(oauthPlugin, { publicUrl: options.publicUrl })

  // One line per request, unless the level leaves it out anyway (tests, LOG_LEVEL=warn).
  if (['info', 'debug', 'trace'].includes(app.log.level)) {
    app.addHook('onResponse', (request, reply, done) => {
      const url = request.url
      const query = url.indexOf('?')
      const auth = request.auth
      request.log.info(
        {
          method: request.method,
          path: query === -1 ? url : url.slice(0, query),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          userId: auth?.user.id,
          tokenId: auth?.token?.id,
        },
        'request',
      )
      done()
    })
  }

  await app.register(healthRoutes)
  await app.register(oauthRoutes)
  await app.register(
    async (api) => {
      await api.register(authRoutes, { secureCookies })
      await api.register(meRoutes)
      await api.register(tokenRoutes)
      await api.register(settingsRoutes)
      await api.register(adminRoutes)
      await api.register(adminOAuthRoutes)
      await api.register(oauthConsentRoutes)
      await api.register(activityRoutes)
      await api.register(projectRoutes)
      await api.register(taskRoutes)
      await api.register(mcpRoutes)
      await api.register(errorRoutes)
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
    if (!serveConsole) return routeNotFound(request, reply)
    // History-mode fallback, for browsers loading a page only: the same path answers HTML or
    // the JSON 404 depending on Accept, so caches must key on it.
    reply.header('vary', 'accept')
    if (isConsoleNavigation(request)) return reply.type('text/html').sendFile('index.html')
    return routeNotFound(request, reply)
  })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
