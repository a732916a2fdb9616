// drizzle-kit configuration: generates SQL migrations from src/store/tables.ts into drizzle/.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/tables.ts',
  out: './drizzle',
})
