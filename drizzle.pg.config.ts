// drizzle-kit configuration for the PostgreSQL store: migrations from src/store-pg/tables.ts into drizzle/pg/.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store-pg/tables.ts',
  out: './drizzle/pg',
})
