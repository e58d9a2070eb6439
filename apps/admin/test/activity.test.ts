import { describe, expect, it } from 'vitest'
import { describeActivity } from '../src/lib/activity'
import { makeActivity } from './fixtures'

const sentence = (overrides: Parameters<typeof makeActivity>[0]) => {
  const { verb, target, rest } = describeActivity(makeActivity(overrides))
  return [verb, target?.label, rest].filter(Boolean).join(' ')
}

describe('activity sentences', () => {
  it('says where a task moved', () => {
    expect(
      sentence({
        action: 'task.status_changed',
        changes: { status: { before: 'todo', after: 'done' } },
      }),
    ).toBe('moved WEB-1 from To do to Done')
  })

  it('says who commented on what, and quotes the comment', () => {
    const entry = makeActivity({
      action: 'comment.added',
      changes: { comment: { before: null, after: 'Shipped.' } },
    })
    const described = describeActivity(entry)
    expect(`${described.verb} ${described.target?.label}`).toBe('commented on WEB-1')
    expect(described.details).toEqual(['“Shipped.”'])
  })

  it('links tasks and projects to their pages', () => {
    const task = describeActivity(makeActivity({ action: 'task.created' }))
    expect(task.target?.to).toEqual({ name: 'task', params: { ref: 'WEB-1' } })
    const project = describeActivity(
      makeActivity({
        action: 'project.archived',
        target: { type: 'project', id: 'p', label: 'WEB' },
      }),
    )
    expect(`${project.verb} ${project.target?.label}`).toBe('archived project WEB')
    expect(project.target?.to).toEqual({ name: 'project', params: { key: 'WEB' } })
  })

  it('names the person a membership change is about', () => {
    expect(
      sentence({
        action: 'project.member_added',
        target: { type: 'project', id: 'p', label: 'WEB' },
        changes: { 'ada@example.com': { before: null, after: 'owner' } },
      }),
    ).toBe('added ada@example.com to WEB as an owner')
  })

  it('lists changed task fields in people’s words', () => {
    const described = describeActivity(
      makeActivity({
        action: 'task.updated',
        changes: {
          priority: { before: 'none', after: 'high' },
          dueDate: { before: null, after: '2026-03-04' },
          description: { before: 'a', after: 'b' },
        },
      }),
    )
    expect(described.details[0]).toBe('Priority: No priority → High')
    expect(described.details[1]).toMatch(/^Due date: .*2026/)
    expect(described.details[2]).toBe('Description changed')
  })

  it('describes a project-limited token’s access', () => {
    const described = describeActivity(
      makeActivity({
        action: 'token.created',
        target: { type: 'token', id: 't', label: 'Cursor MCP' },
        changes: {
          scopes: { before: null, after: ['read', 'project:WEB'] },
          expiresAt: { before: null, after: null },
        },
      }),
    )
    expect(`${described.verb} ${described.target?.label}`).toBe('created token “Cursor MCP”')
    expect(described.details).toEqual(['Access: Read only, limited to WEB', 'Expires: never'])
  })

  it('falls back to the action code for actions it does not know', () => {
    expect(sentence({ action: 'something.new', target: { type: 'x', id: 'x', label: null } })).toBe(
      'something.new',
    )
  })
})

describe('activity sentences: accounts', () => {
  const self = { id: '10000000-0000-4000-8000-00000000abcd', email: 'ada@example.com', name: 'Ada' }
  const about = { type: 'user', id: self.id, label: self.email }

  it('a person changing their own password "changed their password"', () => {
    expect(sentence({ action: 'user.password_changed', actor: self, target: about })).toBe(
      'changed their password',
    )
  })

  it('an administrator requiring a new password names the person', () => {
    expect(sentence({ action: 'user.password_change_required', target: about })).toBe(
      'required a new password from ada@example.com',
    )
  })

  it('signing out sessions says how many', () => {
    expect(
      sentence({
        action: 'user.sessions_ended',
        actor: self,
        target: about,
        changes: { sessions: { before: null, after: 3 } },
      }),
    ).toBe('signed out 3 of their console sessions')
    expect(
      sentence({
        action: 'user.sessions_ended',
        actor: self,
        target: about,
        changes: { sessions: { before: null, after: 1 } },
      }),
    ).toBe('signed out one of their console sessions')
  })
})
