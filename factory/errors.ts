// Errors the factory staff should read: a message that says what to do, and the exit code.
export class FactoryError extends Error {
  override readonly name = 'FactoryError'
  constructor (message: string, readonly exitCode = 1) {
    super(message)
  }
}

/** Bad command-line input: exit code 2, like commander's own usage errors. */
export class UsageError extends FactoryError {
  constructor (message: string) {
    super(message, 2)
  }
}
