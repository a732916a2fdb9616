// A journal draft of a user's creation, for tests that write chains by hand.
import type { JournalDraft } from '../../src/journal/types'

/** The draft a create of user `id` (userName `userName`) hands the journal, at `at` (now unless given). */
export function createDraft(
  id: string,
  at = new Date().toISOString(),
  actor: string | null = 'test',
  userName = id
): JournalDraft {
  return {
    at,
    actor,
    requestId: null,
    op: 'create',
    resourceType: 'User',
    resourceId: id,
    versionBefore: null,
    versionAfter: 1,
    changes: [{ path: 'userName', after: userName }],
    compat: [],
    cascade: false,
  }
}
