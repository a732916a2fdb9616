// The release version; the build script replaces it through a compile-time define.
declare const SCIM_SERVER_VERSION: string | undefined

export const VERSION = typeof SCIM_SERVER_VERSION === 'string' ? SCIM_SERVER_VERSION : '0.1.0-dev'

/** Whether this is the compiled release build (scripts/build.ts); tests and development run from source. */
export const RELEASE_BUILD = typeof SCIM_SERVER_VERSION === 'string'
