import type { Tool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { ServiceContext } from '../services/context.js'

/**
 * One MCP tool: schemas, truthful annotations and a handler that calls the same services as the
 * REST routes. `text` renders the result for clients that only show text.
 */
export interface ToolSpec<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> {
  name: string
  title: string
  description: string
  input: I
  output: O
  /** Needs the token's `write` scope; read-only tokens do not see it at all. */
  writes: boolean
  annotations: Omit<ToolAnnotations, 'title'>
  run(ctx: ServiceContext, args: z.output<I>): Promise<z.output<O>>
  text(result: z.output<O>): string
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  spec: ToolSpec<I, O>,
): ToolSpec {
  return spec as unknown as ToolSpec
}

function jsonSchema(schema: z.ZodObject, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>
  return rest as Tool['inputSchema']
}

/** The `tools/list` entry, computed once at start rather than per request. */
export function describeTool(spec: ToolSpec): Tool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: jsonSchema(spec.input, 'input'),
    outputSchema: jsonSchema(spec.output, 'output'),
    annotations: { title: spec.title, ...spec.annotations },
  }
}
