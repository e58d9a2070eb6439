import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js'
import { hasScope } from '@tessera/core'
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Db } from '../db/client.js'
import { AppError } from '../lib/errors.js'
import { DATABASE_RETRY_AFTER_SECONDS } from '../lib/pg-errors.js'
import { actorOf } from '../plugins/auth.js'
import type { ServiceContext } from '../services/context.js'
import { VERSION } from '../version.js'
import { complete } from './completions.js'
import { answer, parseRequest, type RequestSchema, serverFault } from './errors.js'
import { getPrompt, PROMPT_LIST } from './prompts.js'
import { RequestTransport, readMcpPost } from './request-transport.js'
import { listResources, RESOURCE_TEMPLATES, readResource } from './resources.js'
import { describeTool, type ToolSpec } from './tool.js'
import { listActivityTool, whoami } from './tools/account.js'
import {
  addCommentTool,
  createTaskTool,
  getTaskTool,
  listProjectsTool,
  listTasksTool,
  searchTasksTool,
  updateTaskTool,
} from './tools/workspace.js'

export const INSTRUCTIONS = `Tessera is a team workspace: projects (each with a short key such as WEB), tasks referenced as KEY-number (WEB-12) with a status of todo, in_progress or done, and comments. You act as the user who owns this API token, with exactly their access; every change you make appears in the team's activity feed under their name, marked as made through MCP.
Start with whoami to see who you are and whether the token can make changes, then list_projects. Use list_tasks or search_tasks to find work, get_task for the full description and comments, and create_task, update_task or add_comment to make changes. Lists are paged: pass nextCursor back as cursor for more.
Every project and task is also a resource, Markdown the user can attach as context: tessera://projects/{key} (summary and open tasks) and tessera://tasks/{ref} (fields, description, comments). Prompts start common work with live data: standup (my recent activity and open tasks), triage (a project's overdue, untriaged and stale tasks) and work_on_task (a task's full context and next steps); their arguments complete project keys and task references.`

/** The server's icon (the console's), inline: clients need not fetch anything to show it. */
const ICON = {
  src: `data:image/svg+xml;base64,${Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><title>Tessera</title><rect width="32" height="32" rx="7" fill="#3b5bdb"/><path fill="#fff" d="M8 8h7v7H8zM17 8h7v7h-7zM8 17h7v7H8z"/><path fill="#fff" fill-opacity=".55" d="M17 17h7v7h-7z"/></svg>',
  ).toString('base64')}`,
  mimeType: 'image/svg+xml',
  sizes: ['any'],
}

/** Only what exists is announced; nothing changes during a stateless request, so no list_changed. */
const CAPABILITIES: ServerCapabilities = {
  tools: { listChanged: false },
  resources: { subscribe: false, listChanged: false },
  prompts: { listChanged: false },
  completions: {},
}

const TOOLS: ToolSpec[] = [
  whoami,
  listProjectsTool,
  listTasksTool,
  searchTasksTool,
  getTaskTool,
  createTaskTool,
  updateTaskTool,
  addCommentTool,
  listActivityTool,
]

/** Who is asking, for the methods beyond tools. */
interface Caller {
  ctx: ServiceContext
  canWrite: boolean
}

/**
 * One method beyond tools. Registered with a schema that only matches the method's name, so that
 * the protocol's own schema is checked in `answer` (a malformed request is Invalid Params, not the
 * SDK's Internal Error); both schemas are built once, here, not per request.
 */
function method<T>(
  name: string,
  schema: RequestSchema<T>,
  run: (caller: Caller, request: T) => Promise<object> | object,
) {
  return {
    match: z.looseObject({ method: z.literal(name) }),
    answer: (caller: Caller, request: unknown, log: FastifyBaseLogger) =>
      answer(log, { method: name }, async () => run(caller, parseRequest(schema, request, name))),
  }
}

const METHODS = [
  method('resources/list', ListResourcesRequestSchema, ({ ctx }, req) =>
    listResources(ctx, req.params?.cursor),
  ),
  method('resources/templates/list', ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: RESOURCE_TEMPLATES,
  })),
  method('resources/read', ReadResourceRequestSchema, ({ ctx }, req) =>
    readResource(ctx, req.params.uri),
  ),
  method('prompts/list', ListPromptsRequestSchema, () => PROMPT_LIST),
  method('prompts/get', GetPromptRequestSchema, ({ ctx, canWrite }, req) =>
    getPrompt(ctx, canWrite, req.params.name, req.params.arguments),
  ),
  method('completion/complete', CompleteRequestSchema, ({ ctx }, req) => complete(ctx, req.params)),
]

function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] }
}

/**
 * True when every request of the POST failed because the database is unavailable: the POST
 * then answers 503 with Retry-After, as REST does, and the JSON-RPC errors as its body.
 */
function onlyDatabaseUnavailable(body: unknown): boolean {
  const responses = Array.isArray(body) ? body : [body]
  return responses.every(
    (response) =>
      (response as { error?: { data?: { code?: unknown } } }).error?.data?.code ===
      'database_unavailable',
  )
}

/**
 * Serves MCP over stateless Streamable HTTP with JSON responses: each POST gets a fresh low-level
 * SDK server bound to that request's auth (so any instance can answer any request), while
 * everything that does not depend on the request (tool definitions, JSON Schemas, the schema
 * validator) is built once here.
 */
export function createMcpHandler({ db, log }: { db: Db; log: FastifyBaseLogger }) {
  const byName = new Map(TOOLS.map((tool) => [tool.name, tool]))
  const fullList = { tools: TOOLS.map(describeTool) }
  const readList = { tools: TOOLS.filter((tool) => !tool.writes).map(describeTool) }
  const jsonSchemaValidator = new AjvJsonSchemaValidator()

  async function callTool(ctx: ServiceContext, canWrite: boolean, name: string, args: unknown) {
    const tool = byName.get(name)
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`)
    if (tool.writes && !canWrite) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `The tool ${name} makes changes, and this API token is read-only (it lacks the write scope).`,
      )
    }
    const parsed = tool.input.safeParse(args ?? {})
    if (!parsed.success) {
      return toolError(`Invalid arguments for ${name}:\n${z.prettifyError(parsed.error)}`)
    }
    try {
      const result = await tool.run(ctx, parsed.data)
      return {
        content: [{ type: 'text', text: tool.text(result) }],
        structuredContent: result as Record<string, unknown>,
      } satisfies CallToolResult
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        return toolError(
          `${error.message}${error.extra.hint ? ` ${error.extra.hint}` : ''} (${error.code})`,
        )
      }
      throw serverFault(error, log, { tool: name }, 'The tool failed on the server.')
    }
  }

  return async function handle(request: FastifyRequest, reply: FastifyReply) {
    const read = readMcpPost(request.headers, request.body)
    if ('error' in read) return reply.status(read.error.status).send(read.error.body)
    const actor = actorOf(request)
    const ctx: ServiceContext = { db, actor }
    const canWrite = hasScope(actor.token?.scopes ?? [], 'write')

    const server = new Server(
      {
        name: 'tessera',
        title: 'Tessera',
        version: VERSION,
        icons: [ICON],
        // The console of this server, where the user manages tokens and sees the activity feed.
        websiteUrl: `${request.server.oauthUrls(request).issuer}/`,
      },
      { capabilities: CAPABILITIES, instructions: INSTRUCTIONS, jsonSchemaValidator },
    )
    server.setRequestHandler(ListToolsRequestSchema, () => (canWrite ? fullList : readList))
    server.setRequestHandler(CallToolRequestSchema, (req) =>
      callTool(ctx, canWrite, req.params.name, req.params.arguments),
    )
    const caller = { ctx, canWrite }
    for (const method of METHODS) {
      server.setRequestHandler(method.match, (request) => method.answer(caller, request, log))
    }
    const transport = new RequestTransport()
    await server.connect(transport)
    try {
      const answer = await transport.exchange(
        read.messages,
        { requestInfo: { headers: request.headers } },
        Array.isArray(request.body),
      )
      if (answer.body === undefined) return reply.status(answer.status).send()
      if (onlyDatabaseUnavailable(answer.body)) {
        reply.status(503).header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
      } else {
        reply.status(answer.status)
      }
      return reply.type('application/json').send(answer.body)
    } finally {
      await server.close()
    }
  }
}
