// How hard a commit syncs, named by ServerOptions too, so it lives apart from the Drizzle-typed db.ts.

/** 'full' syncs the WAL on every commit; 'normal' survives a crash but may lose the last commits on power loss. */
export type Durability = 'full' | 'normal'
