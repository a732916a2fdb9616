// Text from the directory (a userName, an error's detail) as a command prints it: no control character reaches the terminal.

/**
 * `text` with every control character (C0, DEL, C1) written as `\uXXXX`. Names come from SCIM
 * clients, and one holding `ESC [ 2 J` would otherwise clear, or rewrite, the admin's terminal.
 */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
