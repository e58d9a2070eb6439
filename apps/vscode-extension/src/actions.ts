/** Button labels shared by messages and flows. A button's label is also its identity. */
export const Action = {
  Connect: 'Connect',
  ReplaceToken: 'Replace Token',
  OpenTokenPage: 'Open API Tokens',
  TryAgain: 'Try Again',
  ChangeServerUrl: 'Change Server URL',
  RotateNow: 'Rotate Now',
  Later: 'Later',
  OpenWalkthrough: 'Show Me How',
  NotNow: 'Not Now',
  SignOut: 'Sign Out',
  CopyMcpConfig: 'Copy MCP Configuration',
  ContinueAnyway: 'Continue Anyway',
  UseToken: 'Use Token There',
  SignIn: 'Sign In with Browser',
  PasteToken: 'Paste a Token Instead',
} as const

export type Action = (typeof Action)[keyof typeof Action]
