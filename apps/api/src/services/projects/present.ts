import type { Project, ProjectRole } from '../../contract/index.js'
import type { ProjectRow } from '../../db/schema/index.js'

export const presentProject = (p: ProjectRow & { myRole: ProjectRole | null }): Project => ({
  id: p.id,
  key: p.key,
  name: p.name,
  description: p.description,
  archived: p.archived,
  myRole: p.myRole,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
})
