// Where the console lives and the paths of its pages, spelled once for the routes, links and the CLI.

/** The console is served under this prefix by the same app as the SCIM API. */
export const CONSOLE_PREFIX = '/admin'
/** The page a one-time sign-in link (`admin add NAME --link`) opens. */
export const LINK_PATH = '/link'
export const SIGN_IN_PATH = '/sign-in'
/** The server-sent events of new journal entries that the dashboard and journal page listen to. */
export const LIVE_PATH = '/live'
