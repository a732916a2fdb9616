// The library face, for running the server in-process (for example inside another bun test suite).
export { createScimServer, type ScimServer, type ServerOptions } from './server'
export { hashToken, generateToken } from './auth/tokens'
export { VERSION } from './version'
