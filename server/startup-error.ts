/** A problem the operator must fix before the server can start; shown as its message, without a stack. */
export class StartupError extends Error {
  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}
