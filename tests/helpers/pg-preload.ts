// Preloaded by scripts/test for the PostgreSQL pass of tests/http: closes each test's servers and drops their databases after it.
import { afterAll, afterEach, beforeEach } from 'bun:test'
import { pgAppHooks } from './pg-app'

beforeEach(pgAppHooks.beforeEach)
afterEach(pgAppHooks.afterEach)
afterAll(pgAppHooks.afterAll)
