import type postgres from 'postgres'

/** One node of `explain (format json)`, as far as the query-plan tests read it. */
export interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Plans?: PlanNode[]
}

/** A plan's nodes, the root first. */
export const nodesOf = (node: PlanNode): PlanNode[] => [
  node,
  ...(node.Plans ?? []).flatMap(nodesOf),
]

/** The nodes of an `explain (format json)` answer's row (a string or parsed, by driver). */
export function planNodes(row: Record<string, unknown> | undefined): PlanNode[] {
  const plan = row?.['QUERY PLAN']
  const json = typeof plan === 'string' ? JSON.parse(plan) : plan
  return nodesOf(json[0].Plan as PlanNode)
}

/** The plan PostgreSQL would choose for a query with these parameters. */
export async function explain(
  sql: postgres.Sql,
  query: string,
  params: unknown[],
): Promise<PlanNode[]> {
  const [row] = await sql.unsafe(`explain (format json) ${query}`, params as never[])
  return planNodes(row)
}

/** `Index Scan tasks tasks_project_id_created_at_idx / Limit / ...`, for failure messages. */
export const describePlan = (nodes: PlanNode[]) =>
  nodes
    .map((n) => `${n['Node Type']} ${n['Relation Name'] ?? ''} ${n['Index Name'] ?? ''}`.trim())
    .join(' / ')
